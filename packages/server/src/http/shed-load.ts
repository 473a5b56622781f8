// Load shedding at the door: while the commit queue cannot take more (full, or behind the store by
// more than limits.maxQueueDelayMs, counting the requests already let in whose bodies are still
// being read and decoded), ingest requests get 429 before their body is decoded or authenticated,
// so an overloaded server spends its CPU and memory on batches it can still store and acknowledges
// them within the bound. Each request's arrival time is kept (arrivedAt) so the commit queue can
// count the time it already spent here.

import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream/promises';
import type { MiddlewareHandler } from 'hono';
import type { GroupCommit } from '../store/group-commit.js';
import type { AppEnv } from './context.js';
import { fail } from './respond.js';

/**
 * Reads the body and drops it: answering before the body is read makes the server reset the
 * connection once its drain timeout passes, and a client still uploading then sees a connection
 * error instead of the 429 and its Retry-After.
 */
async function discardBody(incoming: IncomingMessage): Promise<void> {
  if (incoming.readableEnded) return;
  incoming.resume();
  await finished(incoming).catch(() => undefined);
}

/** @example app.use('/v1/*', shedWhenOverloaded(deps.commits)); */
export function shedWhenOverloaded(commits: Pick<GroupCommit, 'overloaded'>): MiddlewareHandler<AppEnv> {
  /** POSTs let in and not yet answered. */
  let inside = 0;
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const refused = commits.overloaded(inside);
    if (!refused) {
      c.set('arrivedAt', performance.now());
      inside++;
      try {
        return await next();
      } finally {
        inside--;
      }
    }
    await discardBody(c.env.incoming);
    return fail(c, 429, 'overloaded', refused.message, refused.retryAfterMs);
  };
}
