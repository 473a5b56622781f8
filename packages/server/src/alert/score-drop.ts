// The "score below baseline" judgement, per score name × the rule's groups (the built-in:
// agent × score name): the mean of a score over the last window against the same group's mean
// over the `baselineMs` before it. It breaches when the drop is both significant (Welch's
// one-sided t-test) and large (a fraction of the baseline's per-score spread), so a tiny shift
// over thousands of scores stays quiet. Scores come from store.scoreRollup (5-minute buckets), the
// statistics from query/insights/score-stats.ts (the score insights use the same). The engine's
// tick steps these verdicts like any rule's (score-alerts.ts reads them); the detection benchmark
// (bench/score-drop-bench.ts) runs that tick.

import { formatCount, formatCountOf, formatInterval, formatMetric, formatMetricChange, formatScoreChange, formatScoreMean } from '@sightline/api';
import { addSums, EMPTY_SUMS, meanEstimate, welchTest, type ScoreSums } from '../query/insights/score-stats.js';
import { formatP } from '../query/insights/sentences.js';
import type { ScoreRollupRow } from '../store/score-store.js';
import type { BaselineStats, Labels } from './figures.js';
import type { Verdict } from './judge.js';
import type { AlertRule } from './rule.js';

const HOUR = 3_600_000;

/** Bucket width of the rollup a score rule reads; window and baseline are multiples of it (rule.ts checks). */
export const SCORE_DROP_BUCKET_MS = 5 * 60_000;

/** The label that carries the score's name in a score rule's alerts. */
export const SCORE_LABEL = 'score';

/** One group's verdict, in the shape the engine steps (evaluate-rule.ts's), plus its own words. */
export interface ScoreVerdict {
  groupKey: string;
  labels: Labels;
  verdict: Verdict;
  /** The baseline judged against: the group's frozen one while its alert is live. */
  baseline: BaselineStats | null;
  /** Enough scores in the window and the baseline to judge at all. */
  judged: boolean;
  /** One-sided p of "the window's mean is lower". */
  p: number;
  /** What a person reads, every number with its unit. */
  text: string;
}

/** A frozen baseline's sums back from its statistics (n, mean, per-score σ). */
export function sumsOfBaseline(b: BaselineStats): ScoreSums {
  const n = b.samples;
  return { n, sum: b.mean * n, sumSq: b.unitSigma ** 2 * Math.max(0, n - 1) + n * b.mean ** 2 };
}

function subjectOf(labels: Labels): string {
  const name = labels[SCORE_LABEL] ?? '(none)';
  const dims = Object.entries(labels).filter(([d]) => d !== SCORE_LABEL);
  return dims.length === 0 ? name : `${name} of ${dims.map(([d, v]) => `${d} ${v ?? '(none)'}`).join(' × ')}`;
}

const period = (ms: number) => (ms % HOUR === 0 ? `${formatCount(ms / HOUR)} h` : formatInterval(ms));

/**
 * Judges one group's window against its baseline.
 * @example judgeScoreDrop({ agent: 'support', score: 'helpfulness' }, window, baseline, SCORE_DROP_RULE).verdict.breach
 */
export function judgeScoreDrop(labels: Labels, window: ScoreSums, baseline: ScoreSums, rule: AlertRule, kind: 'number' | 'boolean' = 'number'): Omit<ScoreVerdict, 'groupKey'> {
  if (rule.condition.type !== 'score_drop') throw new Error(`${rule.id} is not a score_drop rule`);
  const c = rule.condition;
  const now = meanEstimate(window);
  const base = meanEstimate(baseline);
  const test = welchTest(window, baseline);
  const sd = Math.sqrt(base.variance);
  const judged = window.n >= rule.minSamples && baseline.n >= rule.minBaselineSamples;
  const drop = base.mean - now.mean;
  const p = test.pLower;
  const breach = judged && p <= c.maxPValue && drop >= c.minDropSd * sd;
  // Back by `hysteresis` of the way towards the baseline, or no longer significant, or no evidence left.
  const clear = !judged || p > c.maxPValue || drop < (1 - rule.hysteresis) * c.minDropSd * sd;
  const threshold = judged ? base.mean - c.minDropSd * sd : null;
  const verdict: Verdict = {
    value: window.n > 0 ? now.mean : null,
    samples: window.n,
    breach,
    clear,
    threshold,
    exitThreshold: judged ? base.mean - (1 - rule.hysteresis) * c.minDropSd * sd : null,
    band: judged ? [threshold!, base.mean + c.minDropSd * sd] : null,
    sigma: baseline.n > 1 ? sd : null,
    reason: breach ? '' : !judged ? 'too few scores' : p > c.maxPValue ? `not significant (${formatP(p)})` : 'drop smaller than the minimum',
  };
  // A boolean's mean is its share of yes: "82.0% yes → 64.0% yes (−18 points)", not "0.82 → 0.64".
  const mean = (v: number) => (kind === 'boolean' ? formatScoreMean('boolean', v) : formatMetric('score_mean', v));
  const moved = kind === 'boolean' ? formatScoreChange('boolean', now.mean - base.mean) : formatMetricChange('score_mean', now.mean, base.mean);
  const over = `over the last ${period(rule.windowMs)}`;
  const before = `in the ${period(rule.baselineMs)} before`;
  const text =
    window.n > 0 && baseline.n > 0
      ? `${subjectOf(labels)} ${drop > 0 ? 'fell' : drop < 0 ? 'rose' : 'is'} ${mean(base.mean)} → ${mean(now.mean)} (${moved}) ${over} ` +
        `(${formatCountOf(window.n, 'score')} against ${formatCount(baseline.n)} ${before}; ${formatP(p)})`
      : window.n > 0
        ? `${subjectOf(labels)} is ${mean(now.mean)} ${over} (${formatCountOf(window.n, 'score')}; none ${before} to compare with)`
        : `${subjectOf(labels)}: no scores ${over} (${formatCountOf(baseline.n, 'score')} ${before})`;
  const stats: BaselineStats | null = baseline.n > 0 ? { mean: base.mean, unitSigma: sd, samples: baseline.n, hours: rule.baselineMs / HOUR } : null;
  return { labels, verdict, baseline: stats, judged, p, text };
}

/**
 * Judges every group × score name at `now` from 5-minute rollup rows grouped by
 * [...rule.groupBy, 'name'] that cover [now − window − baseline, now): the window is the last
 * `windowMs`, the baseline the `baselineMs` before it. `now` is floored to a bucket. A group whose
 * alert is live is judged against its frozen baseline (`frozen`, by group key), so a long drop
 * does not become its own baseline.
 */
export function judgeScoreDrops(
  rows: readonly ScoreRollupRow[],
  now: number,
  rule: AlertRule,
  frozen: ReadonlyMap<string, BaselineStats | null> = new Map(),
  booleans: ReadonlySet<string> = new Set(),
): ScoreVerdict[] {
  const end = Math.floor(now / SCORE_DROP_BUCKET_MS) * SCORE_DROP_BUCKET_MS;
  const windowFrom = end - rule.windowMs;
  const baselineFrom = windowFrom - rule.baselineMs;
  const dims = rule.groupBy;
  const groups = new Map<string, { labels: Labels; window: ScoreSums; baseline: ScoreSums }>();
  for (const r of rows) {
    if (r.bucket < baselineFrom || r.bucket >= end) continue;
    const name = r.group[dims.length] ?? null;
    if (name === null) continue;
    const labels: Labels = Object.fromEntries(dims.map((d, i) => [d, r.group[i] ?? null]));
    labels[SCORE_LABEL] = name;
    const key = JSON.stringify([...dims.map((d) => labels[d]), name]);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { labels, window: EMPTY_SUMS, baseline: EMPTY_SUMS }));
    const sums = { n: r.value_count, sum: r.value_sum, sumSq: r.value_sq_sum };
    if (r.bucket >= windowFrom) g.window = addSums(g.window, sums);
    else g.baseline = addSums(g.baseline, sums);
  }
  // A live alert whose group has no scores at all any more is judged too (and clears for lack of evidence).
  for (const key of frozen.keys()) {
    if (groups.has(key)) continue;
    const values = JSON.parse(key) as (string | null)[];
    const labels: Labels = Object.fromEntries(dims.map((d, i) => [d, values[i] ?? null]));
    labels[SCORE_LABEL] = values[dims.length] ?? null;
    groups.set(key, { labels, window: EMPTY_SUMS, baseline: EMPTY_SUMS });
  }
  return [...groups].map(([groupKey, g]) => {
    const held = frozen.get(groupKey);
    const kind = booleans.has(g.labels[SCORE_LABEL] ?? '') ? 'boolean' : 'number';
    return { groupKey, ...judgeScoreDrop(g.labels, g.window, held ? sumsOfBaseline(held) : g.baseline, rule, kind) };
  });
}
