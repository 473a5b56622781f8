// Prepared statements kept per reader connection, for reads a process repeats with new bounds (the
// alert engine's tick, the decision distribution): parsing and planning the same SQL text was a
// large share of those reads. Every value is a bound parameter, so the SQL text is the key.

import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBValue, DuckDBVector } from '@duckdb/node-api';

const statements = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();
/** Shapes kept per connection: a rule set has a handful (plans × minute / hour), custom rules and filters a few more. */
const MAX_STATEMENTS = 48;

/** The statement for `sql` on `conn`, prepared on first use. */
export async function prepared(conn: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  let byText = statements.get(conn);
  if (byText === undefined) statements.set(conn, (byText = new Map()));
  const hit = byText.get(sql);
  if (hit !== undefined) return hit;
  // Past the cap the oldest is dropped, not destroyed: the connection destroys the statements it
  // still tracks when it closes, and destroying one twice is not safe.
  if (byText.size >= MAX_STATEMENTS) byText.delete(byText.keys().next().value as string);
  const statement = await conn.prepare(sql);
  byText.set(sql, statement);
  return statement;
}

/**
 * Runs `sql` through its prepared statement with `params` and maps every result row with `row`,
 * which reads the chunk's column vectors directly: converting every cell to a value first
 * (getRows) was ~40% of such a read.
 */
export async function readPrepared<T>(
  conn: DuckDBConnection,
  sql: string,
  params: DuckDBValue[],
  row: (columns: readonly DuckDBVector[], r: number) => T,
): Promise<T[]> {
  const statement = await prepared(conn, sql);
  statement.bind(params);
  const result = await statement.run();
  const rows: T[] = [];
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    const columns: DuckDBVector[] = [];
    for (let i = 0; i < chunk.columnCount; i++) columns.push(chunk.getColumnVector(i));
    for (let r = 0; r < chunk.rowCount; r++) rows.push(row(columns, r));
  }
  return rows;
}
