// Load shedding at the door: ingest requests get 429 with Retry-After before their body is read,
// decoded or authenticated when the server could not answer them within limits.maxQueueDelayMs:
// the commit queue is full or behind the store (counting the requests already let in whose bodies
// are still being read and decoded), the bodies let in exceed the byte budget, or — from the
// request's Content-Length and the rate this server works off bodies (drain-meter.ts) — its answer
// is predicted to come too late. An overloaded server thus spends its CPU and memory on batches it
// can still store and acknowledges them within the bound. Each request's arrival time is kept
// (arrivedAt) so the commit queue can count the time it already spent here.

import type { MiddlewareHandler } from 'hono';
import type { GroupCommit } from '../store/group-commit.js';
import type { AppEnv } from './context.js';
import { closeAfterAnswer } from './close-after-answer.js';
import { createDrainMeter } from './drain-meter.js';
import { fail } from './respond.js';

/** A body sent without Content-Length (chunked) counts as this many bytes in flight. */
const UNDECLARED_BODY_BYTES = 1_048_576;

/**
 * Share of maxQueueDelayMs a request let in may be predicted to wait for its answer. The rate is
 * measured over the last seconds and drops when the store checkpoints or the machine is busy, so
 * half the bound is left for that: the acknowledgements still come within it.
 */
const PREDICTED_WAIT_SHARE = 0.5;

/**
 * Requests let in before a prediction is made: one or two large bodies are bounded by the byte
 * budget already, and a pace measured on other traffic says little about them.
 */
const MIN_AHEAD_TO_PREDICT = 4;

export interface ShedOptions {
  /** Declared body bytes let in at once (limits.maxIngestBytesInFlight). */
  maxBytesInFlight?: number;
  /** The bound on an acknowledgement's wait (limits.maxQueueDelayMs); absent: no prediction. */
  maxQueueDelayMs?: number;
  /** Milliseconds, monotonic; injected by tests. */
  clock?: () => number;
}

interface Refusal {
  message: string;
  retryAfterMs: number;
}

const size = (bytes: number) => (bytes < 1_048_576 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / 1_048_576).toFixed(1)} MiB`);

/**
 * @example app.use('/v1/*', shedWhenOverloaded(deps.commits, { maxBytesInFlight: limits.maxIngestBytesInFlight, maxQueueDelayMs: 5_000 }));
 */
export function shedWhenOverloaded(commits: Pick<GroupCommit, 'overloaded'>, options: ShedOptions = {}): MiddlewareHandler<AppEnv> {
  const maxBytesInFlight = options.maxBytesInFlight ?? Infinity;
  const clock = options.clock ?? (() => performance.now());
  const meter = createDrainMeter(clock);
  /** POSTs let in and not yet answered, and their declared body bytes. */
  let inside = 0;
  let bytesInside = 0;

  /** Why `bytes` more cannot be let in now, or null. One request is always let in when none is inside. */
  const refusal = (bytes: number): Refusal | null => {
    const queue = commits.overloaded(inside);
    if (queue) return queue;
    if (inside === 0) return null;
    if (bytesInside + bytes > maxBytesInFlight) {
      return {
        retryAfterMs: 1_000,
        message:
          `the server is decoding ${inside} ingest requests (${Math.round(bytesInside / 1_048_576)} MiB, ` +
          `limit ${Math.round(maxBytesInFlight / 1_048_576)} MiB: limits.maxIngestBytesInFlight); retry later`,
      };
    }
    const rate = meter.rate();
    if (options.maxQueueDelayMs === undefined || rate === 0 || inside < MIN_AHEAD_TO_PREDICT) return null;
    const waitMs = (bytesInside + bytes) / rate;
    const allowedMs = options.maxQueueDelayMs * PREDICTED_WAIT_SHARE;
    if (waitMs <= allowedMs) return null;
    return {
      retryAfterMs: Math.max(1_000, Math.ceil((waitMs - allowedMs) / 1_000) * 1_000),
      message:
        `ingest is behind: ${inside} ${inside === 1 ? 'request' : 'requests'} (${size(bytesInside)}) ${inside === 1 ? 'is' : 'are'} ahead of this one ` +
        `and the server works off ${size(rate * 1_000)}/s, so it would be answered in about ${(waitMs / 1_000).toFixed(1)} s ` +
        `(limits.maxQueueDelayMs is ${options.maxQueueDelayMs} ms); retry later`,
    };
  };

  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const declared = Number(c.req.header('content-length'));
    const bytes = Number.isFinite(declared) && declared >= 0 ? declared : UNDECLARED_BODY_BYTES;
    const refused = refusal(bytes);
    if (refused) {
      closeAfterAnswer(c.env.incoming);
      c.header('Connection', 'close');
      return fail(c, 429, 'overloaded', refused.message, refused.retryAfterMs);
    }
    const arrivedAt = performance.now();
    c.set('arrivedAt', arrivedAt);
    inside++;
    bytesInside += bytes;
    let read = false;
    const onRead = () => {
      read = true;
      meter.started();
    };
    c.env.incoming.once('end', onRead);
    let worked = false;
    try {
      await next();
      worked = c.res.status >= 200 && c.res.status < 300;
      // How long the server held the request once its headers were read (W3C Server-Timing): under
      // load, what a client measures also holds the time its connection waited to be accepted and
      // its own delays, and only this part is the server's to bound (limits.maxQueueDelayMs).
      // Headers of a Response built elsewhere can be immutable: the answer then goes without it, never as an error.
      try {
        c.res.headers.set('Server-Timing', `ingest;dur=${Math.round(performance.now() - arrivedAt)}`);
      } catch {
        // (see above)
      }
      return c.res;
    } finally {
      c.env.incoming.off('end', onRead);
      inside--;
      bytesInside -= bytes;
      if (read) meter.finished(bytes, worked);
    }
  };
}
