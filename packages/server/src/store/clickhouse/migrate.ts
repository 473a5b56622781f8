// Runs schema.ts migrations on every server that holds Sightline tables: the one server, each
// shard of a cluster, or the entry server once with ON CLUSTER. Safe for concurrent starts: every
// statement is idempotent, a "table already exists" from a racing node is success, and the
// version row is written after the step, so a crashed step simply runs again.

import { SightlineError } from '../../model/errors.js';
import { CH_TABLE_ALREADY_EXISTS, clickhouseCode, type Connection } from './connection.js';
import { SCHEMA_VERSION, bootstrapStatements, migrationStatements, type Layout } from './schema.js';
import { int, str } from './sql.js';

async function runIdempotent(conn: Connection, sql: string): Promise<void> {
  try {
    await conn.command(sql);
  } catch (err) {
    if (clickhouseCode(err) !== CH_TABLE_ALREADY_EXISTS) throw err;
  }
}

/** Brings one server to SCHEMA_VERSION; throws SCHEMA_TOO_NEW when it is ahead of this code. */
export async function migrateServer(conn: Connection, layout: Layout, node: string, now: number): Promise<void> {
  for (const sql of bootstrapStatements(layout)) await runIdempotent(conn, sql);
  const rows = await conn.rows<{ v: number }>(`SELECT max(version) AS v FROM ${layout.db}.schema_migrations`);
  const current = Number(rows[0]?.v ?? 0);
  if (current > SCHEMA_VERSION) {
    throw new SightlineError(
      'SCHEMA_TOO_NEW',
      `ClickHouse database ${layout.db} at ${conn.url} has schema version ${current}; this Sightline supports up to ${SCHEMA_VERSION}, upgrade it`,
    );
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    for (const sql of migrationStatements(v, layout)) await runIdempotent(conn, sql);
    await conn.command(
      `INSERT INTO ${layout.db}.schema_migrations (version, applied_at, node) VALUES (${v + 1}, ${int(now)}, ${str(node)})`,
    );
  }
}
