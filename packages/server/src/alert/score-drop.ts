// The built-in "score below baseline" rule, per agent × score name: the mean of a score over the
// last window against the same agent's mean over the day before it. It fires when the drop is
// both significant (Welch's one-sided t-test) and large (a fraction of the baseline's spread), so
// a tiny shift over thousands of scores stays quiet. Scores come from store.scoreRollup (5-minute
// buckets), the statistics from query/insights/score-stats.ts. Measured by the alerts benchmark
// (bench/score-drop-bench.ts). It is evaluated on its own (evaluateScoreDrops), not yet by the
// alert engine's tick: see alert/README.md.

import { addSums, EMPTY_SUMS, meanEstimate, welchTest, type ScoreSums } from '../query/insights/score-stats.js';
import type { ScoreRollupRow } from '../store/score-store.js';
import type { Store } from '../store/store.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface ScoreDropRule {
  id: string;
  windowMs: number;
  baselineMs: number;
  /** One-sided p of "the window's mean is lower" at most this. */
  maxPValue: number;
  /** And the drop at least this many baseline standard deviations. */
  minDropSd: number;
  /** Numeric scores the window needs before it is judged. */
  minSamples: number;
  minBaselineSamples: number;
  /** Consecutive clear evaluations before a firing group resolves. */
  clearEvaluations: number;
}

/**
 * Defaults the benchmark measured (bench/score-drop-bench.ts, 10 agent × score groups at 3 scores a
 * minute, evaluated every 5 min for a simulated week): at half a baseline σ, hourly drifts of the
 * mean (user mix, topics) raised 19 false alerts a week; at 0.75 σ none, while every drop of
 * 0.75 σ and more (the documented minimum) was found. p ≤ 1e-4 keeps small windows quiet.
 */
export const SCORE_DROP_RULE: Readonly<ScoreDropRule> = Object.freeze({
  id: 'builtin.score_below_baseline',
  windowMs: 30 * MINUTE,
  baselineMs: DAY,
  maxPValue: 1e-4,
  minDropSd: 0.75,
  minSamples: 20,
  minBaselineSamples: 100,
  clearEvaluations: 2,
});

/** Bucket width of the rollup the rule reads; window and baseline are multiples of it. */
export const SCORE_DROP_BUCKET_MS = 5 * MINUTE;

export interface ScoreDropJudgement {
  agent: string | null;
  name: string;
  firing: boolean;
  mean: number;
  expected: number;
  /** One-sided p of the drop. */
  p: number;
  n: number;
  baselineN: number;
  /** What a person reads, with numbers. */
  text: string;
}

/** Judges one group's window against its baseline. */
export function judgeScoreDrop(agent: string | null, name: string, window: ScoreSums, baseline: ScoreSums, rule: ScoreDropRule = SCORE_DROP_RULE): ScoreDropJudgement {
  const now = meanEstimate(window);
  const base = meanEstimate(baseline);
  const test = welchTest(window, baseline);
  const judged = window.n >= rule.minSamples && baseline.n >= rule.minBaselineSamples;
  const drop = base.mean - now.mean;
  const firing = judged && test.pLower <= rule.maxPValue && drop >= rule.minDropSd * Math.sqrt(base.variance);
  const p = test.pLower;
  const text =
    `${name} of agent ${agent ?? '(unknown)'} ${drop > 0 ? 'fell' : 'is'} ${fmt(base.mean)} → ${fmt(now.mean)} ` +
    `over the last ${rule.windowMs / MINUTE} min (${window.n} scores against ${baseline.n} in the ${rule.baselineMs / 3_600_000} h before; ` +
    `${p < 0.001 ? 'p<0.001' : `p=${p.toFixed(3)}`})`;
  return { agent, name, firing, mean: now.mean, expected: base.mean, p, n: window.n, baselineN: baseline.n, text };
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');

/**
 * Judges every agent × score name at `now` from 5-minute rollup rows grouped by [agent, name]
 * that cover [now − window − baseline, now): the window is the last `windowMs`, the baseline the
 * `baselineMs` before it. `now` is floored to a bucket.
 */
export function judgeScoreDrops(rows: readonly ScoreRollupRow[], now: number, rule: ScoreDropRule = SCORE_DROP_RULE): ScoreDropJudgement[] {
  const end = Math.floor(now / SCORE_DROP_BUCKET_MS) * SCORE_DROP_BUCKET_MS;
  const windowFrom = end - rule.windowMs;
  const baselineFrom = windowFrom - rule.baselineMs;
  const groups = new Map<string, { agent: string | null; name: string; window: ScoreSums; baseline: ScoreSums }>();
  for (const r of rows) {
    if (r.bucket < baselineFrom || r.bucket >= end) continue;
    const [agent = null, name = null] = r.group;
    if (name === null) continue;
    const key = JSON.stringify([agent, name]);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { agent, name, window: EMPTY_SUMS, baseline: EMPTY_SUMS }));
    const sums = { n: r.value_count, sum: r.value_sum, sumSq: r.value_sq_sum };
    if (r.bucket >= windowFrom) g.window = addSums(g.window, sums);
    else g.baseline = addSums(g.baseline, sums);
  }
  return [...groups.values()].map((g) => judgeScoreDrop(g.agent, g.name, g.window, g.baseline, rule));
}

/**
 * Reads a project's scores and judges every agent × score name at `now`.
 * @example const firing = (await evaluateScoreDrops(store, 'default', Date.now())).filter((j) => j.firing);
 */
export async function evaluateScoreDrops(store: Store, project: string, now: number, rule: ScoreDropRule = SCORE_DROP_RULE): Promise<ScoreDropJudgement[]> {
  const end = Math.floor(now / SCORE_DROP_BUCKET_MS) * SCORE_DROP_BUCKET_MS;
  const rows = await store.scoreRollup({
    project, from: end - rule.windowMs - rule.baselineMs, to: end, bucketMs: SCORE_DROP_BUCKET_MS, groupBy: ['agent', 'name'], filter: {},
  });
  return judgeScoreDrops(rows, now, rule);
}
