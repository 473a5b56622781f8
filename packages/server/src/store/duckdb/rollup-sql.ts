// Rollups built by DuckDB itself: one INSERT … SELECT … GROUP BY over the spans appended since
// the last flush (seq range), for minute and hour tables. Vectorised SQL aggregates tens of
// thousands of spans in milliseconds, where moving 82-column rows out of JS took hundreds.

import { LATENCY_BUCKETS } from '../store.js';
import { bucketBounds, LATENCY_SKETCH_MAX_MS } from '../latency-sketch.js';
import { HIST_COLUMNS, type RollupTable } from './schema.js';

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

const WIDTH: Record<RollupTable, number> = { rollup_minute: 60_000, rollup_hour: 3_600_000 };

/**
 * INSERT of the rollup rows for spans with lo < seq ≤ hi (bound as parameters 1 and 2). The 64
 * histogram counts are `count_if`: ~1.5× faster than `count(*) FILTER (…)` here (a flush of an
 * hour of 20 agents' traffic: 140 → 100 ms for minutes, 64 → 36 ms for hours).
 */
export function rollupInsertSql(table: RollupTable): string {
  const width = WIDTH[table];
  return `INSERT INTO ${table}
    SELECT project, (timestamp // ${width}) * ${width} AS bucket, agent_id, model, decision_made, span_type, provider,
      count(*), count(*) FILTER (WHERE error_type IS NOT NULL OR error_message IS NOT NULL),
      sum(latency_ms), sum(tokens_input), sum(tokens_output), sum(tokens_cache_read),
      sum(tokens_cache_write), sum(tokens_reasoning), coalesce(sum(cost_usd), 0),
      coalesce(sum(confidence), 0), count(confidence),
      ${HIST_COLUMNS.map((_, i) => `count_if(lb = ${i})`).join(', ')}
    FROM (SELECT *, ${LATENCY_BUCKET_SQL} AS lb FROM spans WHERE seq > $1 AND seq <= $2)
    GROUP BY ALL`;
}

/** Distinct buckets touched by spans with lo < seq ≤ hi, for compaction. */
export function touchedBucketsSql(table: RollupTable): string {
  const width = WIDTH[table];
  return `SELECT DISTINCT (timestamp // ${width}) * ${width} AS bucket FROM spans WHERE seq > $1 AND seq <= $2`;
}
