// Trace lookup without a time hint. Spans are stored in arrival order and trace ids are random,
// so finding one trace meant scanning every span (~60 ms at 10M). trace_index keeps each trace's
// time span, one row per trace per rollup flush, keyed by a 64-bit hash of (project, trace_id):
// scanning those integers is a few ms, and the spans are then read from the row groups whose
// timestamp zone maps overlap [first_ts, last_ts]. Written in the rollup flush's transaction,
// from the same seq range, so it is rebuilt with the rollups after a crash.

import type { DuckDBConnection } from '@duckdb/node-api';

/** md5 is stable across DuckDB versions (its hash() is not); a collision only widens the window. */
const KEY_SQL = "md5_number_lower(project || chr(0) || trace_id)";

/** Rows of trace_index for the spans matching `where`. */
export function traceIndexSelect(where: string): string {
  return `SELECT ${KEY_SQL} AS h, min(timestamp) AS first_ts, max(timestamp) AS last_ts
    FROM spans WHERE ${where} GROUP BY project, trace_id`;
}

export const TRACE_INDEX_DDL = 'CREATE TABLE trace_index (h UBIGINT NOT NULL, first_ts BIGINT NOT NULL, last_ts BIGINT NOT NULL)';

/** INSERT for spans with lo < seq ≤ hi (parameters 1 and 2). */
export const TRACE_INDEX_INSERT_SQL = `INSERT INTO trace_index ${traceIndexSelect('seq > $1 AND seq <= $2')}`;

/** The time span of a trace's flushed spans, or null when the index has none. */
export async function traceWindow(conn: DuckDBConnection, project: string, traceId: string): Promise<{ from: number; to: number } | null> {
  const reader = await conn.runAndReadAll(
    `SELECT min(first_ts), max(last_ts) FROM trace_index WHERE h = md5_number_lower($1 || chr(0) || $2)`,
    [project, traceId],
  );
  const [first, last] = reader.getRows()[0] ?? [];
  if (first === null || first === undefined || last === null || last === undefined) return null;
  return { from: Number(first), to: Number(last) };
}
