// POST /v1/events: native ingest. decode → validate → price → group commit → 2xx only once durable.

import type { Hono } from 'hono';
import { giveBody, type BodyDecoder } from '../../ingest/otlp/decode-offload.js';
import { MAX_KEPT_PROBLEMS } from '../../ingest/problem-list.js';
import { markSdk, sdkOfUserAgent } from '../../ingest/sdk-mark.js';
import { readBody } from '../body.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { EVENT_REPLIES, commitOnce } from '../ingest-commit.js';
import { CODE_FOR_STATUS, fail } from '../respond.js';

/**
 * `decoder` decodes bodies over 1 MiB in a worker thread, validating their events there too, so a
 * 16 MiB body of hostile events never holds the event loop; the pipeline's problems come bounded
 * and clipped (ingest/problem-list.ts).
 */
export function registerEventRoutes(app: Hono<AppEnv>, deps: AppDeps, decoder: BodyDecoder): void {
  app.post('/v1/events', requireScope(deps.auth, 'ingest'), async (c) => {
    const read = await readBody(c.env.incoming, deps.limits.maxBodyBytes, { hash: c.req.header('idempotency-key') !== undefined });
    if (!read.ok) return fail(c, 413, 'payload_too_large', read.message);
    const apiKey = c.get('key');
    const ctx = { project: apiKey.project, now: deps.clock() };
    const decoded = await decoder.events(giveBody(read.body), c.req.header('content-type'), c.req.header('content-encoding'), ctx);
    if (!decoded.ok) {
      if (decoded.status === 503) return fail(c, 503, 'overloaded', decoded.message, decoded.retryAfterMs);
      return fail(c, decoded.status, CODE_FOR_STATUS[decoded.status] ?? 'bad_request', decoded.message);
    }
    // Validation takes its turn too (ingest/turns.ts): a 1,000-event batch is ~15 ms of the event loop.
    const { spans, rejected, omittedProblems } = await decoder.turn(() => deps.pipeline.process(decoded.events, ctx));
    markSdk(spans, sdkOfUserAgent(c.req.header('user-agent')));
    // Every rejected event has at least one problem in the list (its first).
    const rejectedEvents = new Set(rejected.map((p) => p.index)).size;
    const problems = rejected.length + omittedProblems;
    const listed = Math.min(rejected.length, MAX_KEPT_PROBLEMS);
    const body = {
      accepted: spans.length,
      rejected: rejected.length <= MAX_KEPT_PROBLEMS ? rejected : rejected.slice(0, MAX_KEPT_PROBLEMS),
      rejected_events: rejectedEvents,
      ...(listed < problems && { rejected_note: `the first ${listed} of ${problems} problems are listed` }),
    };
    if (spans.length === 0 && rejectedEvents > 0) return c.json(body, 400);
    return commitOnce(c, deps, spans, { contentType: 'application/json', body: JSON.stringify(body), value: body }, EVENT_REPLIES, read.hash === null ? read.body : { hash: read.hash });
  });
}
