// Export SQL for the DuckDB store: whole spans page by page (keyset on timestamp, trace_id,
// span_id, so pages never skip or repeat rows while new spans arrive), and Parquet files written
// by DuckDB's own COPY. Every caller-supplied value is a bound parameter.

import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Span } from '../../model/span.js';
import type { ExportCursor, ExportQuery } from '../store.js';
import { spanFromRow } from '../span-row.js';
import { SPAN_SELECT, queryRows } from './read-queries.js';

const ORDER = 'ORDER BY timestamp, trace_id, span_id';

function exportWhere(q: ExportQuery): { where: string[]; params: DuckDBValue[] } {
  const where = ['project = ?', 'timestamp >= ?', 'timestamp < ?'];
  const params: DuckDBValue[] = [q.project, BigInt(Math.floor(q.from)), BigInt(Math.ceil(q.to))];
  if (q.agent !== undefined) {
    where.push('agent_id = ?');
    params.push(q.agent);
  }
  return { where, params };
}

export async function readExportPage(conn: DuckDBConnection, q: ExportQuery, after: ExportCursor | null, limit: number): Promise<Span[]> {
  const { where, params } = exportWhere(q);
  if (after !== null) {
    where.push('(timestamp, trace_id, span_id) > (?, ?, ?)');
    params.push(BigInt(Math.floor(after.timestamp)), after.trace_id, after.span_id);
  }
  params.push(Math.max(0, Math.floor(limit)));
  const rows = await queryRows(conn, `SELECT ${SPAN_SELECT} FROM spans WHERE ${where.join(' AND ')} ${ORDER} LIMIT ?`, params);
  return rows.map(spanFromRow);
}

/** COPY … TO path (FORMAT PARQUET): the path is the server's own temp file, quoted as a literal. */
export async function writeParquet(conn: DuckDBConnection, q: ExportQuery, path: string): Promise<{ rows: number }> {
  const { where, params } = exportWhere(q);
  const literal = `'${path.replace(/'/g, "''")}'`;
  const result = await conn.run(
    `COPY (SELECT ${SPAN_SELECT} FROM spans WHERE ${where.join(' AND ')} ${ORDER}) TO ${literal} (FORMAT PARQUET, COMPRESSION ZSTD)`,
    params,
  );
  return { rows: Number(result.rowsChanged) };
}
