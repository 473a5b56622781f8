// POST /api/import: ingest for `sightline import`. The same decoding, validation and pricing as
// /v1/events, but a span the project already stores (same trace_id and span_id) is counted as a
// duplicate and not stored again, so importing an export twice, or into the server it came from,
// adds nothing. Imports of one project run one at a time, so two of them cannot both find a span
// missing and both store it.

import type { Hono } from 'hono';
import { decodeEventsBody } from '../../ingest/decode-body.js';
import type { FieldProblem } from '../../model/errors.js';
import type { Span } from '../../model/span.js';
import { readBody } from '../body.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { commitSpans } from '../ingest-commit.js';
import { CODE_FOR_STATUS, fail } from '../respond.js';

const MAX_REPORTED_PROBLEMS = 1_000;

export interface ImportReply {
  /** New spans stored. */
  accepted: number;
  /** Spans the project already had (or that appeared earlier in the same request): not stored again. */
  duplicates: number;
  rejected: FieldProblem[];
  rejected_events: number;
}

/** The spans not yet stored and not repeated earlier in `spans`. */
async function newSpans(deps: AppDeps, project: string, spans: Span[]): Promise<Span[]> {
  const ref = (s: { trace_id: string; span_id: string }) => `${s.trace_id}\u0000${s.span_id}`;
  const seen = new Set<string>();
  const unique = spans.filter((s) => !seen.has(ref(s)) && seen.add(ref(s)));
  const known = new Set((await deps.store.knownSpans(project, unique.map((s) => ({ trace_id: s.trace_id, span_id: s.span_id })))).map(ref));
  return unique.filter((s) => !known.has(ref(s)));
}

export function registerImportRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  /** Per project, the import in progress (look up, then commit): the next one waits for it. */
  const running = new Map<string, Promise<unknown>>();

  app.post('/api/import', requireScope(deps.auth, 'ingest'), async (c) => {
    const read = await readBody(c.env.incoming, deps.limits.maxBodyBytes);
    if (!read.ok) return fail(c, 413, 'payload_too_large', read.message);
    const decoded = decodeEventsBody(read.body, c.req.header('content-type'), c.req.header('content-encoding'), deps.limits);
    if (!decoded.ok) return fail(c, decoded.status, CODE_FOR_STATUS[decoded.status] ?? 'bad_request', decoded.message);
    const project = c.get('key').project;
    const { spans, rejected } = deps.pipeline.process(decoded.events, { project, now: deps.clock() });
    const reply: ImportReply = {
      accepted: 0,
      duplicates: 0,
      rejected: rejected.slice(0, MAX_REPORTED_PROBLEMS),
      rejected_events: new Set(rejected.map((p) => p.index)).size,
    };
    if (spans.length === 0) return c.json(reply, reply.rejected_events > 0 ? 400 : 200);

    const before = running.get(project) ?? Promise.resolve();
    const turn = before.catch(() => undefined).then(async () => {
      const fresh = await newSpans(deps, project, spans);
      const refused = fresh.length === 0 ? null : await commitSpans(c, deps, fresh);
      return { fresh, refused };
    });
    running.set(project, turn);
    try {
      const { fresh, refused } = await turn;
      if (refused) return refused;
      return c.json({ ...reply, accepted: fresh.length, duplicates: spans.length - fresh.length });
    } finally {
      if (running.get(project) === turn) running.delete(project);
    }
  });
}
