// Read-side SQL for the ClickHouse store's rollups (traces: trace-queries.ts). Portable to 18.16:
// no window functions or CTEs; every value is a quoted literal (sql.ts), dimension names come from
// the fixed DIMENSION_COLUMN map.

import { SightlineError } from '../../model/errors.js';
import { DIMENSIONS, DIMENSION_COLUMN, type Dimension } from '../../model/span.js';
import { HOUR_MS, MINUTE_MS, floorToBucket } from '../rollup.js';
import type { RollupQuery, RollupRow, SpanFilter } from '../store.js';
import { agentMinuteAnswers, type AgentMinute } from './agent-minute.js';
import type { Connection } from './connection.js';
import { SUM_HISTOGRAM, denseHistogram } from './rollup-histograms.js';
import { HIST_MAP, NULLABLE_DIMENSIONS, ROLLUP_SUMS } from './schema.js';
import { ms, str } from './sql.js';

/** Where rollups are read from; without `agentMinute` (version 5) only the full-key tables. */
export interface RollupTables {
  minute: string;
  hour: string;
  agentMinute?: AgentMinute;
}

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

/**
 * `FROM … WHERE …` for minute rows in [lo, hi) matching `where`: from the per-agent table where it
 * is complete and answers `q`, else from rollup_minute; a range across its start reads both, each
 * bucket from one of them (UNION ALL, summed again by the caller's GROUP BY).
 */
async function minuteSource(tables: RollupTables, q: RollupQuery, where: string[], lo: number, hi: number): Promise<string> {
  const full = `FROM ${tables.minute} WHERE ${where.join(' AND ')}`;
  if (tables.agentMinute === undefined || !agentMinuteAnswers(q)) return full;
  const start = await tables.agentMinute.completeFrom();
  if (start === null || hi <= start) return full;
  const agent = `FROM ${tables.agentMinute.table} WHERE ${where.join(' AND ')}`;
  if (lo >= start) return agent;
  const hist = q.histogram === false ? [] : [`\`${HIST_MAP.bucket}\``, `\`${HIST_MAP.count}\``];
  const columns = ['bucket', 'agent_id', ...ROLLUP_SUMS.map(([c]) => c), ...hist].join(', ');
  return `FROM (SELECT ${columns} ${full} AND bucket < ${ms(start)}
      UNION ALL SELECT ${columns} ${agent} AND bucket >= ${ms(start)})`;
}

export async function readRollup(conn: Connection, tables: RollupTables, q: RollupQuery): Promise<RollupRow[]> {
  if (!Number.isInteger(q.bucketMs) || q.bucketMs <= 0 || q.bucketMs % MINUTE_MS !== 0) {
    throw new SightlineError('QUERY_INVALID', `bucketMs must be a positive multiple of 60000, got ${q.bucketMs}`);
  }
  if (q.filter.errors_only) {
    throw new SightlineError('QUERY_INVALID', 'errors_only is not available on rollups; read the errors column');
  }
  const stored = q.bucketMs % HOUR_MS === 0 ? HOUR_MS : MINUTE_MS;
  const histogram = q.histogram !== false;
  const [lo, hi] = [floorToBucket(q.from, q.bucketMs), Math.ceil(q.to)];
  const where = [`project = ${str(q.project)}`, `bucket >= ${ms(lo)}`, `bucket < ${ms(hi)}`];
  for (const [field, dim] of FILTER_DIMENSIONS) {
    const value = q.filter[field];
    if (value === undefined) continue;
    const col = column(dim);
    where.push(isNullableDimension(col) ? `${col}_null = 0 AND ${col}_key = ${str(String(value))}` : `${col} = ${str(String(value))}`);
  }
  if (q.filter.has_decision) where.push('decision_made_null = 0');
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
    ${stored === HOUR_MS ? `FROM ${tables.hour} WHERE ${where.join(' AND ')}` : await minuteSource(tables, q, where, lo, hi)}
    GROUP BY ${keys.join(', ')} HAVING sum(count) > 0 ORDER BY ${keys.join(', ')}`;
  const { columns, values } = await conn.rowArrays(sql);
  const at = (name: string): number => columns.indexOf(name);
  const [b, hist] = [at('b'), at('hist')];
  const groups = groupCols.map((_, i) => [at(`n${i}`), at(`g${i}`)] as const);
  const sums = Object.fromEntries(ROLLUP_SUMS.map(([c]) => [c, at(`s_${c}`)])) as Record<(typeof ROLLUP_SUMS)[number][0], number>;
  return values.map((r) => ({
    bucket: Number(r[b]),
    group: groups.map(([n, g]) => (Number(r[n]) === 1 ? null : (r[g] as string))),
    count: Number(r[sums.count]),
    errors: Number(r[sums.errors]),
    latency_sum: Number(r[sums.latency_sum]),
    tokens_input: Number(r[sums.tokens_input]),
    tokens_output: Number(r[sums.tokens_output]),
    tokens_cache_read: Number(r[sums.tokens_cache_read]),
    tokens_cache_write: Number(r[sums.tokens_cache_write]),
    tokens_reasoning: Number(r[sums.tokens_reasoning]),
    cost_usd: Number(r[sums.cost_usd]),
    confidence_sum: Number(r[sums.confidence_sum]),
    confidence_count: Number(r[sums.confidence_count]),
    latency_hist: histogram ? denseHistogram(r[hist]) : [],
  }));
}
