// GET /api/live: Server-Sent Events carrying each committed span, filtered by agent/span type.

import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { SPAN_TYPES, type SpanType } from '../../model/span.js';
import type { Span } from '../../model/span.js';
import type { LiveFilter } from '../../live/bus.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { parseBool, parseEnum } from '../params.js';

const HEARTBEAT_MS = 15_000;
/** A client that cannot keep up loses spans (counted) rather than growing our memory. */
const MAX_BUFFERED_SPANS = 10_000;

export function registerLiveRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get('/api/live', requireScope(deps.auth, 'read'), (c) => {
    const filter: LiveFilter = { project: c.get('key').project };
    const agent = c.req.query('agent');
    const spanType = c.req.query('span_type');
    if (agent) filter.agent = agent;
    if (spanType) filter.span_type = parseEnum<SpanType>('span_type', spanType, SPAN_TYPES);
    if (parseBool((n) => c.req.query(n), 'errors')) filter.errors_only = true;

    return streamSSE(c, async (stream) => {
      let buffered: Span[] = [];
      let dropped = 0;
      let wake: (() => void) | null = null;
      const unsubscribe = deps.bus.subscribe(filter, (spans) => {
        if (buffered.length + spans.length > MAX_BUFFERED_SPANS) dropped += spans.length;
        else buffered.push(...spans);
        wake?.();
      });
      let closed = false;
      stream.onAbort(() => {
        closed = true;
        unsubscribe();
        wake?.();
      });
      await stream.writeSSE({ event: 'ready', data: JSON.stringify({ filter: { ...filter, project: undefined } }) });
      while (!closed) {
        if (buffered.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, HEARTBEAT_MS).unref();
          });
          wake = null;
          if (buffered.length === 0 && !closed) await stream.write(': heartbeat\n\n');
          continue;
        }
        const batch = buffered;
        buffered = [];
        for (const span of batch) await stream.writeSSE({ event: 'span', data: JSON.stringify(span) });
        if (dropped > 0) {
          await stream.writeSSE({ event: 'dropped', data: JSON.stringify({ dropped }) });
          dropped = 0;
        }
      }
      unsubscribe();
    });
  });
}
