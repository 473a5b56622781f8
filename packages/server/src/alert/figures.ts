// From rollup rows to a rule's figures: the window value per group and the baseline statistics
// (mean and the σ of a window's value) it is judged against. Pure; no I/O.

import { metricValue } from '../query/aggregate.js';
import { addFigures, emptyFigures, type Figures } from '../store/figures.js';
import type { RollupRow } from '../store/store.js';
import type { AlertDimension, AlertMetric, AlertRule } from './rule.js';

/** Rows the engine reads are grouped by every dimension, in this order (user only in user plans). */
export const ALL_DIMENSIONS: AlertDimension[] = ['agent', 'model', 'decision', 'span_type', 'provider', 'user'];
const DIM_INDEX: Record<AlertDimension, number> = { agent: 0, model: 1, decision: 2, span_type: 3, provider: 4, user: 5 };
const FILTER_DIM: Record<Exclude<keyof AlertRule['filter'], 'has_decision'>, AlertDimension> = {
  agent: 'agent',
  model: 'model',
  decision: 'decision',
  span_type: 'span_type',
  provider: 'provider',
};

const HOUR = 3_600_000;

/** Metrics that add up over time (a window's value grows with its length); the rest are ratios or quantiles. */
const SUM_METRICS = new Set<AlertMetric>(['count', 'errors', 'cost', 'tokens', 'tokens_input', 'tokens_output']);

export type Labels = Record<string, string | null>;

export interface GroupTotals {
  key: string;
  labels: Labels;
  totals: Figures;
}

export interface BaselineStats {
  /** Pooled value over the baseline (for sums: expected per window). */
  mean: number;
  /** σ of a one-sample value (ratios, quantiles) or of a window's value (sums). */
  unitSigma: number;
  /** Spans in the baseline. */
  samples: number;
  /** Hour buckets the baseline spans. */
  hours: number;
}

export function valueOf(metric: AlertMetric, t: Figures): number | null {
  if (metric === 'token_efficiency') return t.tokens_input > 0 ? t.tokens_output / t.tokens_input : null;
  // Scores are not in span figures (score rules read their own: score-alerts.ts).
  if (metric === 'score_mean') return null;
  return metricValue(metric, t);
}

/** Quantile metrics: the only ones that read the latency histogram. */
const HISTOGRAM_METRICS = new Set<AlertMetric>(['latency_p50', 'latency_p95', 'latency_p99']);

export function needsHistogram(metric: AlertMetric): boolean {
  return HISTOGRAM_METRICS.has(metric);
}

export function isSumMetric(metric: AlertMetric): boolean {
  return SUM_METRICS.has(metric);
}

/** σ of the window's value given the baseline and the window's sample count. */
export function windowSigma(rule: AlertRule, b: BaselineStats, samples: number): number {
  if (isSumMetric(rule.metric)) return b.unitSigma;
  return samples > 0 ? b.unitSigma / Math.sqrt(samples) : Infinity;
}

/**
 * The rule's filter as (group index, wanted value) pairs; `ANY_VALUE` wants any value but null
 * (has_decision: the decision dimension is grouped by, see planReads).
 */
const ANY_VALUE = Symbol('any value');
function filterChecks(rule: AlertRule): [number, string | typeof ANY_VALUE][] {
  const checks: [number, string | typeof ANY_VALUE][] = [];
  for (const field of Object.keys(FILTER_DIM) as (keyof typeof FILTER_DIM)[]) {
    const want = rule.filter[field];
    if (want !== undefined) checks.push([DIM_INDEX[FILTER_DIM[field]], want]);
  }
  if (rule.filter.has_decision) checks.push([DIM_INDEX.decision, ANY_VALUE]);
  return checks;
}

function passes(group: readonly (string | null)[], [i, want]: [number, string | typeof ANY_VALUE]): boolean {
  return want === ANY_VALUE ? group[i] != null : group[i] === want;
}

export function groupKeyOf(rule: AlertRule, group: (string | null)[]): { key: string; labels: Labels } {
  const labels: Labels = {};
  for (const d of rule.groupBy) labels[d] = group[DIM_INDEX[d]] ?? null;
  return { key: JSON.stringify(rule.groupBy.map((d) => group[DIM_INDEX[d]] ?? null)), labels };
}

/**
 * Where rows of one group array go for one rule: the rule's group (key and labels), or null when
 * its filter leaves them out. Keyed by the array itself, so it pays off when rows share group
 * arrays (the reader interns them): then a row costs one lookup, not a key built per rule.
 */
export type GroupTargets = Map<readonly (string | null)[], { key: string; labels: Labels } | null>;

/** Sums rows matching the rule's filter, per group of its groupBy (keyed as groupKeyOf). */
export function totalsByGroup(rule: AlertRule, rows: Iterable<RollupRow>, targets: GroupTargets = new Map()): Map<string, GroupTotals> {
  const out = new Map<string, GroupTotals>();
  const checks = filterChecks(rule);
  const histogram = needsHistogram(rule.metric);
  for (const row of rows) {
    let target = targets.get(row.group);
    if (target === undefined) {
      target = checks.every((check) => passes(row.group, check)) ? groupKeyOf(rule, row.group) : null;
      targets.set(row.group, target);
    }
    if (target === null) continue;
    let g = out.get(target.key);
    if (!g) out.set(target.key, (g = { key: target.key, labels: target.labels, totals: emptyFigures(histogram) }));
    addFigures(g.totals, row);
  }
  return out;
}

/**
 * Baseline per group from hourly group totals (totalsByGroup of each hour's rows, for the hours of
 * the baseline): the pooled value, and the spread of hourly values scaled to one sample (ratios:
 * Σ nₕ(vₕ − μ)² / (H − 1), whose expectation is the per-sample variance) or to one window (sums:
 * hourly σ × √(window / hour)).
 */
export function baselineByGroup(rule: AlertRule, hourly: ReadonlyMap<number, ReadonlyMap<string, GroupTotals>>): Map<string, BaselineStats> {
  const perHour = new Map<string, Map<number, Figures>>();
  const pooled = new Map<string, Figures>();
  for (const [hour, groups] of hourly) {
    for (const g of groups.values()) {
      let hours = perHour.get(g.key);
      if (!hours) perHour.set(g.key, (hours = new Map()));
      hours.set(hour, g.totals);
      let p = pooled.get(g.key);
      if (!p) pooled.set(g.key, (p = emptyFigures()));
      addFigures(p, g.totals);
    }
  }
  const hoursSpanned = Math.max(1, Math.round(rule.baselineMs / HOUR));
  const out = new Map<string, BaselineStats>();
  for (const [key, total] of pooled) {
    const hours = perHour.get(key)!;
    const mean = valueOf(rule.metric, total);
    if (mean === null) {
      out.set(key, { mean: 0, unitSigma: 0, samples: total.count, hours: hoursSpanned });
      continue;
    }
    out.set(key, isSumMetric(rule.metric) ? sumBaseline(rule, hours, hoursSpanned, total) : ratioBaseline(rule, hours, mean, total));
  }
  return out;
}

function sumBaseline(rule: AlertRule, hours: Map<number, Figures>, spanned: number, total: Figures): BaselineStats {
  const values: number[] = [];
  for (const t of hours.values()) values.push(valueOf(rule.metric, t) ?? 0);
  // An agent idle for an hour spent nothing that hour; an end user comes and goes, so their
  // baseline is their active hours (a runaway loop is judged against a typical hour of use).
  if (!rule.groupBy.includes('user')) while (values.length < spanned) values.push(0);
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - m) ** 2, 0) / Math.max(1, values.length - 1);
  const scale = rule.windowMs / HOUR;
  return { mean: m * scale, unitSigma: Math.sqrt(variance * scale), samples: total.count, hours: values.length };
}

function ratioBaseline(rule: AlertRule, hours: Map<number, Figures>, mean: number, total: Figures): BaselineStats {
  let weighted = 0;
  let n = 0;
  for (const t of hours.values()) {
    const v = valueOf(rule.metric, t);
    if (v === null) continue;
    weighted += t.count * (v - mean) ** 2;
    n++;
  }
  let unitVariance = n > 1 ? weighted / (n - 1) : 0;
  if (rule.metric === 'error_rate') {
    // Hours with no errors make the spread zero; the binomial variance (smoothed) is the floor.
    const p = (total.errors + 1) / (total.count + 2);
    unitVariance = Math.max(unitVariance, p * (1 - p));
  }
  return { mean, unitSigma: Math.sqrt(unitVariance), samples: total.count, hours: hours.size };
}

/**
 * Chernoff bound on P(X ≥ x) for X ~ Binomial(n, p): exp(−n·KL(x/n ‖ p)). An upper bound, so a
 * small result is a safe "this many errors is not chance".
 * @example binomialTailBound(3, 9, 0.001) < 1e-6
 */
export function binomialTailBound(x: number, n: number, p: number): number {
  if (n <= 0 || x <= n * p) return 1;
  const q = Math.min(1, x / n);
  const kl = (q > 0 ? q * Math.log(q / p) : 0) + (q < 1 ? (1 - q) * Math.log((1 - q) / (1 - p)) : 0);
  return Math.exp(-n * kl);
}
