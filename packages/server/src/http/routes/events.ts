// POST /v1/events: native ingest. decode → validate → price → group commit → 2xx only once durable.

import type { Hono } from 'hono';
import { decodeEventsBody } from '../../ingest/decode-body.js';
import type { FieldProblem } from '../../model/errors.js';
import type { Span } from '../../model/span.js';
import { readBody } from '../body.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { CODE_FOR_STATUS, fail } from '../respond.js';
import type { Context } from 'hono';
import type { IdempotencyRecord } from '../../store/store.js';
import { MAX_KEY_LENGTH, scopedKey } from '../idempotency.js';

/** Stores validated spans and answers for them; shared by the native and OTLP routes. */
export async function commitSpans(
  c: Context<AppEnv>,
  deps: AppDeps,
  spans: Span[],
  idempotency?: IdempotencyRecord,
): Promise<Response | null> {
  if (deps.draining()) return fail(c, 503, 'store_unavailable', 'server is shutting down; retry against another node', 1_000);
  const rate = deps.rateLimit?.take(c.get('key').id, spans.length, deps.clock());
  if (rate && !rate.ok) return fail(c, 429, 'overloaded', rate.message, rate.retryAfterMs);
  const result = await deps.commits.submit(spans, idempotency);
  if (result.status === 'retryable') {
    return result.reason === 'overloaded'
      ? fail(c, 429, 'overloaded', result.message, result.retryAfterMs)
      : fail(c, 503, 'store_unavailable', result.message, result.retryAfterMs);
  }
  return null;
}

const MAX_REPORTED_PROBLEMS = 1_000;

/** The first attempt's answer, for a retry with the same Idempotency-Key. */
function replay(c: Context<AppEnv>, response: string): Response {
  return c.body(response, 200, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
}

export function registerEventRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post('/v1/events', requireScope(deps.auth, 'ingest'), async (c) => {
    const read = await readBody(c.env.incoming, deps.limits.maxBodyBytes);
    if (!read.ok) return fail(c, 413, 'payload_too_large', read.message);
    const decoded = decodeEventsBody(read.body, c.req.header('content-type'), c.req.header('content-encoding'), deps.limits);
    if (!decoded.ok) return fail(c, decoded.status, CODE_FOR_STATUS[decoded.status] ?? 'bad_request', decoded.message);
    const apiKey = c.get('key');
    const { spans, rejected } = deps.pipeline.process(decoded.events, { project: apiKey.project, now: deps.clock() });
    const rejectedEvents = new Set(rejected.map((p: FieldProblem) => p.index)).size;
    const body = {
      accepted: spans.length,
      rejected: rejected.slice(0, MAX_REPORTED_PROBLEMS),
      rejected_events: rejectedEvents,
    };
    if (spans.length === 0 && rejectedEvents > 0) return c.json(body, 400);
    const rawKey = c.req.header('idempotency-key');
    if (rawKey === undefined) return (await commitSpans(c, deps, spans)) ?? c.json(body, 200);

    if (rawKey.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(rawKey)) {
      return fail(c, 400, 'bad_request', `Idempotency-Key: must be 1 to ${MAX_KEY_LENGTH} visible ASCII characters`);
    }
    const idemKey = scopedKey(apiKey.project, rawKey);
    for (;;) {
      const claim = deps.idempotency.claim(idemKey, deps.clock());
      if (claim.status === 'done') return replay(c, claim.response);
      if (claim.status === 'new') break;
      const first = await claim.outcome;
      if (first !== null) return replay(c, first);
    }
    const response = JSON.stringify(body);
    const refused = await commitSpans(c, deps, spans, { key: idemKey, response, created_at: deps.clock() });
    if (refused) {
      deps.idempotency.release(idemKey);
      return refused;
    }
    deps.idempotency.complete(idemKey, response, deps.clock());
    return c.body(response, 200, { 'content-type': 'application/json' });
  });
}
