// The coordination slice of the Store contract: what several Sightline nodes sharing one store
// need of it (see docs/scale-out.md): a lease, so one node evaluates alerts, and the spans other
// nodes commit, for the live tail.

import type { Span } from '../model/span.js';

export interface Coordination {
  /**
   * Takes or renews the lease `name` for `holder` until `now + ttlMs`; false while another holder's
   * lease is unexpired. At most one holder gets true at a time; renew well before expiry (e.g.
   * every ttlMs / 3). DuckDB has one process per file, so there it is always true.
   * @example if (await store.tryAcquireLease('alert-engine', nodeId, 30_000, clock())) evaluate();
   */
  tryAcquireLease(name: string, holder: string, ttlMs: number, now: number): Promise<boolean>;
  /**
   * Calls `onSpans` with spans that other nodes committed to this store (not this one's own), for
   * the live tail; returns a function that stops following. Absent when the store has one writer.
   */
  followOtherNodes?(onSpans: (spans: Span[]) => void): () => void;
}
