// Merges the delta rows of closed rollup buckets into one row per key. Reads never depend on it
// (they sum whatever rows exist); it only keeps the rollup tables small and their scans fast.

import type { DuckDBConnection } from '@duckdb/node-api';
import { HIST_COLUMNS, ROLLUP_KEY_COLUMNS, ROLLUP_SUM_COLUMNS } from './schema.js';
import type { RollupTable } from './schema.js';

const DOUBLE_SUMS = new Set(['latency_sum', 'cost_usd', 'confidence_sum']);

const MERGED_SELECT = [
  ...ROLLUP_KEY_COLUMNS.map((c) => `"${c}"`),
  ...ROLLUP_SUM_COLUMNS.map((c) => (DOUBLE_SUMS.has(c) ? `sum("${c}")` : `sum("${c}")::BIGINT`)),
  ...HIST_COLUMNS.map((h) => `sum(${h})::INTEGER`),
].join(', ');

/**
 * Rewrites buckets [fromBucket, toBucket] of one rollup table as one row per key, in one
 * transaction on a connection that has no transaction open.
 */
export async function compactBuckets(
  conn: DuckDBConnection,
  table: RollupTable,
  fromBucket: number,
  toBucket: number,
): Promise<void> {
  const range = [BigInt(fromBucket), BigInt(toBucket)];
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE rollup_merge AS SELECT ${MERGED_SELECT} FROM ${table}
       WHERE bucket BETWEEN ? AND ? GROUP BY ${ROLLUP_KEY_COLUMNS.map((c) => `"${c}"`).join(', ')}`,
      range,
    );
    await conn.run(`DELETE FROM ${table} WHERE bucket BETWEEN ? AND ?`, range);
    await conn.run(`INSERT INTO ${table} SELECT * FROM rollup_merge`);
    await conn.run('DROP TABLE rollup_merge');
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK');
    throw err;
  }
}

/** Remembers which buckets got deltas since their last compaction, per table. */
export class DirtyBuckets {
  private readonly buckets = new Map<RollupTable, Set<number>>();

  add(table: RollupTable, bucket: number): void {
    let set = this.buckets.get(table);
    if (set === undefined) this.buckets.set(table, (set = new Set()));
    set.add(bucket);
  }

  /** Removes and returns the [min, max] range of dirty buckets that start before `closedBefore`. */
  takeClosed(table: RollupTable, closedBefore: number): [number, number] | null {
    const set = this.buckets.get(table);
    if (set === undefined) return null;
    let min = Infinity;
    let max = -Infinity;
    for (const b of set) {
      if (b >= closedBefore) continue;
      min = Math.min(min, b);
      max = Math.max(max, b);
      set.delete(b);
    }
    return min === Infinity ? null : [min, max];
  }
}
