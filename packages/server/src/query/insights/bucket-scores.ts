// Scores every bucket × group of a metric against its baseline buckets: shared by regression
// detection and correlated anomalies.

import { LATENCY_BUCKETS, type RollupRow } from '../../store/store.js';
import { addRow, emptyTotals, metricValue, type Metric, type Totals } from '../aggregate.js';
import { histogramTotal } from '../../store/latency-sketch.js';
import { meanBand, quantileBand, rateBand, type Band } from './baseline-band.js';

/** Metrics with a baseline band. */
export const BAND_METRICS = [
  'error_rate',
  'latency_p50',
  'latency_p95',
  'latency_p99',
  'latency_avg',
  'cost_per_call',
  'tokens_per_call',
  'confidence_avg',
] as const satisfies readonly Metric[];
export type BandMetric = (typeof BAND_METRICS)[number];

const QUANTILE: Partial<Record<BandMetric, number>> = { latency_p50: 0.5, latency_p95: 0.95, latency_p99: 0.99 };

export interface ScoredPoint extends Band {
  bucket: number;
  value: number | null;
  count: number;
}

/** Totals per group label, per bucket start. */
export type GroupedTotals = Map<string, Map<number, Totals>>;

/**
 * Sums rollup rows into buckets of `bucketMs`, per group (values joined by ' | ', '(none)' for null).
 * A row alone in its bucket and group (with its histogram) stands for its own totals, read only:
 * at the rows' own bucket size that is every row, and copying each into new totals with a new
 * 64-bucket histogram was a fifth of a correlation scan's analysis.
 */
export function groupTotals(rows: readonly RollupRow[], bucketMs: number): GroupedTotals {
  const out: GroupedTotals = new Map();
  // Totals made here, which later rows may be added to; any other entry is a caller's row.
  const sums = new Set<Totals>();
  for (const r of rows) {
    const label = r.group.length === 1 ? (r.group[0] ?? '(none)') : r.group.map((v) => v ?? '(none)').join(' | ');
    let buckets = out.get(label);
    if (!buckets) out.set(label, (buckets = new Map()));
    const b = Math.floor(r.bucket / bucketMs) * bucketMs;
    let t = buckets.get(b);
    if (t === undefined && r.latency_hist.length === LATENCY_BUCKETS) {
      buckets.set(b, r);
      continue;
    }
    if (t === undefined || !sums.has(t)) {
      const first = t;
      t = emptyTotals();
      if (first !== undefined) addRow(t, first as RollupRow);
      sums.add(t);
      buckets.set(b, t);
    }
    addRow(t, r);
  }
  return out;
}

export function mergeTotals(parts: readonly (Totals | undefined)[]): Totals {
  const t = emptyTotals();
  for (const p of parts) {
    if (p === undefined) continue;
    t.count += p.count;
    t.errors += p.errors;
    t.latency_sum += p.latency_sum;
    t.tokens_input += p.tokens_input;
    t.tokens_output += p.tokens_output;
    t.tokens_cache_read += p.tokens_cache_read;
    t.cost_usd += p.cost_usd;
    t.confidence_sum += p.confidence_sum;
    t.confidence_count += p.confidence_count;
    for (let i = 0; i < t.latency_hist.length; i++) t.latency_hist[i]! += p.latency_hist[i]!;
  }
  return t;
}

/** mergeTotals(baseline) with the number of latencies in its histogram, read by every quantile band. */
export interface MergedBaseline extends Totals {
  latency_total: number;
}

/** The baseline buckets merged once, for callers that score many buckets against them. */
export function mergeBaseline(baseline: readonly (Totals | undefined)[]): MergedBaseline {
  const merged = mergeTotals(baseline);
  return { ...merged, latency_total: histogramTotal(merged.latency_hist) };
}

/**
 * The band of `current` given the totals of its baseline buckets (empty ones included as
 * undefined); `merged`, when given, is mergeBaseline(baseline).
 */
export function bandFor(metric: BandMetric, current: Totals, baseline: readonly (Totals | undefined)[], confidence: number, merged?: MergedBaseline): Band {
  if (metric === 'error_rate') {
    const base = merged ?? mergeTotals(baseline);
    return rateBand(current.errors, current.count, base.errors, base.count, confidence);
  }
  const q = QUANTILE[metric];
  if (q !== undefined) {
    const base = merged ?? mergeTotals(baseline);
    return quantileBand(current.latency_hist, base.latency_hist, q, confidence, merged?.latency_total);
  }
  const values = baseline.map((t) => (t === undefined ? null : metricValue(metric, t))).filter((v): v is number => v !== null);
  return meanBand(metricValue(metric, current) ?? NaN, values, confidence);
}

/**
 * Scores each bucket in `buckets` of one group; `baselineOf(b)` names the baseline buckets of b.
 * Buckets with fewer than `minCount` spans get status 'no_baseline'.
 */
export function scoreGroup(
  metric: BandMetric,
  totals: Map<number, Totals>,
  buckets: readonly number[],
  baselineOf: (bucket: number) => number[],
  opts: { confidence: number; minCount: number },
): ScoredPoint[] {
  return buckets.map((bucket) => {
    const current = totals.get(bucket) ?? emptyTotals();
    const value = metricValue(metric, current);
    const band =
      current.count < opts.minCount || value === null
        ? { expected: null, low: null, high: null, sigma: null, status: 'no_baseline' as const, method: bandFor(metric, emptyTotals(), [], 0.95).method, p: null }
        : bandFor(metric, current, baselineOf(bucket).map((b) => totals.get(b)), opts.confidence);
    return { bucket, value, count: current.count, ...band };
  });
}

/** Metrics where a higher value is worse (latency, errors, cost, tokens); lower confidence is worse. */
export function worseDirection(metric: BandMetric): 'above' | 'below' {
  return metric === 'confidence_avg' ? 'below' : 'above';
}
