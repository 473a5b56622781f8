// Read-side SQL for the ClickHouse store: rollups, one trace, trace search. Portable to 18.16: no
// window functions or CTEs; every value is a quoted literal (sql.ts), dimension names come from
// the fixed DIMENSION_COLUMN map.

import { SightlineError } from '../../model/errors.js';
import { DIMENSIONS, DIMENSION_COLUMN, type Dimension, type Span } from '../../model/span.js';
import { HOUR_MS, MINUTE_MS, floorToBucket } from '../rollup.js';
import type { RollupQuery, RollupRow, SpanFilter, TraceSearch, TraceSummary } from '../store.js';
import type { Connection } from './connection.js';
import { HIST_COLUMNS, NULLABLE_DIMENSIONS, ROLLUP_SUMS } from './schema.js';
import { SPAN_SELECT, rowSpan } from './span-rows.js';
import { float, int, ms, str } from './sql.js';

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
  const hist = q.histogram === false ? [] : HIST_COLUMNS;
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
  const bucket = q.collapse ? `toInt64(${floorToBucket(q.from, q.bucketMs)})` : `intDiv(bucket, ${q.bucketMs}) * ${q.bucketMs}`;
  const sql = `SELECT ${bucket} AS b, ${groupSelect.map((g) => `${g}, `).join('')}
      ${ROLLUP_SUMS.map(([c]) => `sum(${c}) AS s_${c}`).join(', ')}
      ${hist.map((h) => `, sum(${h}) AS s_${h}`).join('')}
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
    latency_hist: hist.map((h) => Number(r[`s_${h}`])),
  }));
}

/** A trace's spans are assumed to lie within this distance of a hinted timestamp (as in DuckDB). */
export const TRACE_HINT_WINDOW_MS = 24 * HOUR_MS;

export async function readTrace(conn: Connection, spans: string, project: string, traceId: string, hint?: { around?: number }): Promise<Span[]> {
  const where = `project = ${str(project)} AND trace_id = ${str(traceId)}`;
  const read = async (extra: string): Promise<Span[]> =>
    (await conn.rows(`SELECT ${SPAN_SELECT} FROM ${spans} WHERE ${where}${extra} ORDER BY timestamp, span_id`)).map(rowSpan);
  const around = hint?.around;
  if (around !== undefined && Number.isFinite(around)) {
    const near = await read(` AND timestamp BETWEEN ${ms(around - TRACE_HINT_WINDOW_MS)} AND ${ms(around + TRACE_HINT_WINDOW_MS)}`);
    // A wrong hint must not hide a trace: nothing found near it falls back to the full scan.
    if (near.length > 0) return near;
  }
  return read('');
}

const IS_ERROR = '(error_type IS NOT NULL OR error_message IS NOT NULL)';
/** Name with a null marker, so argMin keeps a root span whose name is null: '0' null, '1'+name. */
const TAGGED_NAME = "concat(if(isNull(name), '0', '1'), ifNull(name, ''))";

/** Traces with at least one span in [from, to), summarised from their spans inside that window. */
export async function searchTraces(conn: Connection, spans: string, q: TraceSearch): Promise<TraceSummary[]> {
  const having: string[] = [];
  if (q.agent !== undefined) having.push(`countIf(agent_id = ${str(q.agent)}) > 0`);
  if (q.decision !== undefined) having.push(`countIf(ifNull(decision_made = ${str(q.decision)}, 0)) > 0`);
  if (q.errors_only) having.push('error_count > 0');
  if (q.min_latency_ms !== undefined) having.push(`duration_ms >= ${float(q.min_latency_ms)}`);
  if (q.min_cost_usd !== undefined) having.push(`total_cost >= ${float(q.min_cost_usd)}`);
  const rows = await conn.rows(
    `SELECT trace_id, argMin(agent_id, (timestamp, span_id)) AS first_agent,
        if(countIf(isNull(parent_span_id)) > 0,
          argMinIf(${TAGGED_NAME}, (timestamp, span_id), isNull(parent_span_id)),
          argMin(${TAGGED_NAME}, (timestamp, span_id))) AS tagged_root,
        min(timestamp) AS start, max(timestamp + latency_ms) - min(timestamp) AS duration_ms,
        count() AS span_count, countIf(${IS_ERROR}) AS error_count,
        sum(ifNull(cost_usd, 0)) AS total_cost, sum(tokens_input + tokens_output) AS tokens,
        groupArrayIf((timestamp, span_id, ifNull(decision_made, '')), isNotNull(decision_made)) AS decided
      FROM ${spans} WHERE project = ${str(q.project)} AND timestamp >= ${ms(q.from)} AND timestamp < ${ms(Math.ceil(q.to))}
      GROUP BY trace_id ${having.length > 0 ? `HAVING ${having.join(' AND ')}` : ''}
      ORDER BY start DESC, trace_id LIMIT ${int(Math.max(0, Math.floor(q.limit)))}`,
  );
  return rows.map((r) => {
    const tagged = r.tagged_root as string;
    const decided = r.decided as [number, string, string][];
    decided.sort((a, b) => Number(a[0]) - Number(b[0]) || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    return {
      trace_id: r.trace_id as string,
      agent_id: r.first_agent as string,
      root_name: tagged.startsWith('1') ? tagged.slice(1) : null,
      start: Number(r.start),
      duration_ms: Number(r.duration_ms),
      span_count: Number(r.span_count),
      error_count: Number(r.error_count),
      cost_usd: Number(r.total_cost),
      tokens: Number(r.tokens),
      decisions: decided.map((d) => d[2]),
    };
  });
}
