// A stored span row back to a Span: the one mapping both backends use. Numbers may arrive as
// numbers (DuckDB) or as strings and bigints (ClickHouse's 64-bit integers in JSON); attributes
// travel as JSON text.

import type { CostSource, Span, SpanType } from '../model/span.js';

/** A row as a backend's client returns it, by column name. */
export type SpanRowValues = Record<string, unknown>;

const numberOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function spanFromRow(r: SpanRowValues): Span {
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
    cost_usd: numberOrNull(r.cost_usd),
    cost_source: r.cost_source as CostSource,
    decision_made: r.decision_made as string | null,
    confidence: numberOrNull(r.confidence),
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
