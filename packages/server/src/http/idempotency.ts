// Idempotency-Key for ingest: a client that retries a batch after a lost response gets the first
// response instead of storing the batch twice. Records are committed with the spans (see
// Store.append), and this cache answers retries without a store round trip. A retry that arrives
// while the first attempt is still committing waits for it. A key the cache does not hold may still
// be in the store (another node took it, the cache forgot it for space, or it predates this
// process: the cache starts empty rather than reading a day of records into the heap):
// ingest-commit.ts asks the store then. Bounded in keys and in bytes.

import { createHash } from 'node:crypto';

/** Retries come within minutes; a day covers clients that were offline for a while. */
export const IDEMPOTENCY_TTL_MS = 86_400_000;
/** Bounded memory: past this many remembered keys the oldest are forgotten first. */
const MAX_KEYS = 200_000;
/**
 * Bounded memory in bytes too (UTF-16 strings, two bytes a character, plus the entry's overhead):
 * records are capped at MAX_RECORD_CHARS (ingest-commit.ts), so this holds at least 2,000 of the
 * largest and all 200,000 typical ones (~150 bytes of reply).
 */
export const MAX_CACHE_BYTES = 64 * 1024 * 1024;
const ENTRY_OVERHEAD_BYTES = 96;
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
  /**
   * Records completed up to `at` may exist that this cache never held (they predate this process):
   * until they expire, a miss is checked against the store.
   */
  forgetBefore(at: number): void;
  /** True when a key completed less than IDEMPOTENCY_TTL_MS before `now` may be missing (dropped for space, or older than the process). */
  mayHaveForgotten(now: number): boolean;
  /** Bytes held (estimated), for tests and the memory budget. */
  bytes(): number;
}

type Entry = { response: string; at: number } | { waiters: ((r: string | null) => void)[] };

export function createIdempotencyCache(): IdempotencyCache {
  const entries = new Map<string, Entry>();
  /** Completion time of the newest entry dropped for space. */
  let forgottenAt = -Infinity;
  let bytes = 0;
  const sizeOf = (key: string, e: Entry) => ENTRY_OVERHEAD_BYTES + 2 * (key.length + ('response' in e ? e.response.length : 0));
  const drop = (key: string) => {
    const e = entries.get(key);
    if (e === undefined) return;
    entries.delete(key);
    bytes -= sizeOf(key, e);
  };
  const remember = (key: string, entry: Entry) => {
    drop(key);
    entries.set(key, entry);
    bytes += sizeOf(key, entry);
    // Oldest completed entries go first; attempts in flight stay (they are few: one per request).
    for (const [k, e] of entries) {
      if (entries.size <= MAX_KEYS && bytes <= MAX_CACHE_BYTES) break;
      if ('response' in e && k !== key) {
        drop(k);
        forgottenAt = Math.max(forgottenAt, e.at);
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
      drop(key);
      if (e && 'waiters' in e) for (const w of e.waiters) w(null);
    },
    forgetBefore(at) {
      forgottenAt = Math.max(forgottenAt, at);
    },
    mayHaveForgotten: (now) => now - forgottenAt <= IDEMPOTENCY_TTL_MS,
    bytes: () => bytes,
  };
}

/** Marks a record written with its request body's hash (records without it predate hashing). */
const HASH_PREFIX = 'sha256:';

/**
 * What tells a retry from a reused key: the content type and the body's bytes as sent. A gzip
 * member's timestamp and OS bytes are left out, so a client that compresses its batch again for
 * the retry (Python's gzip stamps the time) still matches.
 */
export function bodyHash(contentType: string | undefined, body: Uint8Array): string {
  const hash = createBodyHash(contentType);
  hash.update(body);
  return hash.digest();
}

export interface BodyHash {
  update(chunk: Uint8Array): void;
  /** The hex digest of everything updated, as bodyHash computes it over the whole body. */
  digest(): string;
}

/** Bytes of a gzip header that decide what is hashed: magic (2), method and flags, mtime (4), XFL, OS. */
const GZIP_HEAD = 10;

/**
 * bodyHash computed chunk by chunk as a body arrives (http/body.ts), so a large body costs no
 * hashing stretch on the event loop once it is read. The first 10 bytes are held until it is known
 * whether they are a gzip header.
 */
export function createBodyHash(contentType: string | undefined): BodyHash {
  const hash = createHash('sha256').update(contentType ?? '').update('\n');
  let head: Buffer | null = Buffer.alloc(0);
  const flushHead = (h: Buffer) => {
    if (h.length >= GZIP_HEAD && h[0] === 0x1f && h[1] === 0x8b) hash.update(h.subarray(0, 4)).update(h.subarray(8, 9)).update(h.subarray(10));
    else hash.update(h);
  };
  return {
    update(chunk) {
      if (head === null) {
        hash.update(chunk);
        return;
      }
      // Only a first chunk shorter than the header is copied.
      const h = head.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([head, chunk]);
      if (h.length < GZIP_HEAD) {
        head = h;
        return;
      }
      head = null;
      flushHead(h);
    },
    digest() {
      if (head !== null) flushHead(head);
      return hash.digest('hex');
    },
  };
}

/** The stored form of a record: the body hash, a newline, then the route's record. */
export function withHash(hash: string, record: string): string {
  return `${HASH_PREFIX}${hash}\n${record}`;
}

export function splitHash(stored: string): { hash: string | null; record: string } {
  if (!stored.startsWith(HASH_PREFIX)) return { hash: null, record: stored };
  const newline = stored.indexOf('\n');
  return { hash: stored.slice(HASH_PREFIX.length, newline), record: stored.slice(newline + 1) };
}

/**
 * The cache and store key: keys are per project, so two tenants can never collide, and per route
 * (`route` '' is /v1/events, whose records predate routes), so a key reused on another route
 * never replays an answer in a foreign format. Client keys are visible ASCII, never NUL.
 */
export function scopedKey(project: string, key: string, route = ''): string {
  return route === '' ? `${project}\u0000${key}` : `${project}\u0000${route}\u0000${key}`;
}
