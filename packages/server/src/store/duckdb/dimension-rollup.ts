// Rollup reads split by at most one dimension, at 5-minute grain or coarser and without filters,
// answered from rollup_dim_5min (~40 rows per 5 minutes) instead of summing every key combination
// of rollup_minute (~800 rows per 5 minutes at 10M spans a week). Correlations read this way.

import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Dimension } from '../../model/span.js';
import { HOUR_MS, floorToBucket } from '../rollup.js';
import { LATENCY_BUCKETS, type RollupQuery, type RollupRow } from '../store.js';
import { runPrepared } from './prepared.js';
import { compareUtf8 } from '../text-order.js';
import { dimensionColumn } from './dimension-sql.js';
import { DIMENSION_BUCKET_MS, DIMENSION_CODE, HIST_COLUMNS, ROLLUP_SUM_COLUMNS } from './schema.js';
import { addRollupFiguresAt, arrayColumn, numberColumn, numberOrZero, rollupRowAt } from './vector-read.js';

/**
 * Whether rollup_dim_5min can answer `q` exactly: whole 5-minute buckets that are not whole hours
 * (rollup_hour has fewer rows for those), one dimension or none, no filter.
 */
export function fromDimensionRollup(q: RollupQuery): boolean {
  const f = q.filter;
  return (
    q.groupBy.length <= 1 &&
    q.bucketMs % DIMENSION_BUCKET_MS === 0 &&
    q.bucketMs % HOUR_MS !== 0 &&
    f.agent === undefined &&
    f.model === undefined &&
    f.decision === undefined &&
    f.span_type === undefined &&
    f.provider === undefined &&
    f.has_decision !== true &&
    f.errors_only !== true
  );
}

const FIGURES = ROLLUP_SUM_COLUMNS.map((c) => `"${c}"::DOUBLE`).join(', ');

const HIST_ARRAY = `[${HIST_COLUMNS.join(', ')}]::INTEGER[${LATENCY_BUCKETS}]`;

function statementSql(dim: Dimension, hist: boolean, withMinutes: boolean): string {
  // The dimension code is ours, not user input.
  const dims = `SELECT bucket::DOUBLE, value, ${FIGURES}${hist ? ', hist' : ''} FROM rollup_dim_5min
    WHERE project = $1 AND dim = ${DIMENSION_CODE[dim]} AND bucket >= $2 AND bucket < $3`;
  if (!withMinutes) return dims;
  return `${dims} UNION ALL SELECT bucket::DOUBLE, ${dimensionColumn(dim)}, ${FIGURES}${hist ? `, ${HIST_ARRAY}` : ''} FROM rollup_minute
    WHERE project = $1 AND bucket >= $3 AND bucket < $4`;
}

/**
 * Reads `q` (fromDimensionRollup(q) must hold): whole 5-minute buckets from rollup_dim_5min and,
 * when `to` falls inside a 5-minute bucket, that bucket's minutes before `to` from rollup_minute.
 * Stored rows come back as they are (no hash aggregate over 75 sums, see alert-queries.ts) and are
 * summed here into the requested buckets; the order is readRollup's (bucket, then value, nulls last).
 */
export async function readDimensionRollup(conn: DuckDBConnection, q: RollupQuery): Promise<RollupRow[]> {
  // Every span has exactly one span type, so summing its values gives the totals of an ungrouped read.
  const dim: Dimension = q.groupBy[0] ?? 'span_type';
  const grouped = q.groupBy.length === 1;
  const hist = q.histogram !== false;
  const from = floorToBucket(q.from, q.bucketMs);
  const to = Math.ceil(q.to);
  const split = Math.max(from, Math.min(to, floorToBucket(to, DIMENSION_BUCKET_MS)));
  const withMinutes = split < to;
  const params: DuckDBValue[] = [q.project, BigInt(from), BigInt(split)];
  if (withMinutes) params.push(BigInt(to));
  const result = await runPrepared(conn, statementSql(dim, hist, withMinutes), params);

  const byBucket = new Map<number, Map<string | null, RollupRow>>();
  const figures = ROLLUP_SUM_COLUMNS.length;
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    const buckets = numberColumn(chunk, 0, 'double');
    const values = chunk.getColumnVector(1);
    const sums = Array.from({ length: figures }, (_, i) => numberColumn(chunk, 2 + i, 'double'));
    const counts = hist ? arrayColumn(chunk, 2 + figures, LATENCY_BUCKETS) : null;
    for (let r = 0; r < chunk.rowCount; r++) {
      const stored = numberOrZero(buckets, r);
      const bucket = q.collapse ? from : floorToBucket(stored, q.bucketMs);
      const value = grouped ? (values.getItem(r) as string | null) : null;
      let rows = byBucket.get(bucket);
      if (rows === undefined) byBucket.set(bucket, (rows = new Map()));
      const row = rows.get(value);
      if (row === undefined) {
        // A key's first stored row is its row as read; rows of later flushes add to it.
        rows.set(value, rollupRowAt(bucket, grouped ? [value] : [], sums, r, counts === null ? [] : copyHistogram(counts, r)));
        continue;
      }
      addRollupFiguresAt(row, sums, r);
      if (counts !== null) {
        const h = row.latency_hist;
        for (let i = 0, o = r * LATENCY_BUCKETS; i < LATENCY_BUCKETS; i++) h[i] = h[i]! + counts[o + i]!;
      }
    }
  }
  const out: RollupRow[] = [];
  for (const bucket of [...byBucket.keys()].sort((a, b) => a - b)) {
    const rows = [...byBucket.get(bucket)!.values()].sort((a, b) => compareNullsLast(a.group[0] ?? null, b.group[0] ?? null));
    // Only groups with spans, as readRollup's HAVING: a revision (revise-spans.ts) may leave a key
    // whose rows sum to zero.
    for (const row of rows) if (row.count > 0) out.push(row);
  }
  return out;
}

/** Row `r`'s histogram out of the flat counts of an INTEGER[64] column. */
function copyHistogram(counts: ArrayLike<number>, r: number): number[] {
  const h = new Array<number>(LATENCY_BUCKETS);
  for (let i = 0, o = r * LATENCY_BUCKETS; i < LATENCY_BUCKETS; i++) h[i] = counts[o + i]!;
  return h;
}

/** readRollup's order of a group value: DuckDB's text order, nulls last. */
function compareNullsLast(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return compareUtf8(a, b);
}
