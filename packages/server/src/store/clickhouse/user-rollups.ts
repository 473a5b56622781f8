// Store.userRollups on ClickHouse: spend per end user (and optional dimensions) per minute or hour,
// summed from raw spans (rollups have no user key), the top `limit` groups by cost per bucket
// (LIMIT n BY bucket). Same answers as the DuckDB store (alert-store.case.ts).

import { DIMENSION_COLUMN } from '../../model/span.js';
import type { RollupRow, SpanFilter, UserRollupQuery } from '../store.js';
import { checkUserRollupQuery } from '../user-rollup-check.js';
import type { Connection } from './connection.js';
import { ms, str } from './sql.js';

const FILTERS: [keyof SpanFilter, keyof typeof DIMENSION_COLUMN][] = [
  ['agent', 'agent'],
  ['model', 'model'],
  ['decision', 'decision'],
  ['span_type', 'span_type'],
  ['provider', 'provider'],
];

async function readUserRollup(conn: Connection, spans: string, q: UserRollupQuery): Promise<RollupRow[]> {
  checkUserRollupQuery(q);
  const cols = q.groupBy.map((d) => (d === 'user' ? 'user_id' : DIMENSION_COLUMN[d]));
  const lo = Math.floor(q.from / q.bucketMs) * q.bucketMs;
  const where = [`project = ${str(q.project)}`, `timestamp >= ${ms(lo)}`, `timestamp < ${ms(Math.ceil(q.to))}`, 'user_id IS NOT NULL'];
  for (const [field, dim] of FILTERS) {
    const v = q.filter[field];
    if (v !== undefined) where.push(`${DIMENSION_COLUMN[dim]} = ${str(String(v))}`);
  }
  // Each group as (is-null flag, value) so nulls sort last, as on DuckDB.
  const keys = cols.flatMap((c, i) => [`isNull(${c}) AS n${i}`, `ifNull(${c}, '') AS g${i}`]);
  const sql = `SELECT intDiv(timestamp, ${q.bucketMs}) * ${q.bucketMs} AS b, ${keys.join(', ')},
      count() AS count, countIf(error_type IS NOT NULL OR error_message IS NOT NULL) AS errors,
      sum(latency_ms) AS latency_sum, sum(tokens_input) AS tokens_input, sum(tokens_output) AS tokens_output,
      sum(tokens_cache_read) AS tokens_cache_read, sum(tokens_cache_write) AS tokens_cache_write,
      sum(tokens_reasoning) AS tokens_reasoning, sum(ifNull(cost_usd, 0)) AS cost_usd,
      sum(ifNull(confidence, 0)) AS confidence_sum, count(confidence) AS confidence_count
    FROM ${spans} WHERE ${where.join(' AND ')}
    GROUP BY b, ${cols.flatMap((_, i) => [`n${i}`, `g${i}`]).join(', ')}
    ORDER BY b, cost_usd DESC, ${cols.flatMap((_, i) => [`n${i}`, `g${i}`]).join(', ')}
    LIMIT ${q.limit} BY b`;
  const { columns, values } = await conn.rowArrays(sql);
  const at = (name: string): number => columns.indexOf(name);
  const num = (r: unknown[], name: string) => Number(r[at(name)]);
  return values.map((r) => ({
    bucket: num(r, 'b'),
    group: cols.map((_, i) => (Number(r[at(`n${i}`)]) === 1 ? null : (r[at(`g${i}`)] as string))),
    count: num(r, 'count'),
    errors: num(r, 'errors'),
    latency_sum: num(r, 'latency_sum'),
    tokens_input: num(r, 'tokens_input'),
    tokens_output: num(r, 'tokens_output'),
    tokens_cache_read: num(r, 'tokens_cache_read'),
    tokens_cache_write: num(r, 'tokens_cache_write'),
    tokens_reasoning: num(r, 'tokens_reasoning'),
    cost_usd: num(r, 'cost_usd'),
    confidence_sum: num(r, 'confidence_sum'),
    confidence_count: num(r, 'confidence_count'),
    latency_hist: [],
  }));
}

export function readUserRollups(conn: Connection, spans: string, queries: readonly UserRollupQuery[]): Promise<RollupRow[][]> {
  return Promise.all(queries.map((q) => readUserRollup(conn, spans, q)));
}
