// Sessions (a conversation: the traces sharing a session_id) and end users (user_id), summarised
// from raw spans: rollups have neither dimension (both are unbounded). The summaries are the API
// contract's (@sightline/api), sent as they are.

import type { SessionSummary, UserSummary } from '@sightline/api';

export type { SessionSummary, UserSummary };

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
