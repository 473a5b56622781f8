// Score insights (GET /api/insights/scores): one score name, of one agent or all, in a window
// against its baseline. Says whether the mean drifted (Welch's t-test), how each decision and each
// model scores against the rest of the window (intervals, p and Benjamini–Hochberg q), and which
// decision or model explains a drop: the change of the mean split into each group's share
// (its weight now × its change of mean, plus its change of weight × how far its baseline mean sat
// from the overall one), so a decision that got worse and one that got more frequent are both seen.
// Cohorts: each attribute value of the judged traces (Store.scoreCohorts), each decision and each
// model whose scores in the window differ from the rest's, with the cohort's 95 % interval, Welch's
// p, Benjamini–Hochberg q over every cohort tested, and a sentence.

import type { ScoreDimension, ScoreRollupRow } from '../../store/score-store.js';
import type { Store } from '../../store/store.js';
import { addSums, EMPTY_SUMS, meanEstimate, welchTest, type MeanEstimate, type MeanTest, type ScoreSums } from './score-stats.js';
import { formatCount, formatMetric, formatPct } from '@sightline/api';
import { formatP } from './sentences.js';
import { benjaminiHochberg } from './stats.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;

export interface ScoreInsightRequest {
  project: string;
  /** The score name, e.g. "helpfulness". */
  name: string;
  agent?: string;
  from: number;
  to: number;
  /** The baseline window, usually the week before `from`. */
  baselineFrom: number;
  baselineTo: number;
  confidence?: number;
  /** Cohorts (and their rests) with fewer numeric scores are not tested; default 10. */
  minCohort?: number;
}

/** A group of scores in the window (an attribute value, a decision or a model) against the rest of the window. */
export interface ScoreCohort {
  dimension: 'attribute' | 'decision' | 'model';
  /** The attribute key; "decision" or "model" for those. */
  key: string;
  /** null: scores whose trace had no decision (or no model). */
  value: string | null;
  /** The cohort's mean and its interval (`confidence`, 95 % by default). */
  current: MeanEstimate;
  rest: MeanEstimate;
  /** Cohort against rest (diff = cohort − rest). */
  test: MeanTest;
  /** Benjamini–Hochberg adjusted p over every cohort of the report. */
  q: number;
  /** What a person reads, with numbers. */
  sentence: string;
}

export interface ScoreGroup {
  dimension: 'decision' | 'model';
  /** null: scores whose trace had no decision (or no model), or whose trace is unknown. */
  value: string | null;
  current: MeanEstimate;
  /** The rest of the window (every other value of the dimension). */
  rest: MeanEstimate;
  /** This group against the rest. */
  test: MeanTest;
  /** Benjamini–Hochberg adjusted p over the dimension's groups. */
  q: number;
  baseline: MeanEstimate;
  /** Share of the window's scores, and of the baseline's. */
  weight: number;
  baselineWeight: number;
  /** This group's part of the change of the overall mean (they add up to the change). */
  contribution: number;
}

export interface ScoreInsightReport {
  name: string;
  agent: string | null;
  from: number;
  to: number;
  baseline_from: number;
  baseline_to: number;
  current: MeanEstimate;
  baseline: MeanEstimate;
  /** The window against the baseline. */
  drift: MeanTest;
  by_decision: ScoreGroup[];
  by_model: ScoreGroup[];
  /** The group whose contribution is the largest part of a drop (null without a drop). */
  explanation: { dimension: 'decision' | 'model'; value: string | null; contribution: number; share_of_drop: number } | null;
  /** Cohorts whose mean differs from the rest, most significant first (lowest q, then largest difference). */
  cohorts: ScoreCohort[];
  /** What a person reads first, with numbers. */
  summary: string;
}

const sumsOf = (r: ScoreRollupRow): ScoreSums => ({ n: r.value_count, sum: r.value_sum, sumSq: r.value_sq_sum });

/** Sums per group value (the rows' first group element) over all buckets. */
function byValue(rows: ScoreRollupRow[]): Map<string | null, ScoreSums> {
  const out = new Map<string | null, ScoreSums>();
  for (const r of rows) {
    const key = r.group[0] ?? null;
    out.set(key, addSums(out.get(key) ?? EMPTY_SUMS, sumsOf(r)));
  }
  return out;
}

const total = (m: Map<string | null, ScoreSums>) => [...m.values()].reduce(addSums, EMPTY_SUMS);

function groups(
  dimension: 'decision' | 'model',
  now: Map<string | null, ScoreSums>,
  base: Map<string | null, ScoreSums>,
  confidence: number,
): ScoreGroup[] {
  const all = total(now);
  const allBase = total(base);
  const baseMean = allBase.n > 0 ? allBase.sum / allBase.n : 0;
  const values = [...new Set([...now.keys(), ...base.keys()])];
  const rows = values.map((value) => {
    const cur = now.get(value) ?? EMPTY_SUMS;
    const rest = { n: all.n - cur.n, sum: all.sum - cur.sum, sumSq: all.sumSq - cur.sumSq };
    const b = base.get(value) ?? EMPTY_SUMS;
    const weight = all.n > 0 ? cur.n / all.n : 0;
    const baselineWeight = allBase.n > 0 ? b.n / allBase.n : 0;
    const curMean = cur.n > 0 ? cur.sum / cur.n : 0;
    const bMean = b.n > 0 ? b.sum / b.n : curMean;
    // Within-group change weighted now, plus the mix change valued at the group's baseline gap.
    // Without a baseline there is no change to split.
    const contribution = allBase.n === 0 ? 0 : weight * (curMean - bMean) + (weight - baselineWeight) * (bMean - baseMean);
    return { dimension, value, current: meanEstimate(cur, confidence), rest: meanEstimate(rest, confidence), test: welchTest(cur, rest), q: 1, baseline: meanEstimate(b, confidence), weight, baselineWeight, contribution };
  });
  const q = benjaminiHochberg(rows.map((r) => r.test.p));
  rows.forEach((r, i) => (r.q = q[i]!));
  return rows.sort((a, b) => a.contribution - b.contribution || String(a.value).localeCompare(String(b.value)));
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');

const restOf = (all: ScoreSums, part: ScoreSums): ScoreSums => ({ n: all.n - part.n, sum: all.sum - part.sum, sumSq: all.sumSq - part.sumSq });

/** "helpfulness of tier = free averages 0.40 (95 % interval 0.35–0.45, 20 scores) against 0.80 for the rest (40 scores): −0.40, p<0.001, q<0.001" */
export function cohortSentence(name: string, c: Omit<ScoreCohort, 'sentence'>, confidence: number): string {
  const who = c.dimension === 'attribute' ? `${c.key} = ${c.value ?? '(none)'}` : `${c.dimension} ${c.value ?? '(none)'}`;
  const m = (x: number) => formatMetric('score_mean', x);
  const diff = c.test.diff;
  const signed = `${diff < 0 ? '−' : '+'}${m(Math.abs(diff))}`;
  return `${name} of ${who} averages ${m(c.current.mean)} (${Math.round(confidence * 100)} % interval ${m(c.current.low)}–${m(c.current.high)}, ${formatCount(c.current.n)} scores) ` +
    `against ${m(c.rest.mean)} for the rest (${formatCount(c.rest.n)} scores): ${signed}, ${formatP(c.test.p)}, ${formatP(c.q).replace(/^p/, 'q')}`;
}

/** Every cohort with enough scores on both sides, compared with its rest; q over all of them. */
function scoreCohorts(
  name: string,
  attributes: { total: ScoreSums; rows: { key: string; value: string; sums: ScoreSums }[] },
  window: { decision: Map<string | null, ScoreSums>; model: Map<string | null, ScoreSums> },
  confidence: number,
  min: number,
): ScoreCohort[] {
  const tested: Omit<ScoreCohort, 'sentence'>[] = [];
  const add = (dimension: ScoreCohort['dimension'], key: string, value: string | null, part: ScoreSums, all: ScoreSums) => {
    const rest = restOf(all, part);
    if (part.n < min || rest.n < min) return;
    tested.push({ dimension, key, value, current: meanEstimate(part, confidence), rest: meanEstimate(rest, confidence), test: welchTest(part, rest), q: 1 });
  };
  for (const r of attributes.rows) add('attribute', r.key, r.value, r.sums, attributes.total);
  for (const dimension of ['decision', 'model'] as const) {
    const groups = window[dimension];
    const all = total(groups);
    for (const [value, sums] of groups) add(dimension, dimension, value, sums, all);
  }
  const q = benjaminiHochberg(tested.map((c) => c.test.p));
  tested.forEach((c, i) => (c.q = q[i]!));
  return tested
    .map((c) => ({ ...c, sentence: cohortSentence(name, c, confidence) }))
    .sort((a, b) => a.q - b.q || Math.abs(b.test.diff) - Math.abs(a.test.diff) || a.key.localeCompare(b.key) || String(a.value).localeCompare(String(b.value)));
}

/**
 * @example await scoreInsight(store, { project: 'default', name: 'helpfulness', agent: 'support', from, to, baselineFrom: from - 7 * DAY, baselineTo: from })
 */
export async function scoreInsight(store: Store, req: ScoreInsightRequest): Promise<ScoreInsightReport> {
  const confidence = req.confidence ?? 0.95;
  const filter = { name: req.name, ...(req.agent === undefined ? {} : { agent: req.agent }) };
  const read = (groupBy: ScoreDimension[], from: number, to: number, bucketMs: number) => store.scoreRollup({ project: req.project, from, to, bucketMs, groupBy, filter });
  const windowBucket = req.from % HOUR === 0 && req.to % HOUR === 0 ? HOUR : MINUTE;
  const baseBucket = req.baselineFrom % HOUR === 0 && req.baselineTo % HOUR === 0 ? HOUR : MINUTE;
  const [nowDecision, nowModel, baseDecision, baseModel, attributes] = await Promise.all([
    read(['decision'], req.from, req.to, windowBucket),
    read(['model'], req.from, req.to, windowBucket),
    read(['decision'], req.baselineFrom, req.baselineTo, baseBucket),
    read(['model'], req.baselineFrom, req.baselineTo, baseBucket),
    store.scoreCohorts({ project: req.project, from: req.from, to: req.to, name: req.name, ...(req.agent === undefined ? {} : { agent: req.agent }), minCount: req.minCohort ?? 10 }),
  ]);
  const [nd, nm, bd, bm] = [byValue(nowDecision), byValue(nowModel), byValue(baseDecision), byValue(baseModel)];
  const current = total(nd);
  const baseline = total(bd);
  const drift = welchTest(current, baseline);
  const byDecision = groups('decision', nd, bd, confidence);
  const byModel = groups('model', nm, bm, confidence);
  let explanation: ScoreInsightReport['explanation'] = null;
  if (drift.diff < 0 && current.n > 0 && baseline.n > 0) {
    // A group holding every score of the window (the only decision or model) explains nothing.
    const worst = [...byDecision, ...byModel].filter((g) => g.contribution < 0 && g.weight < 1).sort((a, b) => a.contribution - b.contribution)[0];
    if (worst !== undefined) {
      explanation = { dimension: worst.dimension, value: worst.value, contribution: worst.contribution, share_of_drop: Math.min(1, worst.contribution / drift.diff) };
    }
  }
  const cur = meanEstimate(current, confidence);
  const base = meanEstimate(baseline, confidence);
  const who = req.agent === undefined ? '' : ` of agent ${req.agent}`;
  // A name keeps one kind in practice; its newest score says which (a rollup cannot). A boolean's
  // mean is its share of yes, read as a percentage.
  const [newest] = current.n === 0 ? [] : await store.listScores({ project: req.project, name: req.name, limit: 1 });
  const boolean = newest?.kind === 'boolean';
  const subject = `${req.name}${boolean ? ' (share of yes)' : ''}${who}`;
  const value = (x: number) => (boolean ? formatPct(x) : fmt(x));
  let summary: string;
  if (current.n === 0) summary = `no numeric ${req.name} scores${who} in this window`;
  else if (baseline.n === 0) summary = `${subject} averages ${value(cur.mean)} (${formatCount(cur.n)} scores); no baseline to compare with`;
  else {
    const moved = drift.diff < 0 ? 'fell' : 'rose';
    summary = `${subject} ${moved} ${value(base.mean)} → ${value(cur.mean)} (${formatCount(cur.n)} scores against ${formatCount(base.n)}, ${formatP(drift.p)})`;
    if (explanation !== null) {
      const g = [...byDecision, ...byModel].find((x) => x.dimension === explanation!.dimension && x.value === explanation!.value)!;
      const what = `${explanation.dimension} ${explanation.value ?? '(none)'}`;
      summary += `; ${what} explains ${Math.round(explanation.share_of_drop * 100)}% of the drop (${value(g.baseline.mean)} → ${value(g.current.mean)} on ${Math.round(g.weight * 100)}% of scores)`;
    }
  }
  return {
    name: req.name, agent: req.agent ?? null, from: req.from, to: req.to, baseline_from: req.baselineFrom, baseline_to: req.baselineTo,
    current: cur, baseline: base, drift, by_decision: byDecision, by_model: byModel, explanation, summary,
    cohorts: scoreCohorts(
      req.name,
      {
        total: { n: attributes.total.n, sum: attributes.total.sum, sumSq: attributes.total.sum_sq },
        rows: attributes.rows.map((r) => ({ key: r.key, value: r.value, sums: { n: r.n, sum: r.sum, sumSq: r.sum_sq } })),
      },
      { decision: nd, model: nm },
      confidence,
      req.minCohort ?? 10,
    ),
  };
}
