// Scores every bucket × group of a metric against its baseline buckets: shared by regression
// detection and correlated anomalies.

import type { RollupRow } from '../../store/span-store.js';
import { addFigures, emptyFigures, mergeFigures, type Figures } from '../../store/figures.js';
import { histogramTotal, LATENCY_BUCKETS } from '../../store/latency-sketch.js';
import { metricValue, type Metric } from '../aggregate.js';
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

/** Figures per group label, per bucket start. */
export type GroupedTotals = Map<string, Map<number, Figures>>;

/**
 * Sums rollup rows into buckets of `bucketMs`, per group (values joined by ' | ', '(none)' for null).
 * A row alone in its bucket and group (with its histogram) stands for its own totals, read only:
 * at the rows' own bucket size that is every row, and copying each into new totals with a new
 * 64-bucket histogram was a fifth of a correlation scan's analysis.
 */
export function groupTotals(rows: readonly RollupRow[], bucketMs: number): GroupedTotals {
  const out: GroupedTotals = new Map();
  // Figures made here, which later rows may be added to; any other entry is a caller's row.
  const sums = new Set<Figures>();
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
      t = emptyFigures();
      if (first !== undefined) addFigures(t, first as RollupRow);
      sums.add(t);
      buckets.set(b, t);
    }
    addFigures(t, r);
  }
  return out;
}

/** mergeFigures(baseline) with the number of latencies in its histogram, read by every quantile band. */
export interface MergedBaseline extends Figures {
  latency_total: number;
}

/** The baseline buckets merged once, for callers that score many buckets against them. */
export function mergeBaseline(baseline: readonly (Figures | undefined)[]): MergedBaseline {
  const merged = mergeFigures(baseline);
  return { ...merged, latency_total: histogramTotal(merged.latency_hist) };
}

/**
 * The band of `current` given the totals of its baseline buckets (empty ones included as
 * undefined); `merged`, when given, is mergeBaseline(baseline).
 */
export function bandFor(metric: BandMetric, current: Figures, baseline: readonly (Figures | undefined)[], confidence: number, merged?: MergedBaseline): Band {
  if (metric === 'error_rate') {
    const base = merged ?? mergeFigures(baseline);
    return rateBand(current.errors, current.count, base.errors, base.count, confidence);
  }
  const q = QUANTILE[metric];
  if (q !== undefined) {
    const base = merged ?? mergeFigures(baseline);
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
  totals: Map<number, Figures>,
  buckets: readonly number[],
  baselineOf: (bucket: number) => number[],
  opts: { confidence: number; minCount: number },
): ScoredPoint[] {
  return buckets.map((bucket) => {
    const current = totals.get(bucket) ?? emptyFigures();
    const value = metricValue(metric, current);
    const band =
      current.count < opts.minCount || value === null
        ? { expected: null, low: null, high: null, sigma: null, status: 'no_baseline' as const, method: bandFor(metric, emptyFigures(), [], 0.95).method, p: null }
        : bandFor(metric, current, baselineOf(bucket).map((b) => totals.get(b)), opts.confidence);
    return { bucket, value, count: current.count, ...band };
  });
}

/** Metrics where a higher value is worse (latency, errors, cost, tokens); lower confidence is worse. */
export function worseDirection(metric: BandMetric): 'above' | 'below' {
  return metric === 'confidence_avg' ? 'below' : 'above';
}
