// Writes spans and rollup deltas through a DuckDB appender, column by column in table order
// (see schema.ts). Runs inside the store worker: the appender blocks the thread that calls it.

import type { DuckDBAppender } from '@duckdb/node-api';
import type { Span } from '../../model/span.js';
import type { RollupDelta } from '../rollup.js';

function appendText(a: DuckDBAppender, v: string | null): void {
  if (v === null) a.appendNull();
  else a.appendVarchar(v);
}

function appendDoubleOrNull(a: DuckDBAppender, v: number | null): void {
  if (v === null) a.appendNull();
  else a.appendDouble(v);
}

function appendInt64(a: DuckDBAppender, v: number): void {
  a.appendBigInt(BigInt(Math.round(v)));
}

export function appendSpan(a: DuckDBAppender, s: Span): void {
  a.appendVarchar(s.project);
  appendInt64(a, s.timestamp);
  a.appendVarchar(s.agent_id);
  a.appendVarchar(s.trace_id);
  a.appendVarchar(s.span_id);
  appendText(a, s.parent_span_id);
  a.appendVarchar(s.span_type);
  appendText(a, s.name);
  appendText(a, s.model);
  appendText(a, s.provider);
  appendInt64(a, s.tokens_input);
  appendInt64(a, s.tokens_output);
  appendInt64(a, s.tokens_cache_read);
  appendInt64(a, s.tokens_cache_write);
  appendInt64(a, s.tokens_reasoning);
  a.appendDouble(s.latency_ms);
  appendDoubleOrNull(a, s.cost_usd);
  a.appendVarchar(s.cost_source);
  appendText(a, s.decision_made);
  appendDoubleOrNull(a, s.confidence);
  appendText(a, s.error_type);
  appendText(a, s.error_message);
  appendText(a, s.session_id);
  appendText(a, s.user_id);
  a.appendVarchar(JSON.stringify(s.attributes));
  appendText(a, s.input);
  appendText(a, s.output);
  appendInt64(a, s.ingested_at);
  a.endRow();
}

export function appendRollupDelta(a: DuckDBAppender, r: RollupDelta): void {
  a.appendVarchar(r.project);
  appendInt64(a, r.bucket);
  a.appendVarchar(r.agent_id);
  appendText(a, r.model);
  appendText(a, r.decision_made);
  a.appendVarchar(r.span_type);
  appendText(a, r.provider);
  appendInt64(a, r.count);
  appendInt64(a, r.errors);
  a.appendDouble(r.latency_sum);
  appendInt64(a, r.tokens_input);
  appendInt64(a, r.tokens_output);
  appendInt64(a, r.tokens_cache_read);
  appendInt64(a, r.tokens_cache_write);
  appendInt64(a, r.tokens_reasoning);
  a.appendDouble(r.cost_usd);
  a.appendDouble(r.confidence_sum);
  appendInt64(a, r.confidence_count);
  for (const c of r.latency_hist) a.appendInteger(c);
  a.endRow();
}
