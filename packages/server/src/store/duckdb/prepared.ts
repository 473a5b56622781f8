// Prepared statements kept per connection, for statements a process repeats with new values (the
// alert engine's tick, the decision distribution, every rollup flush): parsing and planning the
// same SQL text was a large share of each. Every value is a bound parameter, so the text is the key.

import type { DuckDBConnection, DuckDBMaterializedResult, DuckDBPreparedStatement, DuckDBType, DuckDBValue } from '@duckdb/node-api';

const statements = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();
/** Shapes kept per connection: a rule set has a handful (plans × minute / hour), custom rules and filters a few more. */
const MAX_STATEMENTS = 48;

/** The statement for `sql` on `conn`, prepared on first use. */
async function prepared(conn: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
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
 * Runs `sql` through its statement on `conn` with `params` bound; the result is read in full.
 * `types` where a value's type cannot be inferred (a list starting with null loses its values).
 */
export async function runPrepared(conn: DuckDBConnection, sql: string, params: DuckDBValue[] = [], types?: DuckDBType[]): Promise<DuckDBMaterializedResult> {
  const statement = await prepared(conn, sql);
  statement.bind(params, types);
  return statement.run();
}
