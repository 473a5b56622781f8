// The trace viewer's reads: a trace's outline as rows of values (store/trace-detail-store.ts),
// gzip-compressed when the client accepts it, and one span in full, fetched when the viewer selects it.

import type { Hono } from 'hono';
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
/** Smaller outlines go as they are: compressing them saves less than it costs. */
const GZIP_FROM_BYTES = 16 * 1024;

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

  app.get('/api/traces/:id/outline', read, async (c) => {
    const id = c.req.param('id');
    if (id.length > 256) return fail(c, 400, 'bad_request', `trace_id: ${id.length} characters exceeds the limit of 256`);
    const asked = performance.now();
    const outline = await deps.store.traceOutline(c.get('key').project, id, hintOf(c.req.query('at')));
    const storeMs = performance.now() - asked;
    if (outline.count === 0) return fail(c, 404, 'not_found', `trace ${id} not found`);
    // The rows arrive as JSON text from the store and are sent as they are, never parsed here.
    const head = JSON.stringify({ trace_id: id, start: outline.start, count: outline.count, fields: OUTLINE_FIELDS });
    const body = `${head.slice(0, -1)},"rows":${outline.rows}}`;
    if (body.length < GZIP_FROM_BYTES || !/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
      return c.body(body, 200, { 'content-type': 'application/json', vary: 'accept-encoding', 'server-timing': `store;dur=${storeMs.toFixed(1)}` });
    }
    // zlib on the thread pool at level 1: a 1.2 MB outline shrinks ~15× and the event loop never waits
    // (hono's compress() streamed it through CompressionStream at ~3× the cost).
    const packing = performance.now();
    const packed = await gzipAsync(body, { level: 1 });
    const timing = `store;dur=${storeMs.toFixed(1)}, gzip;dur=${(performance.now() - packing).toFixed(1)}`;
    return c.body(new Uint8Array(packed), 200, { 'content-type': 'application/json', 'content-encoding': 'gzip', vary: 'accept-encoding', 'server-timing': timing });
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
