// Rollups built by DuckDB itself: one SELECT … GROUP BY over the spans appended since the last
// flush (seq range) into minute rows, and the hour rows summed from those. Vectorised SQL
// aggregates tens of thousands of spans in milliseconds, where moving 82-column rows out of JS
// took hundreds.

import { LATENCY_BUCKETS } from '../latency-sketch.js';
import { bucketBounds, LATENCY_SKETCH_MAX_MS } from '../latency-sketch.js';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { runPrepared } from './prepared.js';
import { DIMENSION_BUCKET_MS, dimensionRollupSelect, HIST_COLUMNS, rollupMergedSums, ROLLUP_TABLES, type RollupTable } from './schema.js';
import { TRACE_INDEX_INSERT_SQL } from './trace-index.js';
import { rollbackQuietly } from './transaction.js';

/** Lower edge of every bucket, as exact double literals (JS prints doubles round-trip exact). */
const EDGES = Array.from({ length: LATENCY_BUCKETS }, (_, i) => bucketBounds(i)[0]);
const EDGE_LIST = `([${EDGES.map((e) => (e === 0 ? '0.0' : String(e))).join(', ')}]::DOUBLE[])`;
const LOG_GROWTH = Math.log(EDGES[2]!);

/**
 * The latency bucket in SQL, the same as latency-sketch.ts's bucketIndex: a log estimate,
 * corrected against the exact edge table (DuckDB lists are 1-based: bucket k starts at EDGES[k+1]).
 */
const estimate = `(1 + floor(ln(latency_ms) / ${LOG_GROWTH}))::INTEGER`;
export const LATENCY_BUCKET_SQL = `CASE
  WHEN NOT (latency_ms >= 1) THEN 0
  WHEN latency_ms >= ${LATENCY_SKETCH_MAX_MS} THEN ${LATENCY_BUCKETS - 1}
  ELSE least(greatest(${estimate}
    - CASE WHEN latency_ms < ${EDGE_LIST}[${estimate} + 1] THEN 1 ELSE 0 END
    + CASE WHEN ${estimate} + 2 <= ${LATENCY_BUCKETS} AND latency_ms >= ${EDGE_LIST}[${estimate} + 2] THEN 1 ELSE 0 END, 1), ${LATENCY_BUCKETS - 2})
END`;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Scratch table of one flush: the minute rollup rows of its seq range, on the flushing connection. */
export const FLUSH_TABLE = 'flush_minute';

/**
 * The minute rollup rows of spans matching `where`: the one pass over the new spans. The 64
 * histogram counts are `count_if`, ~1.5× faster than `count(*) FILTER (…)` here.
 */
export function flushMinutesSelect(where: string): string {
  return `SELECT project, (timestamp // ${MINUTE_MS}) * ${MINUTE_MS} AS bucket, agent_id, model, decision_made, span_type, provider,
      ${MINUTE_FIGURES}
    FROM (SELECT *, ${LATENCY_BUCKET_SQL} AS lb FROM spans WHERE ${where})
    GROUP BY ALL`;
}

/** A minute rollup row's figures over span rows with their latency bucket as `lb`, in table order. */
export const MINUTE_FIGURES = `count(*) AS count, count(*) FILTER (WHERE error_type IS NOT NULL OR error_message IS NOT NULL) AS errors,
      sum(latency_ms) AS latency_sum, sum(tokens_input) AS tokens_input, sum(tokens_output) AS tokens_output,
      sum(tokens_cache_read) AS tokens_cache_read, sum(tokens_cache_write) AS tokens_cache_write,
      sum(tokens_reasoning) AS tokens_reasoning, coalesce(sum(cost_usd), 0) AS cost_usd,
      coalesce(sum(confidence), 0) AS confidence_sum, count(confidence) AS confidence_count,
      ${HIST_COLUMNS.map((h, i) => `count_if(lb = ${i})::INTEGER AS ${h}`).join(', ')}`;

/** Fills FLUSH_TABLE with the minute rows of spans with lo < seq ≤ hi (parameters 1 and 2). */
const FLUSH_MINUTES_SQL = `INSERT INTO ${FLUSH_TABLE} ${flushMinutesSelect('seq > $1 AND seq <= $2')}`;

/**
 * INSERTs of one flush's rollup rows from FLUSH_TABLE: minutes as they are, hours and per-dimension
 * 5-minute rows as sums of those minutes (every rollup figure adds up), so the spans are
 * aggregated once, not three times.
 */
export function flushInsertSql(table: RollupTable, source = FLUSH_TABLE): string {
  if (table === 'rollup_minute') return `INSERT INTO rollup_minute SELECT * FROM ${source}`;
  if (table === 'rollup_dim_5min') return `INSERT INTO rollup_dim_5min ${dimensionRollupSelect(source)}`;
  return `INSERT INTO rollup_hour
    SELECT project, (bucket // ${HOUR_MS}) * ${HOUR_MS}, agent_id, model, decision_made, span_type, provider, ${rollupMergedSums('rollup_hour')}
    FROM ${source} GROUP BY ALL`;
}

/** Distinct buckets of `table` touched by this flush (minute rows in `source`), for compaction. */
export function touchedBucketsSql(table: RollupTable, source = FLUSH_TABLE): string {
  const width = table === 'rollup_minute' ? MINUTE_MS : table === 'rollup_dim_5min' ? DIMENSION_BUCKET_MS : HOUR_MS;
  return `SELECT DISTINCT (bucket // ${width}) * ${width} AS bucket FROM ${source}`;
}

/** Connections whose FLUSH_TABLE exists: it lives as long as the connection, emptied by each flush. */
const withFlushTable = new WeakSet<DuckDBConnection>();

/**
 * One flush, in one transaction: the rollup rows (minute, hour and per dimension) and trace index
 * rows of the spans with lo < seq ≤ hi, and meta.rollup_seq = hi. Returns the buckets it touched
 * per table, for compaction. Every statement is prepared once per connection (FLUSH_TABLE is
 * emptied, not dropped, so they stay valid): parsing and planning these statements with 75
 * aggregates each was ~40% of a flush of a few thousand spans.
 */
export async function flushRollupRange(conn: DuckDBConnection, lo: bigint, hi: bigint): Promise<[RollupTable, number[]][]> {
  if (!withFlushTable.has(conn)) {
    await conn.run(`CREATE TEMP TABLE IF NOT EXISTS ${FLUSH_TABLE} AS ${flushMinutesSelect('false')}`);
    withFlushTable.add(conn);
  }
  const run = (sql: string, params?: DuckDBValue[]) => runPrepared(conn, sql, params);
  const range = [lo, hi];
  const touched: [RollupTable, number[]][] = [];
  await conn.run('BEGIN TRANSACTION');
  try {
    await run(`DELETE FROM ${FLUSH_TABLE}`);
    await run(FLUSH_MINUTES_SQL, range);
    for (const table of ROLLUP_TABLES) {
      await run(flushInsertSql(table));
      const buckets = (await (await run(touchedBucketsSql(table))).getRows()).map((r) => Number(r[0]));
      touched.push([table, buckets]);
    }
    await run(TRACE_INDEX_INSERT_SQL, range);
    await run("UPDATE meta SET value = $1 WHERE key = 'rollup_seq'", [String(hi)]);
    await conn.run('COMMIT');
  } catch (err) {
    await rollbackQuietly(conn);
    throw err;
  }
  return touched;
}
