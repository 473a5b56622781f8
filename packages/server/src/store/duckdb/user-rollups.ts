// Store.userRollups on DuckDB: spend per end user (and optional dimensions) per minute or hour,
// summed from raw spans (rollups have no user key), the top `limit` groups by cost per bucket.
// The alert engine reads the last few minutes each tick and each hour once, so a tick scans only
// the newest spans; a cold start reads the baseline's hours once.

import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { RollupRow, UserRollupQuery } from '../store.js';
import { checkUserRollupQuery } from '../user-rollup-check.js';
import { dimensionColumn, filterConditions } from './dimension-sql.js';
import { queryRows } from './read-queries.js';

const NO_HISTOGRAM: number[] = Object.freeze([]) as unknown as number[];

async function readUserRollup(conn: DuckDBConnection, q: UserRollupQuery): Promise<RollupRow[]> {
  checkUserRollupQuery(q);
  const groups = q.groupBy.map((d) => (d === 'user' ? 'user_id' : dimensionColumn(d)));
  const where = ['project = ?', 'timestamp >= ?', 'timestamp < ?', 'user_id IS NOT NULL'];
  const params: DuckDBValue[] = [q.project, BigInt(Math.floor(q.from / q.bucketMs) * q.bucketMs), BigInt(Math.ceil(q.to))];
  filterConditions(q.filter, where, params);
  const keys = groups.map((g, i) => `${g} AS g${i}`);
  const sql = `SELECT (timestamp // ${q.bucketMs}) * ${q.bucketMs} AS b, ${keys.join(', ')},
      count(*)::DOUBLE AS count, count(*) FILTER (WHERE error_type IS NOT NULL OR error_message IS NOT NULL)::DOUBLE AS errors,
      sum(latency_ms) AS latency_sum, sum(tokens_input)::DOUBLE AS tokens_input, sum(tokens_output)::DOUBLE AS tokens_output,
      sum(tokens_cache_read)::DOUBLE AS tokens_cache_read, sum(tokens_cache_write)::DOUBLE AS tokens_cache_write,
      sum(tokens_reasoning)::DOUBLE AS tokens_reasoning, coalesce(sum(cost_usd), 0) AS cost_usd,
      coalesce(sum(confidence), 0) AS confidence_sum, count(confidence)::DOUBLE AS confidence_count
    FROM spans WHERE ${where.join(' AND ')}
    GROUP BY b, ${groups.map((_, i) => `g${i}`).join(', ')}
    QUALIFY row_number() OVER (PARTITION BY b ORDER BY coalesce(sum(cost_usd), 0) DESC, ${groups.map((_, i) => `g${i} NULLS LAST`).join(', ')}) <= ${q.limit}
    ORDER BY b, cost_usd DESC, ${groups.map((_, i) => `g${i} NULLS LAST`).join(', ')}`;
  const rows = await queryRows(conn, sql, params);
  return rows.map((r) => ({
    bucket: Number(r.b),
    group: groups.map((_, i) => (r[`g${i}`] ?? null) as string | null),
    count: r.count as number,
    errors: r.errors as number,
    latency_sum: r.latency_sum as number,
    tokens_input: r.tokens_input as number,
    tokens_output: r.tokens_output as number,
    tokens_cache_read: r.tokens_cache_read as number,
    tokens_cache_write: r.tokens_cache_write as number,
    tokens_reasoning: r.tokens_reasoning as number,
    cost_usd: r.cost_usd as number,
    confidence_sum: r.confidence_sum as number,
    confidence_count: r.confidence_count as number,
    latency_hist: NO_HISTOGRAM,
  }));
}

export async function readUserRollups(conn: DuckDBConnection, queries: readonly UserRollupQuery[]): Promise<RollupRow[][]> {
  const out: RollupRow[][] = [];
  for (const q of queries) out.push(await readUserRollup(conn, q));
  return out;
}
