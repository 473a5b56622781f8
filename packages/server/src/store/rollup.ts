// Turns a batch of spans into rollup delta rows (one per bucket × dimension key), shared by every
// backend: stores write these next to the raw spans (DuckDB: from an in-memory accumulator, see
// duckdb/rollup-buffer.ts), and readers sum them.
// Several delta rows may exist for one key; every figure is a sum, so merging them is optional.

import type { Span } from '../model/span.js';
import { emptyFigures, type Figures } from './figures.js';
import { bucketIndex } from './latency-sketch.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** One rollup delta: the figures of the spans of one bucket that share every dimension value. */
export interface RollupDelta extends Figures {
  project: string;
  /** Bucket start, ms. */
  bucket: number;
  agent_id: string;
  model: string | null;
  decision_made: string | null;
  span_type: string;
  provider: string | null;
}

/** Start of the bucket of width bucketMs holding ts. */
export function floorToBucket(ts: number, bucketMs: number): number {
  return Math.floor(ts / bucketMs) * bucketMs;
}

/** A span counts as an error when it carries an error type or message. */
export function isErrorSpan(span: Span): boolean {
  return span.error_type !== null || span.error_message !== null;
}

/**
 * Aggregates spans into one delta per (project, bucket, agent, model, decision, span_type, provider).
 * @example rollupDeltas(spans, MINUTE_MS) // → rows for rollup_minute
 */
export function rollupDeltas(spans: readonly Span[], bucketMs: number): RollupDelta[] {
  const byKey = new Map<string, RollupDelta>();
  accumulateDeltas(byKey, spans, bucketMs);
  return [...byKey.values()];
}

/**
 * Adds spans into `byKey` (rollup key → running delta), creating rows for new keys. Lets a
 * backend accumulate several batches in memory and write one delta row per key later.
 */
export function accumulateDeltas(byKey: Map<string, RollupDelta>, spans: readonly Span[], bucketMs: number): void {
  for (const s of spans) {
    const bucket = floorToBucket(s.timestamp, bucketMs);
    // \u0000 cannot be confused with content; null and '' must stay distinct keys.
    const key = [s.project, bucket, s.agent_id, s.model, s.decision_made, s.span_type, s.provider]
      .map((v) => (v === null ? '\u0001' : String(v)))
      .join('\u0000');
    let row = byKey.get(key);
    if (row === undefined) {
      row = {
        project: s.project,
        bucket,
        agent_id: s.agent_id,
        model: s.model,
        decision_made: s.decision_made,
        span_type: s.span_type,
        provider: s.provider,
        ...emptyFigures(),
      };
      byKey.set(key, row);
    }
    addSpan(row, s);
  }
}

/** Adds one span to figures (the one place a span becomes figures). */
export function addSpan(row: Figures, s: Span): void {
  row.count++;
  if (isErrorSpan(s)) row.errors++;
  row.latency_sum += s.latency_ms;
  row.tokens_input += s.tokens_input;
  row.tokens_output += s.tokens_output;
  row.tokens_cache_read += s.tokens_cache_read;
  row.tokens_cache_write += s.tokens_cache_write;
  row.tokens_reasoning += s.tokens_reasoning;
  row.cost_usd += s.cost_usd ?? 0;
  if (s.confidence !== null) {
    row.confidence_sum += s.confidence;
    row.confidence_count++;
  }
  row.latency_hist[bucketIndex(s.latency_ms)]!++;
}
