// A trace's outline and one span in full on ClickHouse (see ../trace-detail-store.ts), found as
// readTrace finds a trace; the outline leaves attributes, input and output unread.

import type { Span } from '../../model/span.js';
import { OUTLINE_FIELDS, type TraceOutline } from '../trace-detail-store.js';
import { spanFromRow } from '../span-row.js';
import { SPAN_SELECT } from './span-rows.js';
import { str } from './sql.js';
import { readTraceRows, type TraceTables } from './trace-queries.js';
import type { Connection } from './connection.js';

const OUTLINE_SELECT = OUTLINE_FIELDS.map((f) => (f === 'has_content' ? '(isNotNull(input) OR isNotNull(output)) AS has_content' : f)).join(', ');

/** Columns ClickHouse's JSON output writes as strings (64-bit integers) or 0/1 (booleans). */
const INTEGERS = new Set(['timestamp', 'tokens_input', 'tokens_output']);

export async function readTraceOutline(conn: Connection, t: TraceTables, project: string, traceId: string, hint?: { around?: number }): Promise<TraceOutline> {
  const rows = await readTraceRows(conn, t, OUTLINE_SELECT, project, traceId, hint);
  const values = rows.map((r) =>
    OUTLINE_FIELDS.map((f) => {
      const v = r[f];
      if (f === 'has_content') return Number(v) === 1;
      if (f === 'latency_ms' || INTEGERS.has(f)) return Number(v);
      if (f === 'cost_usd' && v !== null) return Number(v);
      return v;
    }),
  );
  return { count: rows.length, start: rows.length === 0 ? null : Number(rows[0]!.timestamp), rows: JSON.stringify(values) };
}

export async function readSpan(conn: Connection, t: TraceTables, project: string, traceId: string, spanId: string, hint?: { around?: number }): Promise<Span | null> {
  const rows = await readTraceRows(conn, t, SPAN_SELECT, project, traceId, hint, ` AND span_id = ${str(spanId)}`);
  return rows.length === 0 ? null : spanFromRow(rows[0]!);
}
