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

/** A body sent without Content-Length (chunked) counts as this many bytes in flight. */
const UNDECLARED_BODY_BYTES = 1_048_576;

/**
 * Refuses ingest at the door while the commit queue is behind, or while the bodies of the requests
 * already let in (being read, decoded and validated on the event loop) add up to more than
 * `maxBytesInFlight`: parsing and validating is the CPU cost of a batch, so bounding those bytes
 * bounds how long a request waits for the event loop, and the heap the parsed events take. One
 * request is always let in when none is inside, whatever its size.
 * @example app.use('/v1/*', shedWhenOverloaded(deps.commits, config.limits.maxIngestBytesInFlight));
 */
export function shedWhenOverloaded(commits: Pick<GroupCommit, 'overloaded'>, maxBytesInFlight = Infinity): MiddlewareHandler<AppEnv> {
  /** POSTs let in and not yet answered, and their declared body bytes. */
  let inside = 0;
  let bytesInside = 0;
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const declared = Number(c.req.header('content-length'));
    const bytes = Number.isFinite(declared) && declared >= 0 ? declared : UNDECLARED_BODY_BYTES;
    const refused =
      commits.overloaded(inside) ??
      (inside > 0 && bytesInside + bytes > maxBytesInFlight
        ? {
            retryAfterMs: 1_000,
            message:
              `the server is decoding ${inside} ingest requests (${Math.round(bytesInside / 1_048_576)} MiB, ` +
              `limit ${Math.round(maxBytesInFlight / 1_048_576)} MiB: limits.maxIngestBytesInFlight); retry later`,
          }
        : null);
    if (!refused) {
      c.set('arrivedAt', performance.now());
      inside++;
      bytesInside += bytes;
      try {
        return await next();
      } finally {
        inside--;
        bytesInside -= bytes;
      }
    }
    await discardBody(c.env.incoming);
    return fail(c, 429, 'overloaded', refused.message, refused.retryAfterMs);
  };
}
