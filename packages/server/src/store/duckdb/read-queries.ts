// Read-side SQL for the DuckDB store: rollups, one trace, trace search. Dimensions and filters are
// written by dimension-sql.ts; every user-supplied value is a bound parameter.

import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { SightlineError } from '../../model/errors.js';
import type { Span } from '../../model/span.js';
import { attributeNeedles } from '../attribute-match.js';
import { spanFromRow } from '../span-row.js';
import { HOUR_MS, MINUTE_MS, floorToBucket } from '../rollup.js';
import type { RollupQuery, RollupRow, SpanRef, TraceSearch, TraceSummary } from '../store.js';
import { dimensionColumn, filterConditions } from './dimension-sql.js';
import { fromDimensionRollup, readDimensionRollup } from './dimension-rollup.js';
import { HIST_COLUMNS, SPAN_COLUMNS } from './schema.js';

type Row = Record<string, unknown>;

/** Runs a query and returns plain row objects with BIGINT and HUGEINT values as numbers. */
export async function queryRows(
  conn: DuckDBConnection,
  sql: string,
  params: DuckDBValue[] = [],
): Promise<Row[]> {
  const reader = await conn.runAndReadAll(sql, params);
  const rows = reader.getRowObjectsJS() as Row[];
  for (const row of rows) {
    for (const k in row) if (typeof row[k] === 'bigint') row[k] = Number(row[k]);
  }
  return rows;
}

export async function readRollup(conn: DuckDBConnection, q: RollupQuery): Promise<RollupRow[]> {
  if (!Number.isInteger(q.bucketMs) || q.bucketMs <= 0 || q.bucketMs % MINUTE_MS !== 0) {
    throw new SightlineError('QUERY_INVALID', `bucketMs must be a positive multiple of 60000, got ${q.bucketMs}`);
  }
  if (q.filter.errors_only) {
    // Rollups sum errors per key but cannot separate the figures of failed spans from the rest.
    throw new SightlineError('QUERY_INVALID', 'errors_only is not available on rollups; read the errors column');
  }
  if (fromDimensionRollup(q)) return readDimensionRollup(conn, q);
  const table = q.bucketMs % HOUR_MS === 0 ? 'rollup_hour' : 'rollup_minute';
  const hist = q.histogram === false ? [] : HIST_COLUMNS;
  const groups = q.groupBy.map(dimensionColumn);
  const where = ['project = ?', 'bucket >= ?', 'bucket < ?'];
  const params: DuckDBValue[] = [q.project, BigInt(floorToBucket(q.from, q.bucketMs)), BigInt(Math.ceil(q.to))];
  filterConditions(q.filter, where, params);
  const groupSelect = groups.map((g, i) => `${g} AS g${i}`);
  const keys = ['b', ...groups.map((_, i) => `g${i}`)];
  const bucket = q.collapse ? `${floorToBucket(q.from, q.bucketMs)}::BIGINT` : `(bucket // ${q.bucketMs}) * ${q.bucketMs}`;
  const sql = `SELECT ${bucket} AS b, ${groupSelect.map((g) => `${g}, `).join('')}
      sum(count)::DOUBLE AS count, sum(errors)::DOUBLE AS errors, sum(latency_sum) AS latency_sum,
      sum(tokens_input)::DOUBLE AS tokens_input, sum(tokens_output)::DOUBLE AS tokens_output,
      sum(tokens_cache_read)::DOUBLE AS tokens_cache_read, sum(tokens_cache_write)::DOUBLE AS tokens_cache_write,
      sum(tokens_reasoning)::DOUBLE AS tokens_reasoning, sum(cost_usd) AS cost_usd,
      sum(confidence_sum) AS confidence_sum, sum(confidence_count)::DOUBLE AS confidence_count
      ${hist.map((h) => `, sum(${h})::DOUBLE AS ${h}`).join('')}
    FROM ${table} WHERE ${where.join(' AND ')}
    GROUP BY ${keys.join(', ')} HAVING sum(count) > 0 ORDER BY ${keys.map((k) => `${k} ASC NULLS LAST`).join(', ')}`;
  // Positional rows, not row objects: building 75-key objects cost more than the query itself.
  const rows = (await conn.runAndReadAll(sql, params)).getRows();
  const g = groups.length;
  const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));
  return rows.map((r) => ({
    bucket: num(r[0]),
    group: groups.map((_, i) => (r[1 + i] ?? null) as string | null),
    count: r[g + 1] as number,
    errors: r[g + 2] as number,
    latency_sum: r[g + 3] as number,
    tokens_input: r[g + 4] as number,
    tokens_output: r[g + 5] as number,
    tokens_cache_read: r[g + 6] as number,
    tokens_cache_write: r[g + 7] as number,
    tokens_reasoning: r[g + 8] as number,
    cost_usd: r[g + 9] as number,
    confidence_sum: r[g + 10] as number,
    confidence_count: r[g + 11] as number,
    latency_hist: hist.map((_, i) => r[g + 12 + i] as number),
  }));
}

export const SPAN_SELECT = SPAN_COLUMNS.map(([n]) => `"${n}"`).join(', ');

/** Optional hint for getTrace: a timestamp (ms) of one of the trace's spans, e.g. its start. */
export interface TraceHint {
  around?: number;
}

/**
 * A trace's spans are assumed to lie within this distance of a hinted timestamp. The hinted
 * query only reads row groups whose timestamp zone maps overlap that window.
 */
export const TRACE_HINT_WINDOW_MS = 24 * HOUR_MS;

/**
 * A trace's spans. With `window` (the trace's time span from trace-index.ts), first only row
 * groups overlapping it; without one, with `hint.around`, only row groups near that. Either falls
 * back to the full scan when it finds nothing, so a wrong hint or a stale window never hides a trace.
 */
export async function readTrace(
  conn: DuckDBConnection,
  project: string,
  traceId: string,
  hint?: TraceHint,
  window?: { from: number; to: number } | null,
): Promise<Span[]> {
  return (await readTraceRows(conn, SPAN_SELECT, project, traceId, hint, window)).map(spanFromRow);
}

/** The time span to read a trace's spans from first: the indexed window, else near the hint, else none. */
export function traceRange(hint?: TraceHint, window?: { from: number; to: number } | null): [number, number] | null {
  const around = hint?.around;
  if (window) return [window.from, window.to];
  if (around !== undefined && Number.isFinite(around)) return [Math.floor(around - TRACE_HINT_WINDOW_MS), Math.ceil(around + TRACE_HINT_WINDOW_MS)];
  return null;
}

/** Rows of `select` (columns of spans) for a trace's spans, found as readTrace finds them, ordered by (timestamp, span_id). */
export async function readTraceRows(
  conn: DuckDBConnection,
  columns: string,
  project: string,
  traceId: string,
  hint?: TraceHint,
  window?: { from: number; to: number } | null,
  extraWhere = '',
  extraParams: DuckDBValue[] = [],
): Promise<Row[]> {
  const select = `SELECT ${columns} FROM spans WHERE project = ? AND trace_id = ?${extraWhere}`;
  const order = 'ORDER BY timestamp, span_id';
  const range = traceRange(hint, window);
  if (range !== null) {
    const rows = await queryRows(conn, `${select} AND timestamp BETWEEN ? AND ? ${order}`, [project, traceId, ...extraParams, BigInt(range[0]), BigInt(range[1])]);
    if (rows.length > 0) return rows;
  }
  return queryRows(conn, `${select} ${order}`, [project, traceId, ...extraParams]);
}

const IS_ERROR = '(error_type IS NOT NULL OR error_message IS NOT NULL)';
const IS_ROOT = 'parent_span_id IS NULL';

/** Traces with at least one span in [from, to), summarised from their spans inside that window. */
export async function searchTraces(conn: DuckDBConnection, q: TraceSearch): Promise<TraceSummary[]> {
  const params: DuckDBValue[] = [q.project, BigInt(Math.floor(q.from)), BigInt(Math.ceil(q.to))];
  const having: string[] = [];
  if (q.agent !== undefined) {
    having.push('bool_or(agent_id = ?)');
    params.push(q.agent);
  }
  if (q.decision !== undefined) {
    having.push('bool_or(decision_made = ?)');
    params.push(q.decision);
  }
  if (q.errors_only) having.push(`count(*) FILTER (WHERE ${IS_ERROR}) > 0`);
  if (q.min_latency_ms !== undefined) {
    having.push('max(timestamp + latency_ms) - min(timestamp) >= ?');
    params.push(q.min_latency_ms);
  }
  if (q.min_cost_usd !== undefined) {
    having.push('coalesce(sum(cost_usd), 0) >= ?');
    params.push(q.min_cost_usd);
  }
  if (q.text !== undefined && q.text !== '') {
    // contains() on lowered text: no LIKE pattern, so % and _ in the text match themselves.
    having.push(`bool_or(contains(lower(concat_ws(chr(10), name, error_type, error_message, input, output)), ?))`);
    params.push(q.text.toLowerCase());
  }
  for (const [field, column] of [['session_id', 'session_id'], ['user_id', 'user_id']] as const) {
    if (q[field] === undefined) continue;
    having.push(`bool_or(${column} = ?)`);
    params.push(q[field]!);
  }
  for (const m of q.attributes ?? []) {
    const needles = attributeNeedles(m);
    having.push(`bool_or(${needles.map(() => 'contains(attributes, ?)').join(' OR ')})`);
    params.push(...needles);
  }
  params.push(Math.max(0, Math.floor(q.limit)), q.project, BigInt(Math.floor(q.from)), BigInt(Math.ceil(q.to)));
  // The page of traces is chosen first from each trace's start alone; only its traces get the
  // ordered aggregates (root name, decisions in order). Summarising every trace of the range
  // before the LIMIT cost ~0.4-0.9 s for an hour of 10M spans on the loaded bench machine.
  const rows = await queryRows(
    conn,
    `WITH page AS (
      SELECT trace_id FROM spans WHERE project = ? AND timestamp >= ? AND timestamp < ?
      GROUP BY trace_id ${having.length > 0 ? `HAVING ${having.join(' AND ')}` : ''}
      ORDER BY min(timestamp) DESC, trace_id LIMIT ?
    )
    SELECT trace_id, arg_min(agent_id, timestamp) AS agent_id,
        CASE WHEN count(*) FILTER (WHERE ${IS_ROOT}) > 0
          THEN first(name ORDER BY timestamp, span_id) FILTER (WHERE ${IS_ROOT})
          ELSE first(name ORDER BY timestamp, span_id) END AS root_name,
        min(timestamp) AS start, max(timestamp + latency_ms) - min(timestamp) AS duration_ms,
        count(*) AS span_count, count(*) FILTER (WHERE ${IS_ERROR}) AS error_count,
        coalesce(sum(cost_usd), 0) AS cost_usd, sum(tokens_input + tokens_output)::DOUBLE AS tokens,
        coalesce(list(decision_made ORDER BY timestamp, span_id) FILTER (WHERE decision_made IS NOT NULL), []) AS decisions
      FROM spans SEMI JOIN page USING (trace_id) WHERE project = ? AND timestamp >= ? AND timestamp < ?
      GROUP BY trace_id ORDER BY start DESC, trace_id`,
    params,
  );
  return rows.map((r) => ({
    trace_id: r.trace_id as string,
    agent_id: r.agent_id as string,
    root_name: (r.root_name ?? null) as string | null,
    start: r.start as number,
    duration_ms: r.duration_ms as number,
    span_count: r.span_count as number,
    error_count: r.error_count as number,
    cost_usd: r.cost_usd as number,
    tokens: r.tokens as number,
    decisions: r.decisions as string[],
  }));
}

/** The refs the project stores: one scan of trace_id (random ids defeat zone maps), span ids matched here. */
export async function knownSpans(conn: DuckDBConnection, project: string, refs: SpanRef[]): Promise<SpanRef[]> {
  if (refs.length === 0) return [];
  const wanted = new Set(refs.map((r) => `${r.trace_id}\u0000${r.span_id}`));
  const traces = [...new Set(refs.map((r) => r.trace_id))];
  const rows = await queryRows(
    conn,
    `SELECT DISTINCT trace_id, span_id FROM spans WHERE project = ? AND trace_id IN (${traces.map(() => '?').join(', ')})`,
    [project, ...traces],
  );
  return rows
    .map((r) => ({ trace_id: r.trace_id as string, span_id: r.span_id as string }))
    .filter((r) => wanted.has(`${r.trace_id}\u0000${r.span_id}`));
}
