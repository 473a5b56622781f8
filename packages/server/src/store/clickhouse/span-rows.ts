// Spans and rollup deltas to JSONEachRow rows, and rows back to spans. Attributes travel as JSON
// text; rollup deltas come from rollup.ts, so both backends count exactly the same figures.

import type { CostSource, Span, SpanType } from '../../model/span.js';
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

export function rowSpan(r: Row): Span {
  return {
    project: r.project as string,
    timestamp: Number(r.timestamp),
    agent_id: r.agent_id as string,
    trace_id: r.trace_id as string,
    span_id: r.span_id as string,
    parent_span_id: r.parent_span_id as string | null,
    span_type: r.span_type as SpanType,
    name: r.name as string | null,
    model: r.model as string | null,
    provider: r.provider as string | null,
    tokens_input: Number(r.tokens_input),
    tokens_output: Number(r.tokens_output),
    tokens_cache_read: Number(r.tokens_cache_read),
    tokens_cache_write: Number(r.tokens_cache_write),
    tokens_reasoning: Number(r.tokens_reasoning),
    latency_ms: Number(r.latency_ms),
    cost_usd: r.cost_usd === null ? null : Number(r.cost_usd),
    cost_source: r.cost_source as CostSource,
    decision_made: r.decision_made as string | null,
    confidence: r.confidence === null ? null : Number(r.confidence),
    error_type: r.error_type as string | null,
    error_message: r.error_message as string | null,
    session_id: r.session_id as string | null,
    user_id: r.user_id as string | null,
    attributes: JSON.parse(r.attributes as string) as Record<string, unknown>,
    input: r.input as string | null,
    output: r.output as string | null,
    ingested_at: Number(r.ingested_at),
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
