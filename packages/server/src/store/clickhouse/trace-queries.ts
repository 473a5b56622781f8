// Trace reads on ClickHouse: one trace, and trace search. Spans are sorted by time, so finding a
// trace by id meant reading trace_id for every span (~150 ms at 10M). trace_index (schema.ts,
// version 4) has each trace's time span under a primary key on (project, trace_id): a lookup there
// bounds the read of spans to that span of time, for one trace and for a search's newest traces.

import { attributeNeedles, type AttributeMatch } from '../attribute-match.js';
import { HOUR_MS, MINUTE_MS } from '../rollup.js';
import type { Span } from '../../model/span.js';
import type { SpanRef, TraceSearch, TraceSummary } from '../store.js';
import type { Connection, Row } from './connection.js';
import { spanFromRow } from '../span-row.js';
import { SPAN_SELECT } from './span-rows.js';
import { float, int, ms, str } from './sql.js';

export interface TraceTables {
  /** Spans as queried (Distributed in a cluster). */
  spans: string;
  /** The table behind `spans` on each server: IN subqueries run per shard, where a trace's spans are. */
  localSpans: string;
  /** trace_index as queried. */
  index: string;
}

/** A trace's spans are assumed to lie within this distance of a hinted timestamp (as in DuckDB). */
export const TRACE_HINT_WINDOW_MS = 24 * HOUR_MS;

/** First and last span timestamp of a trace per trace_index, or null when it has no row. */
async function traceWindow(conn: Connection, index: string, project: string, traceId: string): Promise<{ from: number; to: number } | null> {
  const rows = await conn.rows(
    `SELECT count() AS n, min(first_ts) AS first, max(last_ts) AS last FROM ${index}
      WHERE project = ${str(project)} AND trace_id = ${str(traceId)}`,
  );
  const r = rows[0];
  return r === undefined || Number(r.n) === 0 ? null : { from: Number(r.first), to: Number(r.last) };
}

/**
 * A trace's spans, ordered by (timestamp, span_id): from the time span trace_index gives or, without
 * an index row, near `hint.around`; either falls back to every span when it finds nothing, so a
 * missing index row or a wrong hint never hides a trace (the same rules as DuckDB's readTrace).
 */
export async function readTrace(conn: Connection, t: TraceTables, project: string, traceId: string, hint?: { around?: number }): Promise<Span[]> {
  return (await readTraceRows(conn, t, SPAN_SELECT, project, traceId, hint)).map(spanFromRow);
}

/** Rows of `columns` for a trace's spans (those meeting `extraWhere`), found as readTrace finds them. */
export async function readTraceRows(
  conn: Connection,
  t: TraceTables,
  columns: string,
  project: string,
  traceId: string,
  hint?: { around?: number },
  extraWhere = '',
): Promise<Row[]> {
  const where = `project = ${str(project)} AND trace_id = ${str(traceId)}${extraWhere}`;
  const read = (extra: string): Promise<Row[]> => conn.rows(`SELECT ${columns} FROM ${t.spans} WHERE ${where}${extra} ORDER BY timestamp, span_id`);
  const window = await traceWindow(conn, t.index, project, traceId);
  const around = hint?.around;
  const range =
    window !== null
      ? [window.from, window.to]
      : around !== undefined && Number.isFinite(around)
        ? [around - TRACE_HINT_WINDOW_MS, around + TRACE_HINT_WINDOW_MS]
        : null;
  if (range !== null) {
    const near = await read(` AND timestamp BETWEEN ${ms(range[0]!)} AND ${ms(range[1]!)}`);
    if (near.length > 0) return near;
  }
  return read('');
}

const IS_ERROR = '(error_type IS NOT NULL OR error_message IS NOT NULL)';
/** Name with a null marker, so argMin keeps a root span whose name is null: '0' null, '1'+name. */
const TAGGED_NAME = "concat(if(isNull(name), '0', '1'), ifNull(name, ''))";

/** Summaries of the traces with spans in [readFrom, to), from those spans, filtered, newest first. */
async function summaries(conn: Connection, spans: string, q: TraceSearch, readFrom: number, limit: number, extraWhere = ''): Promise<TraceSummary[]> {
  const having: string[] = [];
  if (q.agent !== undefined) having.push(`countIf(agent_id = ${str(q.agent)}) > 0`);
  if (q.decision !== undefined) having.push(`countIf(ifNull(decision_made = ${str(q.decision)}, 0)) > 0`);
  if (q.errors_only) having.push('error_count > 0');
  if (q.min_latency_ms !== undefined) having.push(`duration_ms >= ${float(q.min_latency_ms)}`);
  if (q.min_cost_usd !== undefined) having.push(`total_cost >= ${float(q.min_cost_usd)}`);
  if (hasText(q)) having.push(`countIf(${TEXT_MATCH(q.text!)}) > 0`);
  if (q.session_id !== undefined) having.push(`countIf(ifNull(session_id = ${str(q.session_id)}, 0)) > 0`);
  if (q.user_id !== undefined) having.push(`countIf(ifNull(user_id = ${str(q.user_id)}, 0)) > 0`);
  for (const m of q.attributes ?? []) having.push(`countIf(${ATTRIBUTE_MATCH(m)}) > 0`);
  const rows = await conn.rows(
    `SELECT trace_id, argMin(agent_id, (timestamp, span_id)) AS first_agent,
        if(countIf(isNull(parent_span_id)) > 0,
          argMinIf(${TAGGED_NAME}, (timestamp, span_id), isNull(parent_span_id)),
          argMin(${TAGGED_NAME}, (timestamp, span_id))) AS tagged_root,
        min(timestamp) AS start, max(timestamp + latency_ms) - min(timestamp) AS duration_ms,
        count() AS span_count, countIf(${IS_ERROR}) AS error_count,
        sum(ifNull(cost_usd, 0)) AS total_cost, sum(tokens_input + tokens_output) AS tokens,
        groupArrayIf((timestamp, span_id, ifNull(decision_made, '')), isNotNull(decision_made)) AS decided
      FROM ${spans} WHERE project = ${str(q.project)} AND timestamp >= ${ms(readFrom)} AND timestamp < ${ms(Math.ceil(q.to))}${extraWhere}
      GROUP BY trace_id ${having.length > 0 ? `HAVING ${having.join(' AND ')}` : ''}
      ORDER BY start DESC, trace_id LIMIT ${int(limit)}`,
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

const hasText = (q: TraceSearch): boolean => q.text !== undefined && q.text !== '';
/** A span whose name, error, input or output contains `text`, case-insensitively (as DuckDB's contains on lowered text). */
const TEXT_MATCH = (text: string): string =>
  `positionCaseInsensitiveUTF8(concat(ifNull(name, ''), '\\n', ifNull(error_type, ''), '\\n', ifNull(error_message, ''), '\\n', ifNull(input, ''), '\\n', ifNull(output, '')), ${str(text)}) > 0`;

/** A span whose attribute JSON holds `m` (attribute-match.ts; DuckDB runs the same test). */
const ATTRIBUTE_MATCH = (m: AttributeMatch): string => `(${attributeNeedles(m).map((n) => `position(attributes, ${str(n)}) > 0`).join(' OR ')})`;

/** A span condition every trace the search keeps has at least one span meeting (or ''). */
function necessarySpan(q: TraceSearch): string {
  if (q.session_id !== undefined) return `session_id = ${str(q.session_id)}`;
  if (q.user_id !== undefined) return `user_id = ${str(q.user_id)}`;
  if (q.attributes !== undefined && q.attributes.length > 0) return ATTRIBUTE_MATCH(q.attributes[0]!);
  if (hasText(q)) return TEXT_MATCH(q.text!);
  if (q.errors_only) return IS_ERROR;
  if (q.agent !== undefined) return `agent_id = ${str(q.agent)}`;
  if (q.decision !== undefined) return `decision_made = ${str(q.decision)}`;
  return '';
}

/**
 * The newest `limit` traces, if the recent part [since, to) of the range decides them, else null.
 * Summaries of the traces seen there are exact for those whose earliest indexed span is at or after
 * `since` (all their spans in range are then in it); a trace with an earlier span in range starts
 * before `since` and is dropped; one whose earliest span precedes the whole range, or that has no
 * index row, cannot be decided from the index: null, and the caller reads the whole range.
 */
async function searchRecent(conn: Connection, t: TraceTables, q: TraceSearch, since: number, limit: number): Promise<TraceSummary[] | null | 'widen'> {
  const necessary = necessarySpan(q);
  const seen = necessary === ''
    ? ''
    : ` AND trace_id IN (SELECT trace_id FROM ${t.localSpans} WHERE project = ${str(q.project)}
        AND timestamp >= ${ms(since)} AND timestamp < ${ms(Math.ceil(q.to))} AND ${necessary})`;
  // Twice the limit, so a few traces that turn out to start earlier do not force a wider read.
  const recent = await summaries(conn, t.spans, q, since, 2 * limit, seen);
  if (recent.length === 0) return 'widen';
  const firsts = await conn.rows(
    `SELECT trace_id, min(first_ts) AS first FROM ${t.index}
      WHERE project = ${str(q.project)} AND trace_id IN (${recent.map((s) => str(s.trace_id)).join(', ')})
      GROUP BY trace_id`,
  );
  const first = new Map(firsts.map((r) => [r.trace_id as string, Number(r.first)]));
  const kept: TraceSummary[] = [];
  for (const s of recent) {
    const earliest = first.get(s.trace_id);
    if (earliest === undefined || earliest < q.from) return null;
    if (earliest < since) continue;
    kept.push(s);
    if (kept.length === limit) return kept;
  }
  return 'widen';
}

/** The first recent part read is this fraction of the range (5.6 min of a day); each miss reads 4× more. */
const FIRST_PART = 1 / 256;
const WIDEN = 4;
/** Past this fraction of the range, reading the whole range costs little more. */
const LAST_PART = 1 / 16;
/**
 * Larger limits read the whole range: the index lookup lists 2 × limit trace ids (≤ 256 characters
 * each) in its SQL, which must stay under ClickHouse's max_query_size (256 KiB).
 */
const MAX_RECENT_LIMIT = 250;

/**
 * Traces with at least one span in [from, to), summarised from their spans inside that window,
 * newest first. Reads the most recent part of the range first and widens it until the newest `limit`
 * traces are decided (a dashboard asks for 50 of the last 24 h: a few minutes of spans), else the
 * whole range.
 */
export async function searchTraces(conn: Connection, t: TraceTables, q: TraceSearch): Promise<TraceSummary[]> {
  const limit = Math.max(0, Math.floor(q.limit));
  const to = Math.ceil(q.to);
  const range = to - q.from;
  if (limit > 0 && limit <= MAX_RECENT_LIMIT) {
    for (let width = Math.max(MINUTE_MS, Math.ceil(range * FIRST_PART)); width <= range * LAST_PART; width *= WIDEN) {
      const found = await searchRecent(conn, t, q, to - width, limit);
      if (found === null) break;
      if (found !== 'widen') return found;
    }
  }
  return summaries(conn, t.spans, q, q.from, limit);
}

/** Trace ids per lookup: 400 ids of up to 256 characters keep the SQL well under max_query_size (256 KiB). */
const KNOWN_CHUNK = 400;

/** Which refs the project stores (see Store.knownSpans), a lookup per chunk of trace ids. */
export async function knownSpans(conn: Connection, spans: string, project: string, refs: SpanRef[]): Promise<SpanRef[]> {
  const wanted = new Set(refs.map((r) => `${r.trace_id}\u0000${r.span_id}`));
  const traces = [...new Set(refs.map((r) => r.trace_id))];
  const found: SpanRef[] = [];
  for (let i = 0; i < traces.length; i += KNOWN_CHUNK) {
    const ids = traces.slice(i, i + KNOWN_CHUNK).map(str).join(', ');
    const rows = await conn.rows(`SELECT DISTINCT trace_id, span_id FROM ${spans} WHERE project = ${str(project)} AND trace_id IN (${ids})`);
    for (const r of rows) {
      const ref = { trace_id: r.trace_id as string, span_id: r.span_id as string };
      if (wanted.has(`${ref.trace_id}\u0000${ref.span_id}`)) found.push(ref);
    }
  }
  return found;
}
