// Replies of GET /api/sessions and GET /api/users (packages/server/src/http/routes/sessions.ts,
// read from the store's SessionStore slice).

export interface SessionSummary {
  session_id: string;
  /** The user of the session's earliest span that names one, else null. */
  user_id: string | null;
  /** Agents of the session's spans, sorted. */
  agents: string[];
  /** Traces (turns) of the session with spans in range. */
  turns: number;
  /** Earliest span start, ms. */
  start: number;
  /** Latest span end (timestamp + latency), ms. */
  end: number;
  span_count: number;
  error_count: number;
  cost_usd: number;
  tokens: number;
}

export interface UserSummary {
  user_id: string;
  sessions: number;
  traces: number;
  span_count: number;
  error_count: number;
  cost_usd: number;
  tokens: number;
  /** Latest span start, ms. */
  last_seen: number;
}

export interface SessionsReply {
  sessions: SessionSummary[];
}

export interface UsersReply {
  users: UserSummary[];
}
