// Committing an ingest request's spans and answering it, shared by /v1/events and /v1/traces:
// refusals (draining, rate limit, full queue, failing store) and Idempotency-Key, so a retry of
// either route is stored once and answered with the first attempt's response, byte for byte (a
// reply longer than MAX_RECORD_CHARS is kept, and replayed, as a summary). A key reused with a
// different body is refused with 422, as the IETF Idempotency-Key draft and Stripe do: its events
// would otherwise be dropped silently.

import type { Context } from 'hono';
import type { Span } from '../model/span.js';
import type { IdempotencyRecord } from '../store/store.js';
import type { AppDeps, AppEnv } from './context.js';
import { IDEMPOTENCY_TTL_MS, MAX_KEY_LENGTH, bodyHash, scopedKey, splitHash, withHash } from './idempotency.js';
import { fail } from './respond.js';

/**
 * What tells a retry from a reused key: the body's bytes, or their hash when it was computed as
 * the body arrived (http/body.ts; the body itself may have moved to the decode worker since).
 */
export type BodyIdentity = Uint8Array | { hash: string };

/** A 200 answer as sent, and as remembered for retries. */
export interface IngestReply {
  contentType: string;
  body: string | Uint8Array;
  /**
   * The reply before it was serialised, when the route has it: a record too long to keep whole is
   * summarised from it instead of parsing a reply of up to a megabyte again on the event loop.
   */
  value?: unknown;
}

/**
 * Longest reply kept in an idempotency record (cache and store), in characters. A reply listing a
 * thousand problems can be megabytes; one a day per key, kept whole, let one ingest key fill the
 * heap and the disk. 16 KiB holds every reply of a batch with a few dozen problems.
 */
export const MAX_RECORD_CHARS = 16 * 1024;

/** How one route keeps its replies in idempotency records (`IdempotencyRecord.response`). */
export interface ReplyRecords {
  /** Scopes the route's keys (see scopedKey). */
  route: string;
  /** The record of `reply`, at most `maxChars` long (a summary when the reply is longer). */
  toRecord(reply: IngestReply, maxChars: number): string;
  fromRecord(record: string): IngestReply;
}

/** Stores validated spans; a Response when they were refused, null once they are committed. */
export async function commitSpans(
  c: Context<AppEnv>,
  deps: AppDeps,
  spans: Span[],
  idempotency?: IdempotencyRecord,
): Promise<Response | null> {
  if (deps.draining()) return fail(c, 503, 'store_unavailable', 'server is shutting down; retry against another node', 1_000);
  const rate = deps.rateLimit?.take(c.get('key').id, spans.length, deps.clock());
  if (rate && !rate.ok) return fail(c, 429, 'overloaded', rate.message, rate.retryAfterMs);
  const arrivedAt = c.get('arrivedAt');
  const result = await deps.commits.submit(spans, idempotency, arrivedAt === undefined ? 0 : performance.now() - arrivedAt);
  if (result.status === 'retryable') {
    return result.reason === 'overloaded'
      ? fail(c, 429, 'overloaded', result.message, result.retryAfterMs)
      : fail(c, 503, 'store_unavailable', result.message, result.retryAfterMs);
  }
  return null;
}

function send(c: Context<AppEnv>, reply: IngestReply, replayed: boolean): Response {
  const headers: Record<string, string> = { 'content-type': reply.contentType };
  if (replayed) headers['idempotent-replayed'] = 'true';
  return c.body(typeof reply.body === 'string' ? reply.body : new Uint8Array(reply.body), 200, headers);
}

/**
 * Commits `spans` and answers `reply`, or, when the request's Idempotency-Key was already used on
 * this route and project within a day, stores nothing and answers that attempt's reply (header
 * `idempotent-replayed: true`).
 * @example return commitOnce(c, deps, spans, { contentType: 'application/json', body: JSON.stringify(body) }, EVENT_REPLIES);
 */
export function commitOnce(
  c: Context<AppEnv>,
  deps: AppDeps,
  spans: Span[],
  reply: IngestReply,
  records: ReplyRecords,
  /** The request body as received, or its hash (body.ts), to tell a retry (same bytes) from a reused key. */
  body: BodyIdentity,
): Promise<Response> {
  return commitOnceWith(c, deps, (idempotency) => commitSpans(c, deps, spans, idempotency), reply, records, body);
}

/**
 * commitOnce for any data: `commit` stores it together with the idempotency record it is given
 * (a Response when refused, null once durable). /v1/scores commits scores this way.
 */
export async function commitOnceWith(
  c: Context<AppEnv>,
  deps: AppDeps,
  commit: (idempotency?: IdempotencyRecord) => Promise<Response | null>,
  reply: IngestReply,
  records: ReplyRecords,
  body: BodyIdentity,
): Promise<Response> {
  const rawKey = c.req.header('idempotency-key');
  if (rawKey === undefined) return (await commit()) ?? send(c, reply, false);
  if (rawKey.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(rawKey)) {
    return fail(c, 400, 'bad_request', `Idempotency-Key: must be 1 to ${MAX_KEY_LENGTH} visible ASCII characters`);
  }
  const key = scopedKey(c.get('key').project, rawKey, records.route);
  const hash = body instanceof Uint8Array ? bodyHash(c.req.header('content-type'), body) : body.hash;
  const earlier = await claim(deps, key);
  if (earlier !== null) {
    const first = splitHash(earlier);
    // Records written before bodies were hashed carry none: replayed as before.
    if (first.hash !== null && first.hash !== hash) {
      return fail(
        c,
        422,
        'idempotency_key_reused',
        `Idempotency-Key "${rawKey}" was already used in the last 24 h for a request with a different body; ` +
          'nothing of this request was stored. A retry must send the same body; a new batch needs a new key',
      );
    }
    return send(c, records.fromRecord(first.record), true);
  }
  const response = withHash(hash, records.toRecord(reply, MAX_RECORD_CHARS));
  let refused: Response | null;
  try {
    refused = await commit({ key, response, created_at: deps.clock() });
  } catch (err) {
    deps.idempotency.release(key);
    throw err;
  }
  if (refused) {
    deps.idempotency.release(key);
    return refused;
  }
  deps.idempotency.complete(key, response, deps.clock());
  return send(c, reply, false);
}

/**
 * Claims `key` for this attempt (null) or returns the record of the attempt that had it: from
 * this node's cache, after waiting for an attempt still in flight here, or from the store.
 */
async function claim(deps: AppDeps, key: string): Promise<string | null> {
  for (;;) {
    const now = deps.clock();
    const claimed = deps.idempotency.claim(key, now);
    if (claimed.status === 'done') return claimed.response;
    if (claimed.status === 'in_flight') {
      const first = await claimed.outcome;
      if (first !== null) return first;
      continue;
    }
    if (!storeMayKnow(deps, now)) return null;
    let stored: IdempotencyRecord | null;
    try {
      stored = await deps.store.findIdempotency!(key, now - IDEMPOTENCY_TTL_MS);
    } catch (err) {
      deps.idempotency.release(key);
      throw err;
    }
    if (stored === null) return null;
    deps.idempotency.complete(key, stored.response, stored.created_at);
    return stored.response;
  }
}

/**
 * Whether a key missing from this node's cache may be in the store. A store that other nodes write
 * to (they are the ones followOtherNodes follows) always may; a single-writer store only when the
 * cache dropped a key still within the TTL, since every key it recorded passed through this cache.
 */
function storeMayKnow(deps: AppDeps, now: number): boolean {
  if (deps.store.findIdempotency === undefined) return false;
  return deps.store.followOtherNodes !== undefined || deps.idempotency.mayHaveForgotten(now);
}

/** The /v1/events reply (routes/events.ts). */
interface EventReply {
  accepted: number;
  rejected: unknown[];
  rejected_events: number;
  rejected_note?: string;
}

/**
 * The reply of a batch that is longer than `maxChars` of JSON, shortened to fit: its counts and as
 * many of the first problems as fit, with a note saying how many were left out.
 */
export function summarizeEventReply(reply: EventReply, maxChars: number): string {
  const kept: unknown[] = [];
  // The note's length is bounded (two counts), so 200 characters leave room for it.
  let size = JSON.stringify({ ...reply, rejected: [] }).length + 200;
  for (const problem of reply.rejected) {
    const s = JSON.stringify(problem).length + 1;
    if (size + s > maxChars) break;
    kept.push(problem);
    size += s;
  }
  const note =
    `this replay keeps the first ${kept.length} of ${reply.rejected.length} reported problems ` +
    `(replies are kept up to ${maxChars} characters); the first attempt's answer listed them all`;
  return JSON.stringify({ accepted: reply.accepted, rejected: kept, rejected_events: reply.rejected_events, rejected_note: note });
}

/** /v1/events: records hold the JSON body itself (the format of records written before routes). */
export const EVENT_REPLIES: ReplyRecords = {
  route: '',
  toRecord(reply, maxChars) {
    const json = typeof reply.body === 'string' ? reply.body : Buffer.from(reply.body).toString('utf8');
    return json.length <= maxChars ? json : summarizeEventReply((reply.value ?? JSON.parse(json)) as EventReply, maxChars);
  },
  fromRecord: (record) => ({ contentType: 'application/json', body: record }),
};

/**
 * /v1/traces: the reply may be protobuf, so records keep its content type and base64 bytes. Its
 * message is short (routes/otlp.ts clips it), so records never need summarising.
 */
export const OTLP_TRACE_REPLIES: ReplyRecords = {
  route: 'otlp-traces',
  toRecord: (reply) => JSON.stringify({ content_type: reply.contentType, body: Buffer.from(reply.body).toString('base64') }),
  fromRecord(record) {
    const r = JSON.parse(record) as { content_type: string; body: string };
    return { contentType: r.content_type, body: Buffer.from(r.body, 'base64') };
  },
};
