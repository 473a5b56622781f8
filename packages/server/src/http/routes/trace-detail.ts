// One trace's reads: every span in full with the tree (`GET /api/traces/{id}`), the viewer's outline
// as rows of values (store/trace-detail-store.ts), both as JSON text the store writes and gzipped
// when large and the client accepts it, and one span in full, fetched when the viewer selects it.

import type { TraceDetail, TraceNode } from '@sightline/api';
import type { Context, Hono } from 'hono';
import type { Span } from '../../model/span.js';
import type { TraceSearch } from '../../store/store.js';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { OUTLINE_FIELDS } from '../../store/trace-detail-store.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { parseTime, type Query } from '../params.js';
import { fail } from '../respond.js';
import { parseAttributeMatches, parseId } from '../trace-search-params.js';

const gzipAsync = promisify(gzip);
/** Smaller answers go as they are: compressing them saves less than it costs. */
const GZIP_FROM_BYTES = 16 * 1024;

/** Parent/child tree of a trace's spans; spans whose parent is missing become roots. */
export function traceTree(spans: readonly Pick<Span, 'span_id' | 'parent_span_id'>[]): TraceNode[] {
  const nodes = new Map<string, TraceNode>(spans.map((s) => [s.span_id, { span_id: s.span_id, children: [] }]));
  const roots: TraceNode[] = [];
  for (const s of spans) {
    const node = nodes.get(s.span_id)!;
    const parent = s.parent_span_id ? nodes.get(s.parent_span_id) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/**
 * Sends JSON text as it is, gzipped (level 1, on the thread pool) when it is large and the client
 * accepts gzip: a 1.2 MB outline shrinks ~15×, 10 MB of spans ~45×, and the event loop never waits
 * (hono's compress() streamed it through CompressionStream at ~3× the cost). `timing` is the
 * Server-Timing so far; the gzip's time is added to it.
 */
async function sendJsonText(c: Context<AppEnv>, body: string, timing: string): Promise<Response> {
  if (body.length < GZIP_FROM_BYTES || !/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
    return c.body(body, 200, { 'content-type': 'application/json', vary: 'accept-encoding', 'server-timing': timing });
  }
  const packing = performance.now();
  const packed = await gzipAsync(body, { level: 1 });
  return c.body(new Uint8Array(packed), 200, {
    'content-type': 'application/json',
    'content-encoding': 'gzip',
    vary: 'accept-encoding',
    'server-timing': `${timing}, gzip;dur=${(performance.now() - packing).toFixed(1)}`,
  });
}

/** session_id, user_id and attr.* of a trace search (see trace-search-params.ts). */
export function traceMatchParams(q: Query, params: URLSearchParams): Pick<TraceSearch, 'session_id' | 'user_id' | 'attributes'> {
  const session = parseId('session_id', q('session_id'));
  const user = parseId('user_id', q('user_id'));
  const attributes = parseAttributeMatches(params);
  return {
    ...(session !== undefined && { session_id: session }),
    ...(user !== undefined && { user_id: user }),
    ...(attributes.length > 0 && { attributes }),
  };
}

export function registerTraceDetailRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const read = requireScope(deps.auth, 'read');
  const hintOf = (at: string | undefined) => (at === undefined ? undefined : { around: parseTime('at', at) });

  /**
   * The path's trace id (400 when too long), the store's answer for it (404 when the trace has no
   * span) and how long the store took; `at` (any time within a day of the trace, e.g. its start
   * from the trace list) lets the store skip row groups by timestamp instead of scanning every span.
   */
  const readOne = async <T extends { count: number }>(
    c: Context<AppEnv>,
    from: (project: string, id: string, hint: { around: number } | undefined) => Promise<T>,
  ): Promise<{ id: string; found: T; storeMs: number } | Response> => {
    const id = c.req.param('id')!;
    if (id.length > 256) return fail(c, 400, 'bad_request', `trace_id: ${id.length} characters exceeds the limit of 256`);
    const asked = performance.now();
    const found = await from(c.get('key').project, id, hintOf(c.req.query('at')));
    if (found.count === 0) return fail(c, 404, 'not_found', `trace ${id} not found`);
    return { id, found, storeMs: performance.now() - asked };
  };

  app.get('/api/traces/:id', read, async (c) => {
    const r = await readOne(c, (project, id, hint) => deps.store.traceJson(project, id, hint));
    if (r instanceof Response) return r;
    const encoding = performance.now();
    // The spans arrive as JSON text from the store and are sent as they are, never parsed here.
    const links = JSON.parse(r.found.links) as [string, string | null][];
    const head: Omit<TraceDetail, 'spans'> = { trace_id: r.id, tree: traceTree(links.map(([span_id, parent_span_id]) => ({ span_id, parent_span_id }))) };
    const body = `${JSON.stringify(head).slice(0, -1)},"spans":${r.found.spans}}`;
    // Where a big trace's time goes: the store's read, then the tree and the text here (and gzip).
    return sendJsonText(c, body, `store;dur=${r.storeMs.toFixed(1)}, encode;dur=${(performance.now() - encoding).toFixed(1)}`);
  });

  app.get('/api/traces/:id/outline', read, async (c) => {
    const r = await readOne(c, (project, id, hint) => deps.store.traceOutline(project, id, hint));
    if (r instanceof Response) return r;
    // The rows arrive as JSON text from the store and are sent as they are, never parsed here.
    const head = JSON.stringify({ trace_id: r.id, start: r.found.start, count: r.found.count, fields: OUTLINE_FIELDS });
    const body = `${head.slice(0, -1)},"rows":${r.found.rows}}`;
    return sendJsonText(c, body, `store;dur=${r.storeMs.toFixed(1)}`);
  });

  app.get('/api/traces/:id/spans/:span', read, async (c) => {
    const id = c.req.param('id');
    const spanId = c.req.param('span');
    if (id.length > 256) return fail(c, 400, 'bad_request', `trace_id: ${id.length} characters exceeds the limit of 256`);
    if (spanId.length > 256) return fail(c, 400, 'bad_request', `span_id: ${spanId.length} characters exceeds the limit of 256`);
    const span = await deps.store.getSpan(c.get('key').project, id, spanId, hintOf(c.req.query('at')));
    if (span === null) return fail(c, 404, 'not_found', `span ${spanId} of trace ${id} not found`);
    return c.json(span);
  });
}
