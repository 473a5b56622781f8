// The insight materializer: recomputes path_hour and cohort_hour for hours that received spans
// since the watermark (meta.insight_seq), once each hour has closed and a grace period passed.
// Each hour is its own write transaction, so appends queue behind one short step at a time.

import type { DuckDBConnection } from '@duckdb/node-api';
import { HOUR_MS } from '../rollup.js';
import type { MaterializeReport } from '../store.js';
import { cohortAggregateSql, pathAggregateSql } from './insight-queries.js';
import { queryRows } from './read-queries.js';

export const DEFAULT_GRACE_MS = 2 * 60_000;

type WriteTask = <T>(task: (conn: DuckDBConnection) => Promise<T>) => Promise<T>;

interface Plan {
  /** Highest span seq seen when planning; becomes the new watermark. */
  maxSeq: bigint;
  ready: number[];
  pending: number[];
  /** meta.insight_open_hours as read when planning. */
  open: number[];
}

async function plan(conn: DuckDBConnection, now: number, graceMs: number): Promise<Plan> {
  const [meta] = await queryRows(
    conn,
    `SELECT (SELECT value FROM meta WHERE key = 'insight_seq') AS seq,
      (SELECT value FROM meta WHERE key = 'insight_open_hours') AS open, (SELECT max(seq) FROM spans) AS max_seq`,
  );
  const seq = BigInt(String(meta?.seq ?? '0'));
  const maxSeq = BigInt(Math.max(0, Number(meta?.max_seq ?? 0)));
  const open = JSON.parse(String(meta?.open ?? '[]')) as number[];
  const candidates = new Set<number>(open);
  const dirty = await queryRows(conn, `SELECT DISTINCT (timestamp // ${HOUR_MS}) * ${HOUR_MS} AS hour FROM spans WHERE seq > ?`, [seq]);
  for (const r of dirty) {
    const h = r.hour as number;
    candidates.add(h);
    // A trace is filed under the hour of its first span: late spans in h may belong to h − 1.
    candidates.add(h - HOUR_MS);
  }
  const sorted = [...candidates].sort((a, b) => a - b);
  const closed = (h: number) => h + HOUR_MS + graceMs <= now;
  return { maxSeq: maxSeq > seq ? maxSeq : seq, ready: sorted.filter(closed), pending: sorted.filter((h) => !closed(h)), open };
}

async function materializeHour(conn: DuckDBConnection, hour: number, now: number): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run('DELETE FROM path_hour WHERE hour = ?', [BigInt(hour)]);
    await conn.run(`INSERT INTO path_hour ${pathAggregateSql([hour], '')}`);
    await conn.run('DELETE FROM cohort_hour WHERE hour = ?', [BigInt(hour)]);
    await conn.run(`INSERT INTO cohort_hour ${cohortAggregateSql([hour], '', '')}`);
    await conn.run('INSERT OR REPLACE INTO insight_hours (hour, materialized_at) VALUES (?, ?)', [BigInt(hour), BigInt(Math.floor(now))]);
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK');
    throw err;
  }
}

/**
 * Runs one materialization pass through the store's write queue. Until the watermark moves at the
 * end, a crash only means the same hours are recomputed next time.
 */
export async function materializeInsights(write: WriteTask, now: number, graceMs = DEFAULT_GRACE_MS): Promise<MaterializeReport> {
  const p = await write((conn) => plan(conn, now, graceMs));
  for (const hour of p.ready) await write((conn) => materializeHour(conn, hour, now));
  await write(async (conn) => {
    await conn.run('BEGIN TRANSACTION');
    try {
      await conn.run("UPDATE meta SET value = ? WHERE key = 'insight_seq'", [String(p.maxSeq)]);
      // Hours a span revision (revise-spans.ts) reopened since planning stay open.
      const [now] = await queryRows(conn, "SELECT value FROM meta WHERE key = 'insight_open_hours'");
      const planned = new Set(p.open);
      const reopened = (JSON.parse(String(now?.value ?? '[]')) as number[]).filter((h) => !planned.has(h));
      const open = [...new Set([...p.pending, ...reopened])].sort((a, b) => a - b);
      await conn.run("UPDATE meta SET value = ? WHERE key = 'insight_open_hours'", [JSON.stringify(open)]);
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK');
      throw err;
    }
  });
  return { hours: p.ready, pending: p.pending };
}
