// Retention on ClickHouse: whole days go by DROP PARTITION (cheap: files are unlinked); the part
// of the boundary day before the cutoff goes by ALTER … DELETE, a mutation that rewrites that
// day's parts, waited for until done so the call's result is what readers see afterwards.

import { SightlineError } from '../../model/errors.js';
import type { Connection } from './connection.js';
import { DAY_MS, localName, tableName, type Layout, type Table } from './schema.js';
import { int, ms, str } from './sql.js';

/** Servers that hold local tables: every shard, or the entry server when DDL uses ON CLUSTER. */
export interface DataServers {
  entry: Connection;
  shards: Connection[];
  layout: Layout;
}

const MUTATION_POLL_MS = 50;
const MUTATION_TIMEOUT_MS = 120_000;

function onCluster(layout: Layout): string {
  return layout.onCluster && layout.cluster !== undefined ? ` ON CLUSTER ${layout.cluster}` : '';
}

/** Deletes rows of `table` whose `column` (ms) is before `cutoff`. */
export async function deleteOlder(servers: DataServers, table: Table, column: string, cutoff: number): Promise<void> {
  const { layout } = servers;
  const read = tableName(layout, table);
  const local = localName(layout, table);
  const oldest = await servers.entry.rows<{ oldest: number; n: number }>(
    `SELECT min(${column}) AS oldest, count() AS n FROM ${read} WHERE ${column} < ${ms(cutoff)}`,
  );
  if (Number(oldest[0]?.n ?? 0) === 0) return;
  const firstDay = Math.floor(Number(oldest[0]!.oldest) / DAY_MS);
  const cutoffDay = Math.floor(cutoff / DAY_MS);
  for (const conn of servers.shards) {
    for (let day = firstDay; day < cutoffDay; day++) {
      await conn.command(`ALTER TABLE ${local}${onCluster(layout)} DROP PARTITION ${int(day)}`);
    }
  }
  if (cutoff % DAY_MS === 0) return;
  const boundary = await servers.entry.rows<{ n: number }>(
    `SELECT count() AS n FROM ${read} WHERE ${column} >= ${ms(cutoffDay * DAY_MS)} AND ${column} < ${ms(cutoff)}`,
  );
  if (Number(boundary[0]?.n ?? 0) === 0) return;
  for (const conn of servers.shards) {
    await conn.command(`ALTER TABLE ${local}${onCluster(layout)} DELETE WHERE ${column} < ${ms(cutoff)}`);
  }
  await Promise.all(servers.shards.map((conn) => waitForMutations(conn, local)));
}

/**
 * Starts deleting the rows of `table` matching `where` on every server that holds data, without
 * waiting for the mutation (for rows no reader selects any more, such as superseded versions).
 */
export async function deleteInBackground(servers: DataServers, table: Table, where: string): Promise<void> {
  const local = localName(servers.layout, table);
  for (const conn of servers.shards) await conn.command(`ALTER TABLE ${local}${onCluster(servers.layout)} DELETE WHERE ${where}`);
}

/** Resolves once every mutation of `qualified` (db.table) on this server is done. */
export async function waitForMutations(conn: Connection, qualified: string): Promise<void> {
  const [db, table] = qualified.split('.') as [string, string];
  const deadline = Date.now() + MUTATION_TIMEOUT_MS;
  for (;;) {
    const rows = await conn.rows<{ n: number }>(
      `SELECT count() AS n FROM system.mutations WHERE database = ${str(db)} AND table = ${str(table)} AND is_done = 0`,
    );
    if (Number(rows[0]?.n ?? 0) === 0) return;
    if (Date.now() > deadline) {
      throw new SightlineError('STORE_UNAVAILABLE', `ClickHouse did not finish the mutations (deletes, histogram folds) of ${qualified} within ${MUTATION_TIMEOUT_MS / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, MUTATION_POLL_MS));
  }
}

/** Bytes of all active parts of Sightline's database, summed over the servers that hold data. */
export async function bytesOnDisk(servers: DataServers): Promise<number> {
  let total = 0;
  for (const conn of servers.shards) {
    const rows = await conn.rows<{ b: number }>(
      `SELECT sum(bytes) AS b FROM system.parts WHERE database = ${str(servers.layout.db)} AND active`,
    );
    total += Number(rows[0]?.b ?? 0);
  }
  return total;
}
