// Idempotency-Key for ingest: a client that retries a batch after a lost response gets the first
// response instead of storing the batch twice. Records are committed with the spans (see
// Store.append), and this cache, rebuilt from the store at start, answers retries without a
// store round trip. A retry that arrives while the first attempt is still committing waits for it.
// A key the cache does not hold may still be in the store (another node took it, or the cache
// forgot it for space): ingest-commit.ts asks the store then.

import type { IdempotencyRecord } from '../store/store.js';

/** Retries come within minutes; a day covers clients that were offline for a while. */
export const IDEMPOTENCY_TTL_MS = 86_400_000;
/** Bounded memory: past this many remembered keys the oldest are forgotten first. */
const MAX_KEYS = 200_000;
export const MAX_KEY_LENGTH = 128;

export type Claim =
  | { status: 'new' }
  | { status: 'done'; response: string }
  /** The first attempt is in flight: resolves with its response, or null if it was not stored. */
  | { status: 'in_flight'; outcome: Promise<string | null> };

export interface IdempotencyCache {
  /** Claims `key` for a new attempt, or says what happened to an earlier one. */
  claim(key: string, now: number): Claim;
  /** The attempt that claimed `key` was committed with this response. */
  complete(key: string, response: string, now: number): void;
  /** The attempt that claimed `key` was not stored (refused, failed): a retry may try again. */
  release(key: string): void;
  load(records: IdempotencyRecord[]): void;
  /** True when a key completed less than IDEMPOTENCY_TTL_MS before `now` was dropped for space. */
  mayHaveForgotten(now: number): boolean;
}

type Entry = { response: string; at: number } | { waiters: ((r: string | null) => void)[] };

export function createIdempotencyCache(): IdempotencyCache {
  const entries = new Map<string, Entry>();
  /** Completion time of the newest entry dropped for space. */
  let forgottenAt = -Infinity;
  const remember = (key: string, entry: Entry) => {
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > MAX_KEYS) {
      for (const [k, e] of entries) {
        if ('response' in e) {
          entries.delete(k);
          forgottenAt = Math.max(forgottenAt, e.at);
          break;
        }
      }
    }
  };
  return {
    claim(key, now) {
      const e = entries.get(key);
      if (e === undefined || ('response' in e && now - e.at > IDEMPOTENCY_TTL_MS)) {
        remember(key, { waiters: [] });
        return { status: 'new' };
      }
      if ('response' in e) return { status: 'done', response: e.response };
      return { status: 'in_flight', outcome: new Promise((resolve) => e.waiters.push(resolve)) };
    },
    complete(key, response, now) {
      const e = entries.get(key);
      remember(key, { response, at: now });
      if (e && 'waiters' in e) for (const w of e.waiters) w(response);
    },
    release(key) {
      const e = entries.get(key);
      entries.delete(key);
      if (e && 'waiters' in e) for (const w of e.waiters) w(null);
    },
    load(records) {
      for (const r of records) remember(r.key, { response: r.response, at: r.created_at });
    },
    mayHaveForgotten: (now) => now - forgottenAt <= IDEMPOTENCY_TTL_MS,
  };
}

/**
 * The cache and store key: keys are per project, so two tenants can never collide, and per route
 * (`route` '' is /v1/events, whose records predate routes), so a key reused on another route
 * never replays an answer in a foreign format. Client keys are visible ASCII, never NUL.
 */
export function scopedKey(project: string, key: string, route = ''): string {
  return route === '' ? `${project}\u0000${key}` : `${project}\u0000${route}\u0000${key}`;
}
