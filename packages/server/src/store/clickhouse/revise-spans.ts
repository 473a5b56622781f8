// Revising stored spans' trace-derived fields (agent, session, user, decision; see
// ../trace-attribution.ts) on ClickHouse: the spans are read as stored, their rollups get delta
// rows that subtract them under the old key and add them under the new one (SummingMergeTree and
// every read sum them; UInt64 figures wrap, so a −1 and a +1 sum to the true count), and one
// mutation per server rewrites the span rows, waited for. `inserted_at` is set to the revision's
// time, so the insight materializer's fingerprints see the hour changed and recompute it.

import type { Span } from '../../model/span.js';
import { HOUR_MS, MINUTE_MS, rollupDeltas, type RollupDelta } from '../rollup.js';
import { REPEATED_DECISION_ATTRIBUTE, type SpanRevision } from '../store.js';
import type { Connection, Row } from './connection.js';
import { HIST_MAP, localName, ROLLUP_SUMS, type Layout } from './schema.js';
import { spanFromRow } from '../span-row.js';
import { rollupRow, SPAN_SELECT } from './span-rows.js';
import { waitForMutations, type DataServers } from './retention.js';
import { ms, str } from './sql.js';

export interface ReviseTables {
  spans: string;
  minute: string;
  hour: string;
}

const keyOf = (traceId: string, spanId: string) => `${traceId}:${spanId}`;
/** keyOf in SQL (18.16 has no WITH in ALTER, so it is spelled where it is used). */
const KEY_SQL = "concat(trace_id, ':', span_id)";

function negated(d: RollupDelta): RollupDelta {
  return {
    ...d,
    count: -d.count,
    errors: -d.errors,
    latency_sum: -d.latency_sum,
    tokens_input: -d.tokens_input,
    tokens_output: -d.tokens_output,
    tokens_cache_read: -d.tokens_cache_read,
    tokens_cache_write: -d.tokens_cache_write,
    tokens_reasoning: -d.tokens_reasoning,
    cost_usd: -d.cost_usd,
    confidence_sum: -d.confidence_sum,
    confidence_count: -d.confidence_count,
    latency_hist: d.latency_hist.map((n) => -n),
  };
}

const UNSIGNED = new Set<string>(ROLLUP_SUMS.filter(([, type]) => type === 'UInt64').map(([c]) => c));
/** A negative count as the UInt64 that sums to the same result modulo 2^64, quoted (JSON numbers lose it). */
const wrapped = (n: number): number | string => (n < 0 ? BigInt.asUintN(64, BigInt(n)).toString() : n);

/** A rollup row whose negative unsigned figures are written wrapped (18.16 refuses a '-' there). */
function unsignedRow(row: Row): Row {
  for (const c of UNSIGNED) row[c] = wrapped(row[c] as number);
  row[HIST_MAP.count] = (row[HIST_MAP.count] as number[]).map(wrapped);
  return row;
}

/** `multiIf(key = k1, v1, …, otherwise)`: one column's new value per revised span. */
function perSpan(changed: readonly [string, SpanRevision][], value: (r: SpanRevision) => string, otherwise: string): string {
  const arms = changed.flatMap(([key, r]) => [`${KEY_SQL} = ${str(key)}`, value(r)]);
  return `multiIf(${arms.join(', ')}, ${otherwise})`;
}

const nullable = (v: string | null) => (v === null ? 'NULL' : str(v));

export async function reviseSpanRows(
  entry: Connection,
  servers: DataServers,
  layout: Layout,
  tables: ReviseTables,
  project: string,
  revisions: readonly SpanRevision[],
  now: number,
): Promise<number> {
  if (revisions.length === 0) return 0;
  const wanted = new Map(revisions.map((r) => [keyOf(r.trace_id, r.span_id), r]));
  const lo = Math.min(...revisions.map((r) => r.timestamp));
  const hi = Math.max(...revisions.map((r) => r.timestamp));
  const range = `project = ${str(project)} AND timestamp >= ${ms(lo)} AND timestamp <= ${ms(hi)}`;
  const keys = [...wanted.keys()].map(str).join(', ');
  const stored = (await entry.rows(`SELECT ${SPAN_SELECT} FROM ${tables.spans} WHERE ${range} AND ${KEY_SQL} IN (${keys})`)).map(spanFromRow);
  const before: Span[] = [];
  const after: Span[] = [];
  const changed = new Map<string, SpanRevision>();
  for (const s of stored) {
    const key = keyOf(s.trace_id, s.span_id);
    const r = wanted.get(key);
    if (r === undefined || r.timestamp !== s.timestamp) continue;
    if (s.agent_id === r.agent_id && s.session_id === r.session_id && s.user_id === r.user_id && s.decision_made === r.decision_made) continue;
    changed.set(key, r);
    if (s.agent_id !== r.agent_id || s.decision_made !== r.decision_made) {
      before.push(s);
      after.push({ ...s, agent_id: r.agent_id, decision_made: r.decision_made });
    }
  }
  if (changed.size === 0) return 0;
  const arms = [...changed];
  const repeated = (r: SpanRevision) =>
    r.repeated_decision === undefined
      ? 'attributes'
      : `if(position(attributes, ${str(JSON.stringify(REPEATED_DECISION_ATTRIBUTE))}) > 0, attributes, if(attributes = '{}', ${str(`{${JSON.stringify(REPEATED_DECISION_ATTRIBUTE)}:${JSON.stringify(r.repeated_decision)}}`)}, concat(${str(`{${JSON.stringify(REPEATED_DECISION_ATTRIBUTE)}:${JSON.stringify(r.repeated_decision)},`)}, substring(attributes, 2))))`;
  const local = localName(layout, 'spans');
  const sets = [
    `agent_id = ${perSpan(arms, (r) => str(r.agent_id), 'agent_id')}`,
    `session_id = ${perSpan(arms, (r) => nullable(r.session_id), 'session_id')}`,
    `user_id = ${perSpan(arms, (r) => nullable(r.user_id), 'user_id')}`,
    `decision_made = ${perSpan(arms, (r) => nullable(r.decision_made), 'decision_made')}`,
    `attributes = ${perSpan(arms, repeated, 'attributes')}`,
    `inserted_at = ${ms(now)}`,
  ];
  const where = `${range} AND ${KEY_SQL} IN (${arms.map(([k]) => str(k)).join(', ')})`;
  // As retention: to each shard's local table, or once ON CLUSTER where DDL goes through Keeper.
  const onCluster = layout.onCluster && layout.cluster !== undefined ? ` ON CLUSTER ${layout.cluster}` : '';
  for (const conn of servers.shards) await conn.command(`ALTER TABLE ${local}${onCluster} UPDATE ${sets.join(', ')} WHERE ${where}`);
  await Promise.all(servers.shards.map((conn) => waitForMutations(conn, local)));
  if (before.length > 0) {
    for (const [table, width] of [[tables.minute, MINUTE_MS], [tables.hour, HOUR_MS]] as const) {
      const rows = [...rollupDeltas(before, width).map(negated), ...rollupDeltas(after, width)].map((d) => unsignedRow(rollupRow(d)));
      await entry.insert(table, rows);
    }
  }
  return stored.filter((s) => changed.has(keyOf(s.trace_id, s.span_id))).length;
}
