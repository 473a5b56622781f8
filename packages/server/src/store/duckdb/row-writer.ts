// Writes spans and rollup deltas through a DuckDB appender, column by column in table order
// (see schema.ts). Runs inside the store worker: the appender blocks the thread that calls it.

import { BIGINT, DOUBLE, DuckDBDataChunk, INTEGER, VARCHAR } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { LATENCY_BUCKETS } from '../store.js';
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

/** One span row; `seq` is the append batch's number (see duckdb-engine.ts). */
export function appendSpan(a: DuckDBAppender, s: Span, seq: bigint): void {
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
  a.appendBigInt(seq);
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

/** Rollup table column types, in table order (see schema.ts). */
const ROLLUP_TYPES: DuckDBType[] = [
  VARCHAR, BIGINT, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR,
  BIGINT, BIGINT, DOUBLE, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, DOUBLE, DOUBLE, BIGINT,
  ...Array.from({ length: LATENCY_BUCKETS }, () => INTEGER),
];

/** Rows per data chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;

/**
 * Appends rollup deltas column-wise, one data chunk per 2,048 rows. Row by row, 82 values per
 * row cost one native call each (~12 µs a row); filled column vectors cost a fraction of that.
 */
export function appendRollupDeltaChunks(a: DuckDBAppender, rows: readonly RollupDelta[]): void {
  const big = (v: number): bigint => BigInt(Math.round(v));
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    const slice = rows.slice(start, start + CHUNK_ROWS);
    const columns: DuckDBValue[][] = [
      slice.map((r) => r.project),
      slice.map((r) => big(r.bucket)),
      slice.map((r) => r.agent_id),
      slice.map((r) => r.model),
      slice.map((r) => r.decision_made),
      slice.map((r) => r.span_type),
      slice.map((r) => r.provider),
      slice.map((r) => big(r.count)),
      slice.map((r) => big(r.errors)),
      slice.map((r) => r.latency_sum),
      slice.map((r) => big(r.tokens_input)),
      slice.map((r) => big(r.tokens_output)),
      slice.map((r) => big(r.tokens_cache_read)),
      slice.map((r) => big(r.tokens_cache_write)),
      slice.map((r) => big(r.tokens_reasoning)),
      slice.map((r) => r.cost_usd),
      slice.map((r) => r.confidence_sum),
      slice.map((r) => big(r.confidence_count)),
    ];
    for (let h = 0; h < LATENCY_BUCKETS; h++) columns.push(slice.map((r) => r.latency_hist[h]!));
    const chunk = DuckDBDataChunk.create(ROLLUP_TYPES, slice.length);
    chunk.setColumns(columns);
    a.appendDataChunk(chunk);
  }
}
