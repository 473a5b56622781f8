// A trace's outline and one span in full, for the trace viewer (see ../trace-detail-store.ts). DuckDB
// writes the outline's JSON itself: converting 10,000 rows to JavaScript values value by value cost
// 2–3× the query, and the rows then had to cross to the main thread and be stringified again.
// The rows are joined as text (string_agg), not as a list passed to to_json(), which parsed every
// row's JSON again to write it out: the same bytes in ~0.5× the time (10,000 spans: 15–25 ms, was 25–80 ms).

import type { DuckDBConnection } from '@duckdb/node-api';
import type { Span } from '../../model/span.js';
import { OUTLINE_FIELDS, type TraceJson, type TraceOutline } from '../trace-detail-store.js';
import { spanFromRow } from '../span-row.js';
import { SPAN_SELECT, queryRows, readTraceRows, traceRange, type TraceHint } from './read-queries.js';
import { SPAN_COLUMNS } from './schema.js';

const OUTLINE_ROW = `json_array(${OUTLINE_FIELDS.map((f) => (f === 'has_content' ? '(input IS NOT NULL OR output IS NOT NULL)' : `"${f}"`)).join(', ')})`;

type Window = { from: number; to: number } | null;

/**
 * A span as getTrace's Span, written by DuckDB: the columns under their own names, in table order
 * (spanFromRow's), attributes as the JSON they are stored as.
 */
const SPAN_OBJECT = `json_object(${SPAN_COLUMNS.map(([n]) => `'${n}', ${n === 'attributes' ? 'json(attributes)' : `"${n}"`}`).join(', ')})`;

/**
 * The one row of `sql` (an aggregate over a trace's spans, `n` its count): from the spans near the
 * hint or in the indexed window first, from all of the project's spans when none is there.
 */
async function aggregateTrace(conn: DuckDBConnection, sql: string, project: string, traceId: string, hint?: TraceHint, window?: Window): Promise<Record<string, unknown>> {
  const range = traceRange(hint, window);
  if (range !== null) {
    const near = (await queryRows(conn, `${sql} AND timestamp BETWEEN ? AND ?`, [project, traceId, BigInt(range[0]), BigInt(range[1])]))[0]!;
    if ((near.n as number) > 0) return near;
  }
  return (await queryRows(conn, sql, [project, traceId]))[0]!;
}

export async function readTraceOutline(conn: DuckDBConnection, project: string, traceId: string, hint?: TraceHint, window?: Window): Promise<TraceOutline> {
  const sql = `SELECT count(*) AS n, min(timestamp) AS start,
      '[' || coalesce(string_agg(${OUTLINE_ROW}::VARCHAR, ',' ORDER BY timestamp, span_id), '') || ']' AS rows
    FROM spans WHERE project = ? AND trace_id = ?`;
  const r = await aggregateTrace(conn, sql, project, traceId, hint, window);
  return { count: r.n as number, start: (r.start ?? null) as number | null, rows: r.rows as string };
}

/**
 * Every span of a trace in full as JSON text DuckDB writes, as the outline is written: 10,000 spans
 * read value by value into objects, cloned to the main thread and stringified there cost ~2–4× this.
 */
export async function readTraceJson(conn: DuckDBConnection, project: string, traceId: string, hint?: TraceHint, window?: Window): Promise<TraceJson> {
  const sql = `SELECT count(*) AS n,
      '[' || coalesce(string_agg(${SPAN_OBJECT}::VARCHAR, ',' ORDER BY timestamp, span_id), '') || ']' AS spans,
      '[' || coalesce(string_agg(json_array(span_id, parent_span_id)::VARCHAR, ',' ORDER BY timestamp, span_id), '') || ']' AS links
    FROM spans WHERE project = ? AND trace_id = ?`;
  const r = await aggregateTrace(conn, sql, project, traceId, hint, window);
  return { count: r.n as number, spans: r.spans as string, links: r.links as string };
}

export async function readSpan(conn: DuckDBConnection, project: string, traceId: string, spanId: string, hint?: TraceHint, window?: Window): Promise<Span | null> {
  const rows = await readTraceRows(conn, SPAN_SELECT, project, traceId, hint, window, ' AND span_id = ?', [spanId]);
  return rows.length === 0 ? null : spanFromRow(rows[0]!);
}
