// Sessions and end users summarised from raw spans in a time range (see ../session-store.ts).

import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { SessionSearch, SessionSummary, UserSearch, UserSummary } from '../session-store.js';
import { queryRows } from './read-queries.js';

const IS_ERROR = '(error_type IS NOT NULL OR error_message IS NOT NULL)';

function rangeWhere(q: { project: string; from: number; to: number }, params: DuckDBValue[]): string {
  params.push(q.project, BigInt(Math.floor(q.from)), BigInt(Math.ceil(q.to)));
  return 'project = ? AND timestamp >= ? AND timestamp < ?';
}

export async function searchSessions(conn: DuckDBConnection, q: SessionSearch): Promise<SessionSummary[]> {
  const params: DuckDBValue[] = [];
  const where = [rangeWhere(q, params), 'session_id IS NOT NULL'];
  if (q.session_id !== undefined) {
    where.push('session_id = ?');
    params.push(q.session_id);
  }
  const having: string[] = [];
  if (q.user_id !== undefined) {
    having.push('bool_or(user_id = ?)');
    params.push(q.user_id);
  }
  if (q.agent !== undefined) {
    having.push('bool_or(agent_id = ?)');
    params.push(q.agent);
  }
  params.push(Math.max(0, Math.floor(q.limit)));
  const rows = await queryRows(
    conn,
    `SELECT session_id, first(user_id ORDER BY timestamp, span_id) FILTER (WHERE user_id IS NOT NULL) AS user_id,
        list(DISTINCT agent_id ORDER BY agent_id) AS agents, count(DISTINCT trace_id) AS turns,
        min(timestamp) AS start, max(timestamp + latency_ms) AS "end", max(timestamp) AS last_start,
        count(*) AS span_count, count(*) FILTER (WHERE ${IS_ERROR}) AS error_count,
        coalesce(sum(cost_usd), 0) AS cost_usd, sum(tokens_input + tokens_output)::DOUBLE AS tokens
      FROM spans WHERE ${where.join(' AND ')}
      GROUP BY session_id ${having.length > 0 ? `HAVING ${having.join(' AND ')}` : ''}
      ORDER BY last_start DESC, session_id LIMIT ?`,
    params,
  );
  return rows.map((r) => ({
    session_id: r.session_id as string,
    user_id: (r.user_id ?? null) as string | null,
    agents: r.agents as string[],
    turns: r.turns as number,
    start: r.start as number,
    end: r.end as number,
    span_count: r.span_count as number,
    error_count: r.error_count as number,
    cost_usd: r.cost_usd as number,
    tokens: r.tokens as number,
  }));
}

export async function rankUsers(conn: DuckDBConnection, q: UserSearch): Promise<UserSummary[]> {
  const params: DuckDBValue[] = [];
  const where = [rangeWhere(q, params), 'user_id IS NOT NULL'];
  if (q.agent !== undefined) {
    where.push('agent_id = ?');
    params.push(q.agent);
  }
  params.push(Math.max(0, Math.floor(q.limit)));
  const order = q.order === 'errors' ? 'error_count DESC, cost_usd DESC' : 'cost_usd DESC, error_count DESC';
  const rows = await queryRows(
    conn,
    `SELECT user_id, count(DISTINCT session_id) AS sessions, count(DISTINCT trace_id) AS traces,
        count(*) AS span_count, count(*) FILTER (WHERE ${IS_ERROR}) AS error_count,
        coalesce(sum(cost_usd), 0) AS cost_usd, sum(tokens_input + tokens_output)::DOUBLE AS tokens, max(timestamp) AS last_seen
      FROM spans WHERE ${where.join(' AND ')}
      GROUP BY user_id ORDER BY ${order}, user_id LIMIT ?`,
    params,
  );
  return rows.map((r) => ({
    user_id: r.user_id as string,
    sessions: r.sessions as number,
    traces: r.traces as number,
    span_count: r.span_count as number,
    error_count: r.error_count as number,
    cost_usd: r.cost_usd as number,
    tokens: r.tokens as number,
    last_seen: r.last_seen as number,
  }));
}
