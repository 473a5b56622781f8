// The trace viewer's reads: a trace's outline as rows of values (store/trace-detail-store.ts),
// gzip-compressed when the client accepts it, and one span in full, fetched when the viewer selects it.

import type { Hono } from 'hono';
import type { TraceSearch } from '../../store/store.js';
import { compress } from 'hono/compress';
import { OUTLINE_FIELDS } from '../../store/trace-detail-store.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { parseTime, type Query } from '../params.js';
import { fail } from '../respond.js';
import { parseAttributeMatches, parseId } from '../trace-search-params.js';

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

  app.get('/api/traces/:id/outline', read, compress(), async (c) => {
    const id = c.req.param('id');
    if (id.length > 256) return fail(c, 400, 'bad_request', `trace_id: ${id.length} characters exceeds the limit of 256`);
    const outline = await deps.store.traceOutline(c.get('key').project, id, hintOf(c.req.query('at')));
    if (outline.count === 0) return fail(c, 404, 'not_found', `trace ${id} not found`);
    // The rows arrive as JSON text from the store and are sent as they are, never parsed here.
    const head = JSON.stringify({ trace_id: id, start: outline.start, count: outline.count, fields: OUTLINE_FIELDS });
    return c.body(`${head.slice(0, -1)},"rows":${outline.rows}}`, 200, { 'content-type': 'application/json' });
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
