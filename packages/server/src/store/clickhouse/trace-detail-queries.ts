// A trace's outline and one span in full on ClickHouse (see ../trace-detail-store.ts), found as
// readTrace finds a trace; the outline leaves attributes, input and output unread.

import type { CostSource, Span, SpanType } from '../../model/span.js';
import type { SpanOutline } from '../trace-detail-store.js';
import { SPAN_SELECT, rowSpan } from './span-rows.js';
import { str } from './sql.js';
import { readTraceRows, type TraceTables } from './trace-queries.js';
import type { Connection } from './connection.js';

const OUTLINE_SELECT = `timestamp, agent_id, trace_id, span_id, parent_span_id, span_type, name, model, provider,
  tokens_input, tokens_output, tokens_cache_read, tokens_cache_write, tokens_reasoning, latency_ms, cost_usd, cost_source,
  decision_made, confidence, error_type, error_message, session_id, user_id,
  (isNotNull(input) OR isNotNull(output)) AS has_content`;

const num = (v: unknown): number | null => (v === null ? null : Number(v));

export async function readTraceOutline(conn: Connection, t: TraceTables, project: string, traceId: string, hint?: { around?: number }): Promise<SpanOutline[]> {
  const rows = await readTraceRows(conn, t, OUTLINE_SELECT, project, traceId, hint);
  return rows.map((r) => ({
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
    cost_usd: num(r.cost_usd),
    cost_source: r.cost_source as CostSource,
    decision_made: r.decision_made as string | null,
    confidence: num(r.confidence),
    error_type: r.error_type as string | null,
    error_message: r.error_message as string | null,
    session_id: r.session_id as string | null,
    user_id: r.user_id as string | null,
    has_content: Number(r.has_content) === 1,
  }));
}

export async function readSpan(conn: Connection, t: TraceTables, project: string, traceId: string, spanId: string, hint?: { around?: number }): Promise<Span | null> {
  const rows = await readTraceRows(conn, t, SPAN_SELECT, project, traceId, hint, ` AND span_id = ${str(spanId)}`);
  return rows.length === 0 ? null : rowSpan(rows[0]!);
}
