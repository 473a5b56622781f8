// Runs schema.ts migrations on every server that holds Sightline tables: the one server, each
// shard of a cluster, or the entry server once with ON CLUSTER. Safe for concurrent starts: every
// statement is idempotent, a "table already exists" from a racing node is success, and the
// version row is written after the step, so a crashed step simply runs again.

import { SightlineError } from '../../model/errors.js';
import { CH_TABLE_ALREADY_EXISTS, clickhouseCode, type Connection } from './connection.js';
import { foldLegacyHistograms } from './rollup-histograms.js';
import { recordAgentMinuteStart } from './agent-minute.js';
import { AGENT_MINUTE_VERSION, SCHEMA_VERSION, bootstrapStatements, migrationStatements, type Layout, type MigrationStatement } from './schema.js';
import { int, str } from './sql.js';

async function runIdempotent(conn: Connection, statement: MigrationStatement): Promise<void> {
  const { sql, done } = typeof statement === 'string' ? { sql: statement, done: [] } : statement;
  try {
    await conn.command(sql);
  } catch (err) {
    const code = clickhouseCode(err);
    if (code !== CH_TABLE_ALREADY_EXISTS && !done.includes(code ?? '')) throw err;
  }
}

/**
 * Brings one server to SCHEMA_VERSION (tests pass `target` to build an older schema); throws
 * SCHEMA_TOO_NEW when it is ahead of this code. Then folds legacy rollup histograms (version 4).
 * `clock` is read when each step is done: version 5's start moment depends on it.
 */
export async function migrateServer(
  conn: Connection,
  layout: Layout,
  node: string,
  clock: () => number,
  target = SCHEMA_VERSION,
): Promise<void> {
  for (const sql of bootstrapStatements(layout)) await runIdempotent(conn, sql);
  const rows = await conn.rows<{ v: number }>(`SELECT max(version) AS v FROM ${layout.db}.schema_migrations`);
  const current = Number(rows[0]?.v ?? 0);
  if (current > SCHEMA_VERSION) {
    throw new SightlineError(
      'SCHEMA_TOO_NEW',
      `ClickHouse database ${layout.db} at ${conn.url} has schema version ${current}; this Sightline supports up to ${SCHEMA_VERSION}, upgrade it`,
    );
  }
  for (let v = current; v < target; v++) {
    for (const sql of migrationStatements(v, layout)) await runIdempotent(conn, sql);
    if (v + 1 === AGENT_MINUTE_VERSION) await recordAgentMinuteStart(conn, layout, node, clock());
    await conn.command(
      `INSERT INTO ${layout.db}.schema_migrations (version, applied_at, node) VALUES (${v + 1}, ${int(clock())}, ${str(node)})`,
    );
  }
  if (target >= 4) await foldLegacyHistograms(conn, layout);
}
