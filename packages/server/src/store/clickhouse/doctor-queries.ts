// ClickHouse SQL for the telemetry doctor (../doctor-reads.ts), in the subset 18.16 understands:
// attributes are JSON text read with visitParam* functions (top-level keys by the tokenizer of
// insight-queries.ts), no CTEs, every value a quoted literal (sql.ts). The same figures as
// ../duckdb/doctor-queries.ts; the median is the lower one, as DuckDB's quantile_disc.

import { ORIGIN_PREFIXES, READ_MARK, SDK_MARK, SOURCE_ATTRIBUTES } from '../../model/reserved-attributes.js';
import { PARENT_LOOKBACK_MS, type DoctorFigures, type DoctorOrphanExample, type DoctorScan, type DoctorSourceRow, type DoctorUnpricedModel, type DoctorUnreadAttribute } from '../doctor-reads.js';
import { orderDoctorFigures } from '../doctor-order.js';
import type { Connection } from './connection.js';
import { JSON_TOKEN, unescape } from './insight-queries.js';
import { int, ms, str } from './sql.js';

export interface DoctorTables {
  /** The spans table queried (Distributed in a cluster). */
  spans: string;
  /** The shard-local spans table: a trace's spans share a shard (sharded by trace_id), so parents are looked up locally. */
  localSpans: string;
}

/** The attribute's string value, or NULL when the span lacks it. */
const attr = (key: string): string =>
  `if(visitParamHas(attributes, ${str(key)}), toNullable(visitParamExtractString(attributes, ${str(key)})), NULL)`;

const SOURCE = `ifNull(${attr(SOURCE_ATTRIBUTES.service)}, agent_id) AS service,
  ${attr(SOURCE_ATTRIBUTES.scope)} AS scope, ${attr(SOURCE_ATTRIBUTES.scopeVersion)} AS scope_version,
  ifNull(${attr(SOURCE_ATTRIBUTES.sdk)}, ${attr(SDK_MARK)}) AS sdk, ${attr(SOURCE_ATTRIBUTES.sdkVersion)} AS sdk_version`;
const KEY = 'service, scope, scope_version, sdk, sdk_version';
const OTLP = `visitParamHas(attributes, ${str(READ_MARK)})`;
const PRICED_NOT = "cost_source = 'none' AND isNotNull(model) AND tokens_input + tokens_output > 0";

function inRange(q: DoctorScan): string {
  return `project = ${str(q.project)} AND timestamp >= ${ms(q.from)} AND timestamp < ${ms(Math.ceil(q.to))}`;
}

/** Whether a span is an orphan: its parent is not among the trace's spans near the range. */
function orphanSql(t: DoctorTables, q: DoctorScan): string {
  const parents = `SELECT trace_id, span_id FROM ${t.localSpans} WHERE project = ${str(q.project)}
    AND timestamp >= ${ms(q.from - PARENT_LOOKBACK_MS)} AND timestamp < ${ms(Math.ceil(q.to + PARENT_LOOKBACK_MS))}`;
  return `isNotNull(parent_span_id) AND ingested_at <= ${ms(q.orphanIngestedBefore)}
    AND (trace_id, assumeNotNull(parent_span_id)) NOT IN (${parents})`;
}

function spansSql(t: DoctorTables, q: DoctorScan): string {
  return `SELECT ${SOURCE}, ${OTLP} AS otlp, span_type = 'llm_call' AS llm, model, tokens_input, tokens_output, cost_source,
      session_id, decision_made, toFloat64(ingested_at) - (toFloat64(timestamp) + latency_ms) AS arrival, ${orphanSql(t, q)} AS orphan
    FROM ${t.spans} WHERE ${inRange(q)}`;
}

function sourcesSql(t: DoctorTables, q: DoctorScan): string {
  return `SELECT ${KEY}, count() AS spans, countIf(otlp) AS otlp_spans, countIf(llm) AS llm_calls,
      countIf(llm AND isNotNull(model)) AS llm_with_model,
      countIf(llm AND tokens_input + tokens_output > 0) AS llm_with_tokens,
      countIf(llm AND cost_source = 'given') AS llm_cost_given,
      countIf(llm AND cost_source = 'computed') AS llm_cost_computed,
      countIf(llm AND ${PRICED_NOT}) AS llm_cost_no_price,
      countIf(llm AND isNotNull(session_id)) AS llm_with_session,
      countIf(llm AND isNotNull(decision_made)) AS llm_with_decision,
      countIf(isNotNull(decision_made)) AS with_decision,
      countIf(orphan) AS orphans,
      min(arrival) AS arrival_min_ms, arrayElement(arraySort(groupArray(arrival)), intDiv(count() - 1, 2) + 1) AS arrival_median_ms,
      max(arrival) AS arrival_max_ms, countIf(arrival < 0) AS ended_after_arrival
    FROM (${spansSql(t, q)}) GROUP BY ${KEY}`;
}

/** Top-level keys of `attributes` (as the cohort scan finds them) and the READ_MARK list, unescaped. */
function unreadSql(t: DoctorTables, q: DoctorScan): string {
  const isKey = `i -> depth[i] = 1 AND toks[i + 1] = ':' AND substring(toks[i], 1, 1) = '"'`;
  const notOrigin = ORIGIN_PREFIXES.map((p) => `NOT startsWith(attribute, ${str(p)})`).join(' AND ');
  return `SELECT ${KEY}, attribute, count() AS spans FROM (
      SELECT ${SOURCE},
        extractAll(attributes, ${str(JSON_TOKEN)}) AS toks,
        arrayCumSum(arrayMap(x -> multiIf(x = '{' OR x = '[', 1, x = '}' OR x = ']', -1, 0), toks)) AS depth,
        arrayMap(i -> ${unescape('toks[i]')}, arrayFilter(${isKey}, arrayEnumerate(toks))) AS keys,
        arrayMap(x -> ${unescape('x')}, extractAll(visitParamExtractRaw(attributes, ${str(READ_MARK)}), ${str(String.raw`"(?:[^"\\]|\\.)*"`)})) AS kept
      FROM ${t.spans} WHERE ${inRange(q)} AND ${OTLP}
    ) ARRAY JOIN keys AS attribute
    WHERE ${notOrigin} AND NOT has(kept, attribute)
    GROUP BY ${KEY}, attribute
    ORDER BY spans DESC, attribute, ${KEY.split(', ').map((k) => `${k} NULLS FIRST`).join(', ')} LIMIT ${int(q.limit)}`;
}

export async function readDoctorFigures(conn: Connection, t: DoctorTables, q: DoctorScan): Promise<DoctorFigures> {
  // Aliases never reuse a column's name: ClickHouse would read the alias in WHERE too.
  const examples = (): Promise<(Omit<DoctorOrphanExample, 'parent_span_id'> & { parent: string })[]> =>
    conn.rows(
      `SELECT ifNull(${attr(SOURCE_ATTRIBUTES.service)}, agent_id) AS service, trace_id, span_id, assumeNotNull(parent_span_id) AS parent, name, timestamp
        FROM (SELECT agent_id, attributes, trace_id, span_id, parent_span_id, name, timestamp FROM ${t.spans}
          WHERE ${inRange(q)} AND ${orphanSql(t, q)} ORDER BY timestamp DESC, span_id LIMIT 5)`,
    );
  const [sources, unpriced, unread] = await Promise.all([
    conn.rows<DoctorSourceRow>(sourcesSql(t, q)),
    conn.rows<DoctorUnpricedModel>(
      // Aliases never reuse a column's name: ClickHouse would read the alias in WHERE too.
      `SELECT assumeNotNull(m) AS model, p AS provider, n AS spans, ti AS tokens_input, tout AS tokens_output FROM (
        SELECT model AS m, provider AS p, count() AS n, sum(tokens_input) AS ti, sum(tokens_output) AS tout
        FROM ${t.spans} WHERE ${inRange(q)} AND ${PRICED_NOT}
        GROUP BY m, p ORDER BY n DESC, m, p NULLS FIRST LIMIT ${int(q.limit)})`,
    ),
    conn.rows<DoctorUnreadAttribute>(unreadSql(t, q)),
  ]);
  // Most scans find no orphan: then the examples need no second pass.
  const orphans = sources.some((r) => r.orphans > 0)
    ? (await examples()).map(({ parent, ...o }): DoctorOrphanExample => ({ ...o, parent_span_id: parent }))
    : [];
  return orderDoctorFigures({ sources, unpriced_models: unpriced, unread_attributes: unread, orphan_examples: orphans });
}
