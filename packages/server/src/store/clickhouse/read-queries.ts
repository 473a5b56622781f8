// Read-side SQL for the ClickHouse store's rollups (traces: trace-queries.ts). Portable to 18.16:
// no window functions or CTEs; every value is a quoted literal (sql.ts), dimension names come from
// the fixed DIMENSION_COLUMN map.

import { SightlineError } from '../../model/errors.js';
import { DIMENSIONS, DIMENSION_COLUMN, type Dimension } from '../../model/span.js';
import { HOUR_MS, MINUTE_MS, floorToBucket } from '../rollup.js';
import type { RollupQuery, RollupRow, SpanFilter } from '../store.js';
import type { Connection } from './connection.js';
import { SUM_HISTOGRAM, denseHistogram } from './rollup-histograms.js';
import { NULLABLE_DIMENSIONS, ROLLUP_SUMS } from './schema.js';
import { ms, str } from './sql.js';

const FILTER_DIMENSIONS: [keyof SpanFilter, Dimension][] = [
  ['agent', 'agent'],
  ['model', 'model'],
  ['decision', 'decision'],
  ['span_type', 'span_type'],
  ['provider', 'provider'],
];

function column(d: Dimension): string {
  if (!(DIMENSIONS as readonly string[]).includes(d)) {
    throw new SightlineError('QUERY_INVALID', `unknown dimension "${String(d)}"; use one of ${DIMENSIONS.join(', ')}`);
  }
  return DIMENSION_COLUMN[d];
}

/** In rollup tables a nullable dimension is `<col>_key` plus `<col>_null`. */
function isNullableDimension(col: string): col is (typeof NULLABLE_DIMENSIONS)[number] {
  return (NULLABLE_DIMENSIONS as readonly string[]).includes(col);
}

export async function readRollup(conn: Connection, tables: { minute: string; hour: string }, q: RollupQuery): Promise<RollupRow[]> {
  if (!Number.isInteger(q.bucketMs) || q.bucketMs <= 0 || q.bucketMs % MINUTE_MS !== 0) {
    throw new SightlineError('QUERY_INVALID', `bucketMs must be a positive multiple of 60000, got ${q.bucketMs}`);
  }
  if (q.filter.errors_only) {
    throw new SightlineError('QUERY_INVALID', 'errors_only is not available on rollups; read the errors column');
  }
  const table = q.bucketMs % HOUR_MS === 0 ? tables.hour : tables.minute;
  const stored = q.bucketMs % HOUR_MS === 0 ? HOUR_MS : MINUTE_MS;
  const histogram = q.histogram !== false;
  const where = [`project = ${str(q.project)}`, `bucket >= ${ms(floorToBucket(q.from, q.bucketMs))}`, `bucket < ${ms(Math.ceil(q.to))}`];
  for (const [field, dim] of FILTER_DIMENSIONS) {
    const value = q.filter[field];
    if (value === undefined) continue;
    const col = column(dim);
    where.push(isNullableDimension(col) ? `${col}_null = 0 AND ${col}_key = ${str(String(value))}` : `${col} = ${str(String(value))}`);
  }
  // Each group is selected as (is-null flag, value) so ORDER BY puts nulls last, as DuckDB does.
  const groupCols = q.groupBy.map(column);
  const groupSelect = groupCols.flatMap((col, i) =>
    isNullableDimension(col) ? [`${col}_null AS n${i}`, `${col}_key AS g${i}`] : [`0 AS n${i}`, `${col} AS g${i}`],
  );
  const keys = ['b', ...groupCols.flatMap((_, i) => [`n${i}`, `g${i}`])];
  // Collapsed, the keys may all be constant: ClickHouse then answers one all-zero row for no
  // data, which the HAVING below drops (a stored rollup row always counts at least one span).
  const bucket = q.collapse
    ? `toInt64(${floorToBucket(q.from, q.bucketMs)})`
    : q.bucketMs === stored
      ? 'bucket'
      : `intDiv(bucket, ${q.bucketMs}) * ${q.bucketMs}`;
  const sql = `SELECT ${bucket} AS b, ${groupSelect.map((g) => `${g}, `).join('')}
      ${ROLLUP_SUMS.map(([c]) => `sum(${c}) AS s_${c}`).join(', ')}
      ${histogram ? `, ${SUM_HISTOGRAM} AS hist` : ''}
    FROM ${table} WHERE ${where.join(' AND ')}
    GROUP BY ${keys.join(', ')} ${q.collapse ? 'HAVING sum(count) > 0' : ''} ORDER BY ${keys.join(', ')}`;
  const rows = await conn.rows(sql);
  return rows.map((r) => ({
    bucket: Number(r.b),
    group: groupCols.map((_, i) => (Number(r[`n${i}`]) === 1 ? null : (r[`g${i}`] as string))),
    count: Number(r.s_count),
    errors: Number(r.s_errors),
    latency_sum: Number(r.s_latency_sum),
    tokens_input: Number(r.s_tokens_input),
    tokens_output: Number(r.s_tokens_output),
    tokens_cache_read: Number(r.s_tokens_cache_read),
    tokens_cache_write: Number(r.s_tokens_cache_write),
    tokens_reasoning: Number(r.s_tokens_reasoning),
    cost_usd: Number(r.s_cost_usd),
    confidence_sum: Number(r.s_confidence_sum),
    confidence_count: Number(r.s_confidence_count),
    latency_hist: histogram ? denseHistogram(r.hist) : [],
  }));
}
