// ClickHouse SQL for the insight primitives (traces by decision path, spans by attribute value, per
// hour), figure for figure the DuckDB SQL of ../duckdb/insight-queries.ts, in the 18.16 subset: no
// window functions, no CTEs, no JSON type. Attributes are JSON text (JSON.stringify, span-rows.ts);
// their top-level scalar members are found by tokenizing that text (extractAll) and tracking the
// nesting depth (arrayCumSum); strings are unescaped by visitParamExtractString. The same aggregate
// SQL fills the hourly tables (insight-materialize.ts) and answers live for hours not materialized.

import { GROWTH } from '../latency-sketch.js';
import { HOUR_MS } from '../rollup.js';
import { COHORT_SUMS, type CohortRow, type CohortScan, type InsightScan, type PathRow } from '../store.js';
import type { Connection } from './connection.js';
import { HIST_COLUMNS } from './schema.js';
import { int, ms, str } from './sql.js';
import { compareUtf8 } from '../text-order.js';

/** Same limits as DuckDB (../duckdb/insight-queries.ts), so both backends cap identically. */
export const TRACE_HORIZON_MS = HOUR_MS;
export const MAX_VALUES_PER_KEY = 100;
export const MAX_KEYS = 64;
export const MAX_VALUE_LENGTH = 64;

const IS_ERROR = '(isNotNull(error_type) OR isNotNull(error_message))';

/** Tables the insight SQL reads and writes (qualified names). */
export interface InsightTables {
  spans: string;
  pathHour: string;
  cohortHour: string;
  insightHours: string;
}

export const PATH_SUMS = ['traces', 'error_traces', 'cost_usd', 'tokens_input', 'tokens_output', 'tokens_cache_read'] as const;


/** latency-sketch.ts's bucketIndex(ms) of a Float64 expression, as DuckDB's bucketIndexSql. */
function bucketIndexSql(x: string): string {
  return `multiIf(${x} < 1, 0, ${x} >= 600000, ${HIST_COLUMNS.length - 1},
    least(${HIST_COLUMNS.length - 2}, greatest(1, 1 + toInt64(floor(log(${x}) / ${Math.log(GROWTH)})))))`;
}

/** `timestamp` conditions covering each run of consecutive hours, widened by `before`/`after` ms. */
function hourWindows(hours: readonly number[], before: number, after: number): string {
  const runs: [number, number][] = [];
  for (const h of [...hours].sort((a, b) => a - b)) {
    const last = runs[runs.length - 1];
    if (last !== undefined && h <= last[1]) last[1] = h + HOUR_MS;
    else runs.push([h, h + HOUR_MS]);
  }
  return `(${runs.map(([a, b]) => `(timestamp >= ${ms(a - before)} AND timestamp < ${ms(b + after)})`).join(' OR ')})`;
}

function hourList(hours: readonly number[]): string {
  return hours.map((h) => ms(h)).join(', ');
}

/**
 * Traces whose first span falls in `hours`, by project × hour × agent × path. Columns: project,
 * hour, agent_id, path, PATH_SUMS, h0..h63.
 */
export function pathAggregateSql(spans: string, hours: readonly number[], where: string): string {
  return `SELECT project, intDiv(start, ${HOUR_MS}) * ${HOUR_MS} AS hour, first_agent AS agent_id, path,
      count() AS traces, sum(err) AS error_traces, sum(cost) AS cost_usd,
      sum(ti) AS tokens_input, sum(tout) AS tokens_output, sum(tc) AS tokens_cache_read,
      ${HIST_COLUMNS.map((h, i) => `countIf(b = ${i}) AS ${h}`).join(', ')}
    FROM (
      SELECT project, trace_id, min(timestamp) AS start, argMin(agent_id, (timestamp, span_id)) AS first_agent,
        arraySort(groupArrayIf((timestamp, span_id, ifNull(decision_made, '')), isNotNull(decision_made))) AS decided,
        if(length(decided) = 0, '(no decision)', arrayStringConcat(arrayMap(d -> d.3, decided), ' → ')) AS path,
        max(${IS_ERROR}) AS err, sum(ifNull(cost_usd, 0)) AS cost,
        sum(tokens_input) AS ti, sum(tokens_output) AS tout, sum(tokens_cache_read) AS tc,
        toFloat64(max(timestamp + latency_ms)) - toFloat64(min(timestamp)) AS duration,
        ${bucketIndexSql('duration')} AS b
      FROM ${spans} WHERE ${hourWindows(hours, TRACE_HORIZON_MS, TRACE_HORIZON_MS)} ${where}
      GROUP BY project, trace_id
      HAVING intDiv(min(timestamp), ${HOUR_MS}) * ${HOUR_MS} IN (${hourList(hours)})
    )
    GROUP BY project, hour, agent_id, path`;
}

/** One JSON token of JSON.stringify output: a string, a punctuation mark or a bare literal. */
export const JSON_TOKEN = String.raw`"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^"{}\[\]:,]+`;
export const unescape = (token: string): string => `visitParamExtractString(concat('{"k":', ${token}, '}'), 'k')`;

/**
 * Spans of `hours` with their cohort pairs: parallel arrays `ks`/`vs` of the top-level scalar
 * attributes (as DuckDB's json_each: strings, booleans, numbers; key ≤ 64 characters), then
 * user_id and model when set.
 */
function spanPairsSql(spans: string, hours: readonly number[], where: string): string {
  const isKey = `i -> depth[i] = 1 AND toks[i + 1] = ':' AND substring(toks[i], 1, 1) = '"'
    AND NOT has(['{', '[', 'null'], toks[i + 2]) AND lengthUTF8(${unescape('toks[i]')}) <= ${MAX_VALUE_LENGTH}`;
  return `SELECT project, intDiv(timestamp, ${HOUR_MS}) * ${HOUR_MS} AS hour, agent_id,
      isNull(parent_span_id) AS is_root, ${IS_ERROR} AS err, latency_ms, ifNull(cost_usd, 0) AS cost,
      tokens_input + tokens_output AS tokens, confidence,
      extractAll(attributes, ${str(JSON_TOKEN)}) AS toks,
      arrayCumSum(arrayMap(t -> multiIf(t = '{' OR t = '[', 1, t = '}' OR t = ']', -1, 0), toks)) AS depth,
      arrayFilter(${isKey}, arrayEnumerate(toks)) AS kix,
      arrayConcat(arrayMap(i -> ${unescape('toks[i]')}, kix),
        if(isNull(user_id), emptyArrayString(), ['user_id']), if(isNull(model), emptyArrayString(), ['model'])) AS ks,
      arrayConcat(arrayMap(i -> if(substring(toks[i + 2], 1, 1) = '"', ${unescape('toks[i + 2]')}, toks[i + 2]), kix),
        if(isNull(user_id), emptyArrayString(), [assumeNotNull(user_id)]),
        if(isNull(model), emptyArrayString(), [assumeNotNull(model)])) AS vs
    FROM ${spans} WHERE ${hourWindows(hours, 0, 0)} ${where}`;
}

/** Cohort pairs, one row per span × pair; values longer than 64 characters become '(other)'. */
function pairRowsSql(spans: string, hours: readonly number[], where: string, keyFilter: string): string {
  return `SELECT project, hour, agent_id, is_root, err, latency_ms, cost, tokens, confidence, k,
      if(lengthUTF8(pv) > ${MAX_VALUE_LENGTH}, '(other)', pv) AS v
    FROM (${spanPairsSql(spans, hours, where)}) ARRAY JOIN ks AS k, vs AS pv
    WHERE 1 ${keyFilter}`;
}

/**
 * Spans in `hours` by project × hour × agent × key × value. Columns: project, hour, agent_id, key,
 * value, COHORT_SUMS. As in DuckDB, only the 100 most frequent values of a key per hour (ties by
 * value) keep their name, the rest are '(other)', and only the 64 most frequent keys (ties by key)
 * are kept. Without window functions the ranking is a second pass: per key the sorted values, per
 * hour the sorted keys, joined back by (project, hour, key).
 */
export function cohortAggregateSql(spans: string, hours: readonly number[], where: string, keyFilter: string): string {
  const pairs = pairRowsSql(spans, hours, where, keyFilter);
  const ranks = `SELECT project, hour, ks[i] AS k, tops[i] AS top_values
    FROM (
      SELECT project, hour, ks, tops,
        arrayMap(x -> x.3, arraySlice(arraySort(arrayMap((t, kk, j) -> (-toInt64(t), kk, j), key_totals, ks, arrayEnumerate(ks))), 1, ${MAX_KEYS})) AS kept
      FROM (
        SELECT project, hour, groupArray(k) AS ks, groupArray(key_total) AS key_totals, groupArray(top) AS tops
        FROM (
          SELECT project, hour, k, sum(value_total) AS key_total,
            arraySlice(arrayMap(x -> x.2, arraySort(groupArray((-toInt64(value_total), v)))), 1, ${MAX_VALUES_PER_KEY}) AS top
          FROM (SELECT project, hour, k, v, count() AS value_total FROM (${pairs}) GROUP BY project, hour, k, v)
          GROUP BY project, hour, k
        )
        GROUP BY project, hour
      )
    )
    ARRAY JOIN kept AS i`;
  const agg = `SELECT project, hour, agent_id, k, v,
      count() AS spans, sum(err) AS span_errors, sum(latency_ms) AS span_latency_sum,
      sum(is_root) AS traces, sum(is_root * err) AS trace_errors, sum(is_root * latency_ms) AS trace_latency_sum,
      sum(cost) AS cost_usd, sum(tokens) AS tokens, sum(ifNull(confidence, 0)) AS confidence_sum,
      count(confidence) AS confidence_count
    FROM (${pairs}) GROUP BY project, hour, agent_id, k, v`;
  return `SELECT project, hour, agent_id, k AS key, if(has(top_values, v), v, '(other)') AS value,
      ${COHORT_SUMS.map((c) => `sum(${c}) AS ${c}`).join(', ')}
    FROM (${agg}) ANY INNER JOIN (${ranks}) USING (project, hour, k)
    GROUP BY project, hour, agent_id, key, value`;
}

/** Whole hours of a scan: from floored, to ceiled. */
export function scanHours(q: InsightScan): number[] {
  const out: number[] = [];
  for (let h = Math.floor(q.from / HOUR_MS) * HOUR_MS; h < q.to; h += HOUR_MS) out.push(h);
  return out;
}

// ---- Freshness: which materialized hours still equal the raw spans ----
//
// ClickHouse has no sequence to mark appends, so each materialization records fingerprints of the
// spans it read: per project, count and sum(inserted_at) (UInt64, wrapping; compared as text) of
// the hour and of the next one. Spans are append-only, so any append (or retention delete) changes
// the fingerprint. An hour is read from the tables only while its fingerprints are unchanged, for
// paths of the hour and the next (traces crossing the boundary), for cohorts of the hour.

export interface Fingerprint {
  n: string;
  s: string;
}

export const EMPTY_FINGERPRINT: Fingerprint = { n: '0', s: '0' };

/** The latest materialization of an hour. */
export interface Materialized {
  version: number;
  here: Fingerprint;
  next: Fingerprint;
}

export const sameFingerprint = (a: Fingerprint, b: Fingerprint): boolean => a.n === b.n && a.s === b.s;

/** Current fingerprints of the hours of spans matching `where`, per hour. */
export async function spanFingerprints(conn: Connection, spans: string, where: string): Promise<Map<number, Fingerprint>> {
  const rows = await conn.rows<{ hour: number; n: string; s: string }>(
    `SELECT intDiv(timestamp, ${HOUR_MS}) * ${HOUR_MS} AS hour, toString(count()) AS n, toString(sum(inserted_at)) AS s
      FROM ${spans} WHERE ${where} GROUP BY hour`,
  );
  return new Map(rows.map((r) => [Number(r.hour), { n: r.n, s: r.s }]));
}

/**
 * Latest materialization per hour among `where` (a condition on hour), with fingerprints summed
 * over the projects matching `projects` (a condition on project; every project for the materializer).
 */
export async function materializedHours(conn: Connection, insightHours: string, where: string, projects: string): Promise<Map<number, Materialized>> {
  const rows = await conn.rows<{ hour: number; version: number; n0: string; s0: string; n1: string; s1: string }>(
    `SELECT hour, version, toString(sumIf(n0, ${projects})) AS n0, toString(sumIf(s0, ${projects})) AS s0,
        toString(sumIf(n1, ${projects})) AS n1, toString(sumIf(s1, ${projects})) AS s1
      FROM ${insightHours} WHERE ${where} GROUP BY hour, version`,
  );
  const out = new Map<number, Materialized>();
  for (const r of rows) {
    const hour = Number(r.hour);
    const version = Number(r.version);
    if ((out.get(hour)?.version ?? -1) >= version) continue;
    out.set(hour, { version, here: { n: r.n0, s: r.s0 }, next: { n: r.n1, s: r.s1 } });
  }
  return out;
}

interface ScanPlan {
  /** Materialized and current: hour → version to read. */
  fresh: Map<number, number>;
  live: number[];
}

async function planScan(conn: Connection, t: InsightTables, q: InsightScan, withNext: boolean): Promise<ScanPlan> {
  const hours = scanHours(q);
  if (hours.length === 0 || q.raw) return { fresh: new Map(), live: hours };
  const first = hours[0]!;
  const last = hours[hours.length - 1]!;
  const done = await materializedHours(conn, t.insightHours, `hour >= ${ms(first)} AND hour <= ${ms(last)}`, `project = ${str(q.project)}`);
  const fresh = new Map<number, number>();
  if (done.size > 0) {
    const now = await spanFingerprints(
      conn,
      t.spans,
      `project = ${str(q.project)} AND timestamp >= ${ms(first)} AND timestamp < ${ms(last + 2 * HOUR_MS)}`,
    );
    for (const [h, m] of done) {
      const current = (hour: number) => now.get(hour) ?? EMPTY_FINGERPRINT;
      if (sameFingerprint(m.here, current(h)) && (!withNext || sameFingerprint(m.next, current(h + HOUR_MS)))) fresh.set(h, m.version);
    }
  }
  return { fresh, live: hours.filter((h) => !fresh.has(h)) };
}

function versionCond(fresh: Map<number, number>): string {
  return `(${[...fresh].map(([h, v]) => `(hour = ${ms(h)} AND version = ${int(v)})`).join(' OR ')})`;
}

export async function readInsightPaths(conn: Connection, t: InsightTables, q: InsightScan): Promise<PathRow[]> {
  const { fresh, live } = await planScan(conn, t, q, true);
  const cols = [...PATH_SUMS, ...HIST_COLUMNS];
  const sums = cols.map((c) => `toFloat64(sum(${c})) AS ${c}`).join(', ');
  const agentCond = q.agent === undefined ? '' : `AND agent_id = ${str(q.agent)}`;
  const parts: string[] = [];
  if (fresh.size > 0) {
    parts.push(`SELECT agent_id, path, ${sums} FROM ${t.pathHour}
      WHERE project = ${str(q.project)} AND ${versionCond(fresh)} ${agentCond} GROUP BY agent_id, path`);
  }
  if (live.length > 0) {
    parts.push(`SELECT agent_id, path, ${sums} FROM (${pathAggregateSql(t.spans, live, `AND project = ${str(q.project)}`)})
      WHERE 1 ${agentCond} GROUP BY agent_id, path`);
  }
  if (parts.length === 0) return [];
  const rows = await conn.rows(
    `SELECT agent_id, path, ${sums} FROM (${parts.join(' UNION ALL ')}) GROUP BY agent_id, path ORDER BY agent_id, path`,
  );
  return rows.map((r) => ({
    agent_id: r.agent_id as string,
    path: r.path as string,
    traces: Number(r.traces),
    error_traces: Number(r.error_traces),
    cost_usd: Number(r.cost_usd),
    tokens_input: Number(r.tokens_input),
    tokens_output: Number(r.tokens_output),
    tokens_cache_read: Number(r.tokens_cache_read),
    duration_hist: HIST_COLUMNS.map((h) => Number(r[h])),
  }));
}

/**
 * SQL of the rows agent_id, key, value, COHORT_SUMS (as Float64) of a cohort scan, one per agent ×
 * key × value: materialized hours from the cohort table, the rest computed from spans; null when
 * no hour is scanned.
 */
export async function cohortSourceSql(conn: Connection, t: InsightTables, q: CohortScan): Promise<string | null> {
  const { fresh, live } = await planScan(conn, t, q, false);
  const sums = COHORT_SUMS.map((c) => `toFloat64(sum(${c})) AS ${c}`).join(', ');
  const keys = q.keys ?? [];
  const keyCond = (col: string) => (keys.length === 0 ? '' : `AND ${col} IN (${keys.map(str).join(', ')})`);
  const agentCond = q.agent === undefined ? '' : `AND agent_id = ${str(q.agent)}`;
  const parts: string[] = [];
  if (fresh.size > 0) {
    parts.push(`SELECT agent_id, key, value, ${sums} FROM ${t.cohortHour}
      WHERE project = ${str(q.project)} AND ${versionCond(fresh)} ${agentCond} ${keyCond('key')} GROUP BY agent_id, key, value`);
  }
  if (live.length > 0) {
    // Agent and keys filter after the per-hour caps, so live hours rank as materialized ones do.
    parts.push(`SELECT agent_id, key, value, ${sums}
      FROM (${cohortAggregateSql(t.spans, live, `AND project = ${str(q.project)}`, '')})
      WHERE 1 ${agentCond} ${keyCond('key')} GROUP BY agent_id, key, value`);
  }
  if (parts.length === 0) return null;
  return `SELECT agent_id, key, value, ${sums} FROM (${parts.join(' UNION ALL ')}) GROUP BY agent_id, key, value`;
}

export async function readInsightCohorts(conn: Connection, t: InsightTables, q: CohortScan): Promise<CohortRow[]> {
  const source = await cohortSourceSql(conn, t, q);
  if (source === null) return [];
  const grouped = await conn.rows(source);
  const rows: CohortRow[] = grouped.map((r) => {
    const row = { agent_id: r.agent_id as string, key: r.key as string, value: r.value as string } as CohortRow;
    for (const c of COHORT_SUMS) row[c] = Number(r[c]);
    return row;
  });
  // Values with at least minCount traces (or, without traces, spans) over all agents, plus each
  // agent's total over every value of the key.
  const min = Math.max(0, Math.floor(q.minCount ?? 0));
  const perValue = new Map<string, { traces: number; spans: number }>();
  const totals = new Map<string, CohortRow>();
  for (const r of rows) {
    const vk = JSON.stringify([r.key, r.value]);
    const v = perValue.get(vk) ?? { traces: 0, spans: 0 };
    v.traces += r.traces;
    v.spans += r.spans;
    perValue.set(vk, v);
    const tk = JSON.stringify([r.agent_id, r.key]);
    const total = totals.get(tk) ?? ({ agent_id: r.agent_id, key: r.key, value: null } as CohortRow);
    for (const c of COHORT_SUMS) total[c] = (total[c] ?? 0) + r[c];
    totals.set(tk, total);
  }
  const big = rows.filter((r) => {
    const v = perValue.get(JSON.stringify([r.key, r.value]))!;
    return v.traces >= min || (v.traces === 0 && v.spans >= min);
  });
  return [...big, ...totals.values()].sort(
    (a, b) =>
      compareUtf8(a.key, b.key) ||
      (a.value === b.value ? 0 : a.value === null ? -1 : b.value === null ? 1 : compareUtf8(a.value, b.value)) ||
      compareUtf8(a.agent_id, b.agent_id),
  );
}
