// Merging rollup rows and turning the sums into the metrics users ask for.

import type { RollupRow } from '../store/store.js';
import { LATENCY_BUCKETS } from '../store/store.js';
import { quantileFromHistogram } from '../store/latency-sketch.js';

export const METRICS = [
  'count',
  'errors',
  'error_rate',
  'latency_avg',
  'latency_p50',
  'latency_p95',
  'latency_p99',
  'cost',
  'cost_per_call',
  'tokens',
  'tokens_input',
  'tokens_output',
  'tokens_per_call',
  'confidence_avg',
] as const;

export type Metric = (typeof METRICS)[number];

/** Metrics computed from the latency histogram; the others need not read its 64 columns. */
export const QUANTILE_METRICS: ReadonlySet<Metric> = new Set(['latency_p50', 'latency_p95', 'latency_p99']);

/** Sums of any number of rollup rows. */
export interface Totals {
  count: number;
  errors: number;
  latency_sum: number;
  tokens_input: number;
  tokens_output: number;
  tokens_cache_read: number;
  cost_usd: number;
  confidence_sum: number;
  confidence_count: number;
  latency_hist: number[];
}

export function emptyTotals(): Totals {
  return {
    count: 0,
    errors: 0,
    latency_sum: 0,
    tokens_input: 0,
    tokens_output: 0,
    tokens_cache_read: 0,
    cost_usd: 0,
    confidence_sum: 0,
    confidence_count: 0,
    latency_hist: new Array<number>(LATENCY_BUCKETS).fill(0),
  };
}

export function addRow(t: Totals, r: RollupRow): void {
  t.count += r.count;
  t.errors += r.errors;
  t.latency_sum += r.latency_sum;
  t.tokens_input += r.tokens_input;
  t.tokens_output += r.tokens_output;
  t.tokens_cache_read += r.tokens_cache_read;
  t.cost_usd += r.cost_usd;
  t.confidence_sum += r.confidence_sum;
  t.confidence_count += r.confidence_count;
  // Rows read without the histogram have none to add (most alert and dashboard reads).
  for (let i = 0; i < r.latency_hist.length; i++) t.latency_hist[i]! += r.latency_hist[i]!;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** A metric's value for some totals; null where it is undefined (no spans for a ratio). */
export function metricValue(metric: Metric, t: Totals): number | null {
  switch (metric) {
    case 'count':
      return t.count;
    case 'errors':
      return t.errors;
    case 'error_rate':
      return ratio(t.errors, t.count);
    case 'latency_avg':
      return ratio(t.latency_sum, t.count);
    case 'latency_p50':
      return t.count > 0 ? quantileFromHistogram(t.latency_hist, 0.5) : null;
    case 'latency_p95':
      return t.count > 0 ? quantileFromHistogram(t.latency_hist, 0.95) : null;
    case 'latency_p99':
      return t.count > 0 ? quantileFromHistogram(t.latency_hist, 0.99) : null;
    case 'cost':
      return t.cost_usd;
    case 'cost_per_call':
      return ratio(t.cost_usd, t.count);
    case 'tokens':
      return t.tokens_input + t.tokens_output;
    case 'tokens_input':
      return t.tokens_input;
    case 'tokens_output':
      return t.tokens_output;
    case 'tokens_per_call':
      return ratio(t.tokens_input + t.tokens_output, t.count);
    case 'confidence_avg':
      return ratio(t.confidence_sum, t.confidence_count);
  }
}
