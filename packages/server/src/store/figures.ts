// The rollup figures: the eleven sums that every rollup row, rollup delta, alert window and insight
// bucket carries, and the mergeable latency histogram beside them (latency-sketch.ts). Every
// figure is a sum, so the figures of any rows merge by adding them; metrics (ratios, quantiles)
// are derived from them afterwards (src/query/aggregate.ts). The one place that names them: both
// backends' rollup columns follow FIGURE_SUMS, and store, query and alerts add them here.

import { emptyHistogram } from './latency-sketch.js';

/** The figures that add up, in the order both backends keep their rollup columns. */
export const FIGURE_SUMS = [
  'count',
  'errors',
  'latency_sum',
  'tokens_input',
  'tokens_output',
  'tokens_cache_read',
  'tokens_cache_write',
  'tokens_reasoning',
  'cost_usd',
  'confidence_sum',
  'confidence_count',
] as const;

export type FigureSum = (typeof FIGURE_SUMS)[number];

/** Sums over some spans: one rollup key's, one group's over a window, a whole range's. */
export interface Figures {
  count: number;
  /** Spans with an error type or message. */
  errors: number;
  /** Sum of latency_ms. */
  latency_sum: number;
  tokens_input: number;
  tokens_output: number;
  tokens_cache_read: number;
  tokens_cache_write: number;
  tokens_reasoning: number;
  /** Sum of cost_usd; spans without a cost add 0. */
  cost_usd: number;
  /** Sum of confidence over spans that had one, and how many had one. */
  confidence_sum: number;
  confidence_count: number;
  /** LATENCY_BUCKETS counts, mergeable by element-wise sum; empty when read without it. */
  latency_hist: number[];
}

/**
 * Figures of nothing. `histogram: false` leaves latency_hist empty, for sums whose metrics never
 * read it (merging is cheaper).
 */
export function emptyFigures(histogram = true): Figures {
  return {
    count: 0,
    errors: 0,
    latency_sum: 0,
    tokens_input: 0,
    tokens_output: 0,
    tokens_cache_read: 0,
    tokens_cache_write: 0,
    tokens_reasoning: 0,
    cost_usd: 0,
    confidence_sum: 0,
    confidence_count: 0,
    latency_hist: histogram ? emptyHistogram() : [],
  };
}

/**
 * Adds `from`'s figures into `into`; histogram counts as far as `from` has them (rows read
 * without the histogram add none). Spelled out like the addRow and mergeTotals it replaces, not
 * looped over FIGURE_SUMS: the alert tick and the correlation scan call it per row, and a loop of
 * keyed stores was not measured against it.
 */
export function addFigures(into: Figures, from: Figures): void {
  into.count += from.count;
  into.errors += from.errors;
  into.latency_sum += from.latency_sum;
  into.tokens_input += from.tokens_input;
  into.tokens_output += from.tokens_output;
  into.tokens_cache_read += from.tokens_cache_read;
  into.tokens_cache_write += from.tokens_cache_write;
  into.tokens_reasoning += from.tokens_reasoning;
  into.cost_usd += from.cost_usd;
  into.confidence_sum += from.confidence_sum;
  into.confidence_count += from.confidence_count;
  const hist = from.latency_hist;
  for (let i = 0; i < hist.length; i++) into.latency_hist[i]! += hist[i]!;
}

/** The sum of `parts` (undefined ones skipped), with a full histogram. */
export function mergeFigures(parts: readonly (Figures | undefined)[]): Figures {
  const sum = emptyFigures();
  for (const p of parts) if (p !== undefined) addFigures(sum, p);
  return sum;
}
