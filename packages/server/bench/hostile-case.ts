// What a case of the hostile-load suite (hostile.ts) is and returns, and the ingest helpers the
// case files share (hostile-cases.ts, hostile-small-defects.ts).

import type { RunningServer } from './support.js';
import { json, send, type Answer } from './hostile-support.js';

export interface CaseContext {
  server: RunningServer;
  /** Stops the server and starts it again on the same data (the case's server changes). */
  restart(): Promise<void>;
  /** Spans stored, from /api/status. */
  spans(): Promise<number>;
}

export interface CaseOutcome {
  answers: string;
  /** Events acknowledged (2xx, counted as accepted) during the case. */
  acked: number;
  /** Whether the answers were the right ones (the runner adds the suite's goals). */
  ok: boolean;
  note: string;
}

export interface HostileCase {
  item: string;
  name: string;
  run(ctx: CaseContext): Promise<CaseOutcome>;
}

export const NOW = () => Date.now();
export const events = (tag: string, n: number, extra: Record<string, unknown> = {}) =>
  Array.from({ length: n }, (_, i) => ({ agent_id: `hostile-${tag}`, trace_id: `${tag}-${i % 50}`, span_id: `${tag}-${i}`, timestamp: NOW(), latency_ms: 5, ...extra }));

export const postEvents = (s: RunningServer, body: unknown, headers: Record<string, string> = {}, key = s.adminKey) =>
  send(`${s.url}/v1/events`, { key, body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

export const accepted = (a: Answer) => (a.status === 200 && a.headers['idempotent-replayed'] === undefined ? (json<{ accepted: number }>(a)?.accepted ?? 0) : 0);
