// DuckDB SQL for the telemetry doctor (../doctor-reads.ts): four reads of raw spans in a range,
// attributes parsed with DuckDB's JSON functions. Attribute names are constants; every value a
// caller supplies is a bound parameter.

import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { ORIGIN_PREFIXES, READ_MARK, SDK_MARK, SOURCE_ATTRIBUTES } from '../../model/reserved-attributes.js';
import { PARENT_LOOKBACK_MS, type DoctorFigures, type DoctorOrphanExample, type DoctorScan, type DoctorSourceRow, type DoctorUnpricedModel, type DoctorUnreadAttribute } from '../doctor-reads.js';
import { orderDoctorFigures } from '../doctor-order.js';
import { queryRows } from './read-queries.js';

const attr = (key: string): string => `json_extract_string(attributes, '$."${key}"')`;

const SOURCE = `coalesce(${attr(SOURCE_ATTRIBUTES.service)}, agent_id) AS service,
  ${attr(SOURCE_ATTRIBUTES.scope)} AS scope, ${attr(SOURCE_ATTRIBUTES.scopeVersion)} AS scope_version,
  coalesce(${attr(SOURCE_ATTRIBUTES.sdk)}, ${attr(SDK_MARK)}) AS sdk, ${attr(SOURCE_ATTRIBUTES.sdkVersion)} AS sdk_version`;
const KEY = 'service, scope, scope_version, sdk, sdk_version';
const READ = `json_extract(attributes, '$."${READ_MARK}"')`;
const IN_RANGE = 'project = ? AND timestamp >= ? AND timestamp < ?';
const PRICED_NOT = "cost_source = 'none' AND model IS NOT NULL AND tokens_input + tokens_output > 0";

/**
 * The range's spans (`c`) joined to their parent (`p.span_id` NULL when none is stored near the
 * range), by a hash join: a correlated NOT EXISTS cost ~100× more. Parameters: the parents'
 * window, then the range.
 */
const WITH_PARENT = `spans c LEFT JOIN (SELECT DISTINCT trace_id, span_id FROM spans WHERE project = ? AND timestamp >= ? AND timestamp < ?) p
    ON p.trace_id = c.trace_id AND p.span_id = c.parent_span_id`;
const IN_RANGE_C = 'c.project = ? AND c.timestamp >= ? AND c.timestamp < ?';
/** Whether span `c` is an orphan; parameter: ingested-before. */
const ORPHAN = 'c.parent_span_id IS NOT NULL AND p.span_id IS NULL AND c.ingested_at <= ?';

/** The scan's spans with their source, flags and orphan verdict; parameters: ORPHAN's, WITH_PARENT's, the range. */
const SPANS = `SELECT ${SOURCE}, ${READ} IS NOT NULL AS otlp, span_type = 'llm_call' AS llm, model, tokens_input,
    tokens_output, cost_source, session_id, decision_made, ingested_at - (timestamp + latency_ms) AS arrival, ${ORPHAN} AS orphan
  FROM ${WITH_PARENT} WHERE ${IN_RANGE_C}`;

const SOURCES = `SELECT ${KEY}, count(*)::DOUBLE AS spans, count(*) FILTER (WHERE otlp)::DOUBLE AS otlp_spans,
    count(*) FILTER (WHERE llm)::DOUBLE AS llm_calls,
    count(*) FILTER (WHERE llm AND model IS NOT NULL)::DOUBLE AS llm_with_model,
    count(*) FILTER (WHERE llm AND tokens_input + tokens_output > 0)::DOUBLE AS llm_with_tokens,
    count(*) FILTER (WHERE llm AND cost_source = 'given')::DOUBLE AS llm_cost_given,
    count(*) FILTER (WHERE llm AND cost_source = 'computed')::DOUBLE AS llm_cost_computed,
    count(*) FILTER (WHERE llm AND ${PRICED_NOT})::DOUBLE AS llm_cost_no_price,
    count(*) FILTER (WHERE llm AND session_id IS NOT NULL)::DOUBLE AS llm_with_session,
    count(*) FILTER (WHERE llm AND decision_made IS NOT NULL)::DOUBLE AS llm_with_decision,
    count(*) FILTER (WHERE decision_made IS NOT NULL)::DOUBLE AS with_decision,
    count(*) FILTER (WHERE orphan)::DOUBLE AS orphans,
    min(arrival) AS arrival_min_ms, quantile_disc(arrival, 0.5) AS arrival_median_ms, max(arrival) AS arrival_max_ms,
    count(*) FILTER (WHERE arrival < 0)::DOUBLE AS ended_after_arrival
  FROM (${SPANS}) GROUP BY ${KEY}`;

/** The newest orphans, attributes parsed for them alone; parameters: WITH_PARENT's, the range, ORPHAN's. */
const ORPHANS = `SELECT coalesce(${attr(SOURCE_ATTRIBUTES.service)}, agent_id) AS service, trace_id, span_id, parent_span_id, name,
    timestamp::DOUBLE AS timestamp
  FROM (SELECT c.* FROM ${WITH_PARENT} WHERE ${IN_RANGE_C} AND ${ORPHAN} ORDER BY c.timestamp DESC, c.span_id LIMIT 5)`;

const UNPRICED = `SELECT model, provider, count(*)::DOUBLE AS spans, sum(tokens_input)::DOUBLE AS tokens_input,
    sum(tokens_output)::DOUBLE AS tokens_output
  FROM spans WHERE ${IN_RANGE} AND ${PRICED_NOT}
  GROUP BY model, provider ORDER BY spans DESC, model, provider NULLS FIRST LIMIT ?`;

/** Spans are first counted per source × key set × read list (few distinct ones), then unnested. */
const UNREAD = `SELECT ${KEY}, attribute, sum(n)::DOUBLE AS spans FROM (
    SELECT ${KEY}, unnest(keys) AS attribute, CAST(kept AS VARCHAR[]) AS kept, n FROM (
      SELECT ${SOURCE}, json_keys(attributes) AS keys, ${READ} AS kept, count(*) AS n
      FROM spans WHERE ${IN_RANGE} AND ${READ} IS NOT NULL GROUP BY ALL))
  WHERE ${ORIGIN_PREFIXES.map((p) => `NOT starts_with(attribute, '${p}')`).join(' AND ')} AND NOT list_contains(kept, attribute)
  GROUP BY ${KEY}, attribute
  ORDER BY spans DESC, attribute, ${KEY.split(', ').map((k) => `${k} NULLS FIRST`).join(', ')} LIMIT ?`;

export async function readDoctorFigures(conn: DuckDBConnection, q: DoctorScan): Promise<DoctorFigures> {
  const range: DuckDBValue[] = [q.project, BigInt(Math.floor(q.from)), BigInt(Math.ceil(q.to))];
  const parents: DuckDBValue[] = [q.project, BigInt(Math.floor(q.from - PARENT_LOOKBACK_MS)), BigInt(Math.ceil(q.to + PARENT_LOOKBACK_MS))];
  const orphan: DuckDBValue[] = [BigInt(Math.floor(q.orphanIngestedBefore))];
  const limit = BigInt(Math.max(0, Math.floor(q.limit)));
  const sources = (await queryRows(conn, SOURCES, [...orphan, ...parents, ...range])) as unknown as DoctorSourceRow[];
  // Most scans find no orphan: then the examples need no second pass.
  const orphans = sources.some((r) => r.orphans > 0) ? ((await queryRows(conn, ORPHANS, [...parents, ...range, ...orphan])) as unknown as DoctorOrphanExample[]) : [];
  const unpriced = (await queryRows(conn, UNPRICED, [...range, limit])) as unknown as DoctorUnpricedModel[];
  const unread = (await queryRows(conn, UNREAD, [...range, limit])) as unknown as DoctorUnreadAttribute[];
  return orderDoctorFigures({ sources, unpriced_models: unpriced, unread_attributes: unread, orphan_examples: orphans });
}
