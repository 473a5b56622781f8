// DuckDB SQL for the insight primitives: traces by decision path and spans by attribute value,
// per hour. The same aggregate SQL fills the hourly tables (insight-materialize.ts) and answers
// live for hours not materialized yet, so both paths give identical figures.

import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { GROWTH } from '../latency-sketch.js';
import { HOUR_MS } from '../rollup.js';
import { COHORT_SUMS, type CohortRow, type CohortScan, type InsightScan, type PathRow } from '../store.js';
import { queryRows } from './read-queries.js';
import { HIST_COLUMNS } from './schema.js';

/** Traces are assumed to end within this long after their hour; longer ones lose later spans. */
export const TRACE_HORIZON_MS = HOUR_MS;
/** At most this many distinct values per key per hour; the rest are summed as '(other)'. */
export const MAX_VALUES_PER_KEY = 100;
/** At most this many attribute keys per project per hour (the most frequent). */
export const MAX_KEYS = 64;
/** Longer keys and values are not cohort material (ids, free text). */
export const MAX_VALUE_LENGTH = 64;

const IS_ERROR = '(error_type IS NOT NULL OR error_message IS NOT NULL)';

/** SQL for latency-sketch.ts's bucketIndex(ms) of a DOUBLE expression. */
function bucketIndexSql(ms: string): string {
  return `CASE WHEN ${ms} < 1 THEN 0 WHEN ${ms} >= 600000 THEN ${HIST_COLUMNS.length - 1}
    ELSE least(${HIST_COLUMNS.length - 2}, greatest(1, 1 + floor(ln(${ms}) / ${Math.log(GROWTH)})::INTEGER)) END`;
}

/** `timestamp` conditions covering each run of consecutive hours, widened by `before`/`after` ms. */
function hourWindows(hours: readonly number[], before: number, after: number): string {
  const runs: [number, number][] = [];
  for (const h of [...hours].sort((a, b) => a - b)) {
    const last = runs[runs.length - 1];
    if (last !== undefined && h <= last[1]) last[1] = h + HOUR_MS;
    else runs.push([h, h + HOUR_MS]);
  }
  // The covering range first: DuckDB prunes row groups by it, which it does not for the OR.
  const cover = `timestamp >= ${runs[0]![0] - before} AND timestamp < ${runs[runs.length - 1]![1] + after}`;
  return `(${cover} AND (${runs.map(([a, b]) => `(timestamp >= ${a - before} AND timestamp < ${b + after})`).join(' OR ')}))`;
}

function hourList(hours: readonly number[]): string {
  return hours.map((h) => String(Math.floor(h))).join(', ');
}

/**
 * Traces whose first span falls in `hours`, by project × hour × agent × path. Columns match
 * path_hour's table order.
 */
export function pathAggregateSql(hours: readonly number[], where: string): string {
  // Measured at 10M spans (an hour of ~60k spans, EXPLAIN ANALYZE): 64 filtered counts cost more
  // than the rest of the query, and an ordered string_agg ~3× a sort of the few decisions of a trace
  // as a list; one histogram() per group and a sorted list give the same columns in ~half the time.
  return `SELECT * EXCLUDE (hm), ${HIST_COLUMNS.map((h, i) => `coalesce(hm[${i}], 0)::BIGINT AS ${h}`).join(', ')} FROM (
    SELECT project, (start // ${HOUR_MS}) * ${HOUR_MS} AS hour, agent_id, path,
      count(*) AS traces, sum(err) AS error_traces, sum(cost) AS cost_usd,
      sum(ti) AS tokens_input, sum(tout) AS tokens_output, sum(tc) AS tokens_cache_read, histogram(b) AS hm
    FROM (
      SELECT project, trace_id, min(timestamp) AS start, arg_min(agent_id, timestamp) AS agent_id,
        coalesce(array_to_string(list_transform(list_sort(list({t: timestamp, s: span_id, d: decision_made})
          FILTER (WHERE decision_made IS NOT NULL)), x -> x.d), ' → '), '(no decision)') AS path,
        bool_or(${IS_ERROR})::INTEGER AS err, coalesce(sum(cost_usd), 0) AS cost,
        sum(tokens_input) AS ti, sum(tokens_output) AS tout, sum(tokens_cache_read) AS tc,
        ${bucketIndexSql('(max(timestamp + latency_ms) - min(timestamp))::DOUBLE')} AS b
      FROM spans WHERE ${hourWindows(hours, TRACE_HORIZON_MS, TRACE_HORIZON_MS)} ${where}
      GROUP BY project, trace_id
      HAVING (min(timestamp) // ${HOUR_MS}) * ${HOUR_MS} IN (${hourList(hours)})
    ) t
    GROUP BY project, hour, agent_id, path)`;
}

/**
 * Spans in `hours` by project × hour × agent × key × value, each attribute with a scalar value
 * plus the user_id and model columns. Columns match cohort_hour's table order.
 */
export function cohortAggregateSql(hours: readonly number[], where: string, keyFilter: string): string {
  return `WITH s AS (
      SELECT project, (timestamp // ${HOUR_MS}) * ${HOUR_MS} AS hour, agent_id, attributes, user_id, model,
        (parent_span_id IS NULL)::INTEGER AS is_root, ${IS_ERROR}::INTEGER AS err, latency_ms,
        coalesce(cost_usd, 0) AS cost, tokens_input + tokens_output AS tokens, confidence
      FROM spans WHERE ${hourWindows(hours, 0, 0)} ${where}
    ),
    kv AS (
      SELECT s.project, s.hour, s.agent_id, s.is_root, s.err, s.latency_ms, s.cost, s.tokens, s.confidence, j.key AS k, j.value ->> '$' AS v
        FROM s, json_each(s.attributes) j
        WHERE j.type IN ('VARCHAR', 'BOOLEAN', 'BIGINT', 'UBIGINT', 'DOUBLE') AND length(j.key) <= ${MAX_VALUE_LENGTH}
      UNION ALL SELECT project, hour, agent_id, is_root, err, latency_ms, cost, tokens, confidence, 'user_id', user_id FROM s WHERE user_id IS NOT NULL
      UNION ALL SELECT project, hour, agent_id, is_root, err, latency_ms, cost, tokens, confidence, 'model', model FROM s WHERE model IS NOT NULL
    ),
    agg AS (
      SELECT project, hour, agent_id, k, CASE WHEN length(v) > ${MAX_VALUE_LENGTH} THEN '(other)' ELSE v END AS v,
        count(*) AS spans, sum(err) AS span_errors, sum(latency_ms) AS span_latency_sum,
        sum(is_root) AS traces, sum(is_root * err) AS trace_errors, sum(is_root * latency_ms) AS trace_latency_sum,
        sum(cost) AS cost_usd, sum(tokens) AS tokens, coalesce(sum(confidence), 0) AS confidence_sum,
        count(confidence) AS confidence_count
      FROM kv WHERE true ${keyFilter} GROUP BY ALL
    ),
    ranked AS (
      SELECT *,
        dense_rank() OVER (PARTITION BY project, hour, k ORDER BY value_total DESC, v) AS value_rank,
        dense_rank() OVER (PARTITION BY project, hour ORDER BY key_total DESC, k) AS key_rank
      FROM (SELECT *, sum(spans) OVER (PARTITION BY project, hour, k, v) AS value_total,
              sum(spans) OVER (PARTITION BY project, hour, k) AS key_total FROM agg)
    )
    SELECT project, hour, agent_id, k AS key,
      CASE WHEN value_rank <= ${MAX_VALUES_PER_KEY} THEN v ELSE '(other)' END AS value,
      sum(spans) AS spans, sum(span_errors) AS span_errors, sum(span_latency_sum) AS span_latency_sum,
      sum(traces) AS traces, sum(trace_errors) AS trace_errors, sum(trace_latency_sum) AS trace_latency_sum,
      sum(cost_usd) AS cost_usd, sum(tokens) AS tokens, sum(confidence_sum) AS confidence_sum,
      sum(confidence_count) AS confidence_count
    FROM ranked WHERE key_rank <= ${MAX_KEYS}
    GROUP BY ALL`;
}

/** Whole hours of a scan: from floored, to ceiled. */
export function scanHours(q: InsightScan): number[] {
  const out: number[] = [];
  for (let h = Math.floor(q.from / HOUR_MS) * HOUR_MS; h < q.to; h += HOUR_MS) out.push(h);
  return out;
}

/**
 * Hours whose materialized rows are current: no spans since the watermark (meta.insight_seq) and
 * not left open by the last pass. Such an hour is in insight_hours, or had no spans when the
 * materializer last ran and so has no rows: either way the hourly tables answer it exactly,
 * without a scan of raw spans (an empty hour would otherwise cost a scan of the whole table).
 */
async function freshHours(conn: DuckDBConnection, hours: readonly number[]): Promise<Set<number>> {
  if (hours.length === 0) return new Set();
  const [meta] = await queryRows(
    conn,
    "SELECT (SELECT value FROM meta WHERE key = 'insight_seq') AS seq, (SELECT value FROM meta WHERE key = 'insight_open_hours') AS open",
  );
  const seq = BigInt(String(meta?.seq ?? '0'));
  const stale = new Set<number>(JSON.parse(String(meta?.open ?? '[]')) as number[]);
  const dirty = await queryRows(conn, `SELECT DISTINCT (timestamp // ${HOUR_MS}) * ${HOUR_MS} AS hour FROM spans WHERE seq > ?`, [seq]);
  for (const r of dirty) {
    stale.add(r.hour as number);
    // As in the materializer: a late span in h may belong to a trace filed under h − 1.
    stale.add((r.hour as number) - HOUR_MS);
  }
  return new Set(hours.filter((h) => !stale.has(h)));
}

/** Splits a scan into materialized hours (read from `table`) and the rest (computed from spans). */
async function planScan(conn: DuckDBConnection, q: InsightScan): Promise<{ fresh: number[]; live: number[] }> {
  const hours = scanHours(q);
  const fresh = q.raw ? new Set<number>() : await freshHours(conn, hours);
  return { fresh: hours.filter((h) => fresh.has(h)), live: hours.filter((h) => !fresh.has(h)) };
}

function histOf(r: Record<string, unknown>): number[] {
  return HIST_COLUMNS.map((h) => Number(r[h] ?? 0));
}

export async function readInsightPaths(conn: DuckDBConnection, q: InsightScan): Promise<PathRow[]> {
  const { fresh, live } = await planScan(conn, q);
  const sums = `sum(traces)::DOUBLE AS traces, sum(error_traces)::DOUBLE AS error_traces, sum(cost_usd) AS cost_usd,
    sum(tokens_input)::DOUBLE AS tokens_input, sum(tokens_output)::DOUBLE AS tokens_output,
    sum(tokens_cache_read)::DOUBLE AS tokens_cache_read, ${HIST_COLUMNS.map((h) => `sum(${h})::DOUBLE AS ${h}`).join(', ')}`;
  const parts: string[] = [];
  const params: DuckDBValue[] = [];
  const agentCond = q.agent === undefined ? '' : 'AND agent_id = ?';
  if (fresh.length > 0) {
    parts.push(`SELECT agent_id, path, ${sums} FROM path_hour WHERE project = ? AND hour IN (${hourList(fresh)}) ${agentCond} GROUP BY agent_id, path`);
    params.push(q.project, ...(q.agent === undefined ? [] : [q.agent]));
  }
  if (live.length > 0) {
    parts.push(`SELECT agent_id, path, ${sums} FROM (${pathAggregateSql(live, 'AND project = ?')}) WHERE true ${agentCond} GROUP BY agent_id, path`);
    params.push(q.project, ...(q.agent === undefined ? [] : [q.agent]));
  }
  if (parts.length === 0) return [];
  const rows = await queryRows(
    conn,
    `SELECT agent_id, path, ${sums} FROM (${parts.join(' UNION ALL ')}) GROUP BY agent_id, path ORDER BY agent_id, path`,
    params,
  );
  return rows.map((r) => ({
    agent_id: r.agent_id as string,
    path: r.path as string,
    traces: r.traces as number,
    error_traces: r.error_traces as number,
    cost_usd: r.cost_usd as number,
    tokens_input: r.tokens_input as number,
    tokens_output: r.tokens_output as number,
    tokens_cache_read: r.tokens_cache_read as number,
    duration_hist: histOf(r),
  }));
}

/**
 * SQL (and its parameters) of the rows agent_id, key, value, COHORT_SUMS of a cohort scan: the
 * materialized hours read from cohort_hour, the rest computed from spans; null when no hour is
 * scanned. Several rows may share an agent, key and value.
 */
export async function cohortSourceSql(conn: DuckDBConnection, q: CohortScan): Promise<{ sql: string; params: DuckDBValue[] } | null> {
  const { fresh, live } = await planScan(conn, q);
  const keys = q.keys ?? [];
  const keyCond = (col: string) => (keys.length === 0 ? '' : `AND ${col} IN (${keys.map(() => '?').join(', ')})`);
  const agentCond = q.agent === undefined ? '' : 'AND agent_id = ?';
  const parts: string[] = [];
  const params: DuckDBValue[] = [];
  const cols = COHORT_SUMS.join(', ');
  if (fresh.length > 0) {
    parts.push(`SELECT agent_id, key, value, ${cols} FROM cohort_hour
      WHERE project = ? AND hour IN (${hourList(fresh)}) ${agentCond} ${keyCond('key')}`);
    params.push(q.project, ...(q.agent === undefined ? [] : [q.agent]), ...keys);
  }
  if (live.length > 0) {
    // Agent and keys filter after the per-hour caps, so live hours rank as materialized ones do.
    parts.push(`SELECT agent_id, key, value, ${cols} FROM (${cohortAggregateSql(live, 'AND project = ?', '')})
      WHERE true ${agentCond} ${keyCond('key')}`);
    params.push(q.project, ...(q.agent === undefined ? [] : [q.agent]), ...keys);
  }
  return parts.length === 0 ? null : { sql: parts.join(' UNION ALL '), params };
}

export async function readInsightCohorts(conn: DuckDBConnection, q: CohortScan): Promise<CohortRow[]> {
  const source = await cohortSourceSql(conn, q);
  if (source === null) return [];
  const sums = COHORT_SUMS.map((c) => `sum(${c})::DOUBLE AS ${c}`).join(', ');
  const min = Math.max(0, Math.floor(q.minCount ?? 0));
  // Values big enough to test are found first, so only their rows are summed per agent (user ids
  // make most values small: at 10M spans this reads 125k hour rows and sums 15k per-agent rows).
  const rows = await queryRows(
    conn,
    `WITH src AS MATERIALIZED (${source.sql}),
      big AS (SELECT key, value FROM src GROUP BY key, value HAVING sum(traces) >= ${min} OR (sum(traces) = 0 AND sum(spans) >= ${min}))
    SELECT agent_id, key, value, ${sums} FROM src SEMI JOIN big USING (key, value) GROUP BY agent_id, key, value
    UNION ALL SELECT agent_id, key, NULL AS value, ${sums} FROM src GROUP BY agent_id, key
    ORDER BY key, value NULLS FIRST, agent_id`,
    source.params,
  );
  return rows.map((r) => {
    const row = { agent_id: r.agent_id as string, key: r.key as string, value: (r.value ?? null) as string | null } as CohortRow;
    for (const c of COHORT_SUMS) row[c] = r[c] as number;
    return row;
  });
}
