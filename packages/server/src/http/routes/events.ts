// POST /v1/events: native ingest. decode → validate → price → group commit → 2xx only once durable.

import type { Hono } from 'hono';
import { decodeEventsBody } from '../../ingest/decode-body.js';
import { markSdk, sdkOfUserAgent } from '../../ingest/sdk-mark.js';
import type { FieldProblem } from '../../model/errors.js';
import { readBody } from '../body.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { EVENT_REPLIES, commitOnce } from '../ingest-commit.js';
import { CODE_FOR_STATUS, fail } from '../respond.js';

const MAX_REPORTED_PROBLEMS = 1_000;
/** A problem's field and message are clipped to this many characters in the reply: an attribute
 * path can be megabytes long, and a thousand of them made a 16 MB answer. */
const MAX_PROBLEM_CHARS = 512;

const clip = (text: string) => (text.length <= MAX_PROBLEM_CHARS ? text : `${text.slice(0, MAX_PROBLEM_CHARS)}… (${text.length} characters)`);

export function registerEventRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post('/v1/events', requireScope(deps.auth, 'ingest'), async (c) => {
    const read = await readBody(c.env.incoming, deps.limits.maxBodyBytes);
    if (!read.ok) return fail(c, 413, 'payload_too_large', read.message);
    const decoded = decodeEventsBody(read.body, c.req.header('content-type'), c.req.header('content-encoding'), deps.limits);
    if (!decoded.ok) return fail(c, decoded.status, CODE_FOR_STATUS[decoded.status] ?? 'bad_request', decoded.message);
    const apiKey = c.get('key');
    const { spans, rejected } = deps.pipeline.process(decoded.events, { project: apiKey.project, now: deps.clock() });
    markSdk(spans, sdkOfUserAgent(c.req.header('user-agent')));
    const rejectedEvents = new Set(rejected.map((p: FieldProblem) => p.index)).size;
    const body = {
      accepted: spans.length,
      rejected: rejected.slice(0, MAX_REPORTED_PROBLEMS).map((p) => ({ index: p.index, field: clip(p.field), error: clip(p.error) })),
      rejected_events: rejectedEvents,
    };
    if (spans.length === 0 && rejectedEvents > 0) return c.json(body, 400);
    return commitOnce(c, deps, spans, { contentType: 'application/json', body: JSON.stringify(body) }, EVENT_REPLIES, read.body);
  });
}
