// Load shedding at the door: while the commit queue cannot take more (full, or behind the store by
// more than limits.maxQueueDelayMs), ingest requests get 429 before their body is decoded or
// authenticated, so an overloaded server spends its CPU and memory on batches it can still store.

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
  return async (c, next) => {
    const refused = c.req.method === 'POST' ? commits.overloaded() : null;
    if (!refused) return next();
    await discardBody(c.env.incoming);
    return fail(c, 429, 'overloaded', refused.message, refused.retryAfterMs);
  };
}
