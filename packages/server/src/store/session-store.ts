// Sessions (a conversation: the traces sharing a session_id) and end users (user_id), summarised
// from raw spans: rollups have neither dimension (both are unbounded).

export interface SessionSearch {
  project: string;
  /** Spans with timestamp in [from, to) count. */
  from: number;
  to: number;
  /** Only this session (its summary, or nothing). */
  session_id?: string;
  /** Only this user's sessions. */
  user_id?: string;
  /** Only sessions with a span of this agent. */
  agent?: string;
  /** At most this many sessions, most recently active first. */
  limit: number;
}

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

export interface UserSearch {
  project: string;
  from: number;
  to: number;
  /** Only spans of this agent count. */
  agent?: string;
  /** Ranked by total cost, or by spans with an error; ties by user_id. */
  order: 'cost' | 'errors';
  limit: number;
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

export interface SessionStore {
  /**
   * Sessions with spans in [from, to), most recently active (latest span start) first, then by id.
   * @example const sessions = await store.searchSessions({ project: 'default', from, to, limit: 50 });
   */
  searchSessions(q: SessionSearch): Promise<SessionSummary[]>;
  /**
   * End users with spans in [from, to) (spans without user_id are left out), ranked by `order`.
   * @example const top = await store.rankUsers({ project: 'default', from, to, order: 'cost', limit: 20 });
   */
  rankUsers(q: UserSearch): Promise<UserSummary[]>;
}
