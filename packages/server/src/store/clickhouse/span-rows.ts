// Spans and rollup deltas to JSONEachRow rows (rows back to spans: span-row.ts). Attributes travel
// as JSON text; rollup deltas come from rollup.ts, so both backends count exactly the same figures.

import type { Span } from '../../model/span.js';
import type { RollupDelta } from '../rollup.js';
import type { Row } from './connection.js';
import { histogramColumns } from './rollup-histograms.js';
import { NULLABLE_DIMENSIONS, ROLLUP_SUMS, SPAN_COLUMNS } from './schema.js';

/** Columns read back into a Span (the store's own columns are left out). */
export const SPAN_SELECT = SPAN_COLUMNS.map(([n]) => n)
  .filter((n) => n !== 'node' && n !== 'inserted_at')
  .join(', ');

export function spanRow(s: Span, node: string, insertedAt: number): Row {
  return {
    project: s.project,
    timestamp: s.timestamp,
    agent_id: s.agent_id,
    trace_id: s.trace_id,
    span_id: s.span_id,
    parent_span_id: s.parent_span_id,
    span_type: s.span_type,
    name: s.name,
    model: s.model,
    provider: s.provider,
    tokens_input: s.tokens_input,
    tokens_output: s.tokens_output,
    tokens_cache_read: s.tokens_cache_read,
    tokens_cache_write: s.tokens_cache_write,
    tokens_reasoning: s.tokens_reasoning,
    latency_ms: s.latency_ms,
    cost_usd: s.cost_usd,
    cost_source: s.cost_source,
    decision_made: s.decision_made,
    confidence: s.confidence,
    error_type: s.error_type,
    error_message: s.error_message,
    session_id: s.session_id,
    user_id: s.user_id,
    attributes: JSON.stringify(s.attributes),
    input: s.input,
    output: s.output,
    ingested_at: s.ingested_at,
    node,
    inserted_at: insertedAt,
  };
}

/** A rollup delta as a row of rollup_minute / rollup_hour (nullable dimensions as key + flag). */
export function rollupRow(d: RollupDelta): Row {
  const row: Row = { project: d.project, bucket: d.bucket, agent_id: d.agent_id, span_type: d.span_type };
  for (const dim of NULLABLE_DIMENSIONS) {
    row[`${dim}_key`] = d[dim] ?? '';
    row[`${dim}_null`] = d[dim] === null ? 1 : 0;
  }
  for (const [c] of ROLLUP_SUMS) row[c] = d[c];
  // h0..h63 are left out: their default, 0, is what readers expect of rows written since version 4.
  return { ...row, ...histogramColumns(d.latency_hist) };
}
