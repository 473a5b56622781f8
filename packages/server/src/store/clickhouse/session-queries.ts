// Sessions and end users summarised from raw spans on ClickHouse (see ../session-store.ts): the
// same figures and order as DuckDB's session-queries.ts.

import type { SessionSearch, SessionSummary, UserSearch, UserSummary } from '../session-store.js';
import type { Connection } from './connection.js';
import { int, ms, str } from './sql.js';

const IS_ERROR = '(error_type IS NOT NULL OR error_message IS NOT NULL)';

const rangeWhere = (q: { project: string; from: number; to: number }): string =>
  `project = ${str(q.project)} AND timestamp >= ${ms(q.from)} AND timestamp < ${ms(Math.ceil(q.to))}`;

export async function searchSessions(conn: Connection, spans: string, q: SessionSearch): Promise<SessionSummary[]> {
  const having: string[] = [];
  const session = q.session_id === undefined ? '' : ` AND session_id = ${str(q.session_id)}`;
  if (q.user_id !== undefined) having.push(`countIf(ifNull(user_id = ${str(q.user_id)}, 0)) > 0`);
  if (q.agent !== undefined) having.push(`countIf(agent_id = ${str(q.agent)}) > 0`);
  const rows = await conn.rows(
    `SELECT assumeNotNull(session_id) AS sid,
        argMinIf(user_id, (timestamp, span_id), isNotNull(user_id)) AS first_user, countIf(isNotNull(user_id)) AS with_user,
        groupUniqArray(agent_id) AS agent_ids, uniqExact(trace_id) AS turns,
        min(timestamp) AS first_start, max(timestamp + latency_ms) AS last_end, max(timestamp) AS last_start,
        count() AS span_count, countIf(${IS_ERROR}) AS error_count,
        sum(ifNull(cost_usd, 0)) AS total_cost, sum(tokens_input + tokens_output) AS tokens
      FROM ${spans} WHERE ${rangeWhere(q)} AND isNotNull(session_id)${session}
      GROUP BY sid ${having.length > 0 ? `HAVING ${having.join(' AND ')}` : ''}
      ORDER BY last_start DESC, sid LIMIT ${int(Math.max(0, Math.floor(q.limit)))}`,
  );
  return rows.map((r) => ({
    session_id: r.sid as string,
    user_id: Number(r.with_user) > 0 ? (r.first_user as string) : null,
    agents: (r.agent_ids as string[]).sort(),
    turns: Number(r.turns),
    start: Number(r.first_start),
    end: Number(r.last_end),
    span_count: Number(r.span_count),
    error_count: Number(r.error_count),
    cost_usd: Number(r.total_cost),
    tokens: Number(r.tokens),
  }));
}

export async function rankUsers(conn: Connection, spans: string, q: UserSearch): Promise<UserSummary[]> {
  const agent = q.agent === undefined ? '' : ` AND agent_id = ${str(q.agent)}`;
  const order = q.order === 'errors' ? 'error_count DESC, total_cost DESC' : 'total_cost DESC, error_count DESC';
  const rows = await conn.rows(
    `SELECT assumeNotNull(user_id) AS uid, uniqExactIf(session_id, isNotNull(session_id)) AS sessions, uniqExact(trace_id) AS traces,
        count() AS span_count, countIf(${IS_ERROR}) AS error_count,
        sum(ifNull(cost_usd, 0)) AS total_cost, sum(tokens_input + tokens_output) AS tokens, max(timestamp) AS last_seen
      FROM ${spans} WHERE ${rangeWhere(q)} AND isNotNull(user_id)${agent}
      GROUP BY uid ORDER BY ${order}, uid LIMIT ${int(Math.max(0, Math.floor(q.limit)))}`,
  );
  return rows.map((r) => ({
    user_id: r.uid as string,
    sessions: Number(r.sessions),
    traces: Number(r.traces),
    span_count: Number(r.span_count),
    error_count: Number(r.error_count),
    cost_usd: Number(r.total_cost),
    tokens: Number(r.tokens),
    last_seen: Number(r.last_seen),
  }));
}
