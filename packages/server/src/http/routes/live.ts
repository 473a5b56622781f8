// GET /api/live: Server-Sent Events carrying each committed span, filtered by agent/span type,
// and a coalesced `changed` event (the timestamp range of what was committed) for dashboards.
// A stream lives no longer than its key: it ends with an `end` event when the key is revoked
// (at once on this node, within RECHECK_MS on others) or expires.

import type { LiveEvents } from '@sightline/api';
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { SPAN_TYPES, type SpanType } from '../../model/span.js';
import type { Span } from '../../model/span.js';
import type { LiveFilter } from '../../live/bus.js';
import type { AppDeps, AppEnv } from '../context.js';
import { keyFromHeaders } from '../auth.js';
import { requireScope } from '../guard.js';
import { parseBool, parseEnum, parseNumber } from '../params.js';
import { createChangeWindow } from '../../live/change-window.js';

const HEARTBEAT_MS = 15_000;
/** How often a stream checks its key again (revocations made on other nodes sharing the store). */
const RECHECK_MS = 5_000;
/** setTimeout's largest delay; a key expiring later is caught by the recheck. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A client that cannot keep up loses spans (counted) rather than growing our memory. */
const MAX_BUFFERED_SPANS = 10_000;
/** A page refetching a few buckets every 5 s stays light; tests ask for a shorter interval. */
const DEFAULT_CHANGES_MS = 5_000;

export function registerLiveRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get('/api/live', requireScope(deps.auth, 'read'), (c) => {
    const filter: LiveFilter = { project: c.get('key').project };
    const agent = c.req.query('agent');
    const spanType = c.req.query('span_type');
    if (agent) filter.agent = agent;
    if (spanType) filter.span_type = parseEnum<SpanType>('span_type', spanType, SPAN_TYPES);
    if (parseBool((n) => c.req.query(n), 'errors')) filter.errors_only = true;
    const changesMs = parseNumber((n) => c.req.query(n), 'changes_ms', 250, 60_000);
    const withChanges = changesMs !== undefined || parseBool((n) => c.req.query(n), 'changes');
    const withSpans = c.req.query('spans') === undefined || parseBool((n) => c.req.query(n), 'spans');

    return streamSSE(c, async (stream) => {
      let buffered: Span[] = [];
      let dropped = 0;
      let wake: (() => void) | null = null;
      const changes = createChangeWindow(changesMs ?? DEFAULT_CHANGES_MS);
      const unsubscribe = deps.bus.subscribe(filter, (spans) => {
        if (withChanges) changes.add(spans);
        if (!withSpans) {
          wake?.();
          return;
        }
        if (buffered.length + spans.length > MAX_BUFFERED_SPANS) dropped += spans.length;
        else buffered.push(...spans);
        wake?.();
      });
      let closed = false;
      /** Why the stream ends although the client is still there (its key was revoked or expired). */
      let ended: string | null = null;
      const end = (reason: string) => {
        ended ??= reason;
        wake?.();
      };
      const secret = keyFromHeaders((n) => c.req.header(n));
      const recheck = async () => {
        const auth = await deps.auth.authenticate(secret).catch(() => null);
        // A store that cannot answer does not end streams; the next check asks again.
        if (auth !== null && auth.status !== 'ok') end(auth.message);
      };
      const stopListening = deps.auth.onInvalidate(() => void recheck());
      const rechecks = setInterval(() => void recheck(), RECHECK_MS);
      rechecks.unref();
      const expiresAt = c.get('key').expires_at;
      const expiry =
        expiresAt === null ? null : setTimeout(() => void recheck(), Math.min(MAX_TIMER_MS, Math.max(0, expiresAt - deps.clock()) + 1));
      expiry?.unref();
      stream.onAbort(() => {
        closed = true;
        unsubscribe();
        wake?.();
      });
      const { project: _project, ...shown } = filter;
      await stream.writeSSE({ event: 'ready', data: JSON.stringify({ filter: shown } satisfies LiveEvents['ready']) });
      while (!closed && ended === null) {
        const changedIn = buffered.length > 0 ? null : changes.dueIn(Date.now());
        if (changedIn === 0) {
          const range = changes.take(Date.now());
          await stream.writeSSE({ event: 'changed', data: JSON.stringify(range) });
          continue;
        }
        if (buffered.length === 0) {
          let woken = false;
          await new Promise<void>((resolve) => {
            wake = () => ((woken = true), resolve());
            setTimeout(resolve, changedIn ?? HEARTBEAT_MS).unref();
          });
          wake = null;
          // Only a quiet heartbeat period writes a heartbeat; a wake or a due `changed` loops.
          if (!woken && changedIn === null && buffered.length === 0 && !closed && ended === null) await stream.write(': heartbeat\n\n');
          continue;
        }
        const batch = buffered;
        buffered = [];
        for (const span of batch) await stream.writeSSE({ event: 'span', data: JSON.stringify(span satisfies LiveEvents['span']) });
        if (dropped > 0) {
          await stream.writeSSE({ event: 'dropped', data: JSON.stringify({ dropped } satisfies LiveEvents['dropped']) });
          dropped = 0;
        }
      }
      unsubscribe();
      stopListening();
      clearInterval(rechecks);
      if (expiry !== null) clearTimeout(expiry);
      if (ended !== null && !closed) await stream.writeSSE({ event: 'end', data: JSON.stringify({ reason: ended } satisfies LiveEvents['end']) });
    });
  });
}
