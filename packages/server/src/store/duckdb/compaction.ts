// Merges the delta rows of rollup buckets (open or closed) into one row per key. Reads never depend on it
// (they sum whatever rows exist); it only keeps the rollup tables small and their scans fast.

import type { DuckDBConnection } from '@duckdb/node-api';
import { rollupKeyColumns, rollupMergedSums } from './schema.js';
import type { RollupTable } from './schema.js';
import { rollbackQuietly } from './transaction.js';

/**
 * Rewrites the given buckets of one rollup table as one row per key, in one transaction on a
 * connection that has no transaction open. The min/max range lets zone maps skip row groups; the
 * IN list keeps already compact buckets in between untouched. Buckets are integers we computed.
 */
export async function compactBuckets(conn: DuckDBConnection, table: RollupTable, buckets: readonly number[]): Promise<void> {
  if (buckets.length === 0) return;
  const list = buckets.map((b) => String(Math.trunc(b))).join(', ');
  const where = `bucket BETWEEN ${Math.min(...buckets)} AND ${Math.max(...buckets)} AND bucket IN (${list})`;
  const keys = rollupKeyColumns(table).map((c) => `"${c}"`).join(', ');
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE rollup_merge AS SELECT ${keys}, ${rollupMergedSums(table)} FROM ${table}
       WHERE ${where} GROUP BY ${keys} HAVING sum(count) <> 0`,
    );
    await conn.run(`DELETE FROM ${table} WHERE ${where}`);
    await conn.run(`INSERT INTO ${table} SELECT * FROM rollup_merge`);
    await conn.run('DROP TABLE rollup_merge');
    await conn.run('COMMIT');
  } catch (err) {
    await rollbackQuietly(conn);
    throw err;
  }
}

/**
 * Remembers which buckets got delta rows since their last compaction, and from how many flushes.
 * A bucket written by one flush already holds one row per key, so only buckets written by two
 * or more flushes (live traffic, flushed every second) are worth compacting; a bulk load of
 * history writes each bucket once and costs no compaction at all.
 */
export class DirtyBuckets {
  private readonly buckets = new Map<RollupTable, Map<number, number>>();
  /** Single-flush buckets remembered at most; past it the oldest are forgotten (they are compact). */
  private static readonly MAX_TRACKED = 100_000;

  add(table: RollupTable, bucket: number): void {
    let map = this.buckets.get(table);
    if (map === undefined) this.buckets.set(table, (map = new Map()));
    map.set(bucket, (map.get(bucket) ?? 0) + 1);
    if (map.size > DirtyBuckets.MAX_TRACKED) {
      for (const [b, flushes] of map) {
        if (map.size <= DirtyBuckets.MAX_TRACKED / 2) break;
        if (flushes < 2) map.delete(b);
      }
    }
  }

  /** Removes and returns up to `max` buckets written by two or more flushes, oldest first. */
  take(table: RollupTable, max: number): number[] {
    const map = this.buckets.get(table);
    if (map === undefined || map.size === 0) return [];
    const taken = [...map].filter(([, flushes]) => flushes >= 2).map(([b]) => b).sort((a, b) => a - b).slice(0, max);
    for (const b of taken) map.set(b, 1);
    return taken;
  }

  size(table: RollupTable): number {
    return [...(this.buckets.get(table)?.values() ?? [])].filter((n) => n >= 2).length;
  }
}
