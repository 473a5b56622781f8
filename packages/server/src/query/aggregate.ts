// The metrics users ask for, from figures (store/figures.ts: the sums, merged there).

import type { Figures } from '../store/figures.js';
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

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** A metric's value for some totals; null where it is undefined (no spans for a ratio). */
export function metricValue(metric: Metric, t: Figures): number | null {
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
