// A trace's outline and one span in full, for the trace viewer (see ../trace-detail-store.ts). The
// outline leaves attributes, input and output unread: at 10,000 spans they were most of the bytes.

import type { DuckDBConnection } from '@duckdb/node-api';
import type { CostSource, Span, SpanType } from '../../model/span.js';
import type { SpanOutline } from '../trace-detail-store.js';
import { SPAN_SELECT, readTraceRows, toSpan, type TraceHint } from './read-queries.js';

const OUTLINE_SELECT = `timestamp, agent_id, trace_id, span_id, parent_span_id, span_type, name, model, provider,
  tokens_input, tokens_output, tokens_cache_read, tokens_cache_write, tokens_reasoning, latency_ms, cost_usd, cost_source,
  decision_made, confidence, error_type, error_message, session_id, user_id,
  (input IS NOT NULL OR output IS NOT NULL) AS has_content`;

type Window = { from: number; to: number } | null;

export async function readTraceOutline(conn: DuckDBConnection, project: string, traceId: string, hint?: TraceHint, window?: Window): Promise<SpanOutline[]> {
  const rows = await readTraceRows(conn, OUTLINE_SELECT, project, traceId, hint, window);
  return rows.map((r) => ({
    timestamp: r.timestamp as number,
    agent_id: r.agent_id as string,
    trace_id: r.trace_id as string,
    span_id: r.span_id as string,
    parent_span_id: r.parent_span_id as string | null,
    span_type: r.span_type as SpanType,
    name: r.name as string | null,
    model: r.model as string | null,
    provider: r.provider as string | null,
    tokens_input: r.tokens_input as number,
    tokens_output: r.tokens_output as number,
    tokens_cache_read: r.tokens_cache_read as number,
    tokens_cache_write: r.tokens_cache_write as number,
    tokens_reasoning: r.tokens_reasoning as number,
    latency_ms: r.latency_ms as number,
    cost_usd: r.cost_usd as number | null,
    cost_source: r.cost_source as CostSource,
    decision_made: r.decision_made as string | null,
    confidence: r.confidence as number | null,
    error_type: r.error_type as string | null,
    error_message: r.error_message as string | null,
    session_id: r.session_id as string | null,
    user_id: r.user_id as string | null,
    has_content: r.has_content as boolean,
  }));
}

export async function readSpan(conn: DuckDBConnection, project: string, traceId: string, spanId: string, hint?: TraceHint, window?: Window): Promise<Span | null> {
  const rows = await readTraceRows(conn, SPAN_SELECT, project, traceId, hint, window, ' AND span_id = ?', [spanId]);
  return rows.length === 0 ? null : toSpan(rows[0]!);
}
