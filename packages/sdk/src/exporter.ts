// The background half of the SDK: a bounded queue drained in batches (by size or by time), each
// batch encoded off the hot path and sent with retries. Nothing here throws or rejects.

import type { Clock, TimerHandle } from './clock.js';
import { deliverBatch } from './deliver.js';
import { encodeBatch } from './encode.js';
import type { SpanEvent } from './event.js';
import type { Transport } from './transport.js';

export interface ExporterStats {
  /** Events waiting in the queue or in the request in flight. */
  queued: number;
  /** Events the server accepted. */
  sent: number;
  /** Events refused at enqueue because the queue was full or the client shut down. */
  dropped: number;
  /** Request attempts that were retried (one batch can count several times). */
  retried: number;
  /** Events given up on: refused by the server (400/401/403/413, per-event rejections), retries exhausted, or deadline passed. */
  failed: number;
}

export interface ExporterOptions {
  transport: Transport;
  /** The ingest route its batches go to (EncodedBatch.route): absent for span events, 'scores' for scores. */
  route?: 'scores';
  clock: Clock;
  random: () => number;
  maxBatchSize: number;
  flushIntervalMs: number;
  maxQueueSize: number;
  gzip: boolean;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxRetryAfterMs: number;
  onProblem(key: string, message: string): void;
}

export interface BatchExporter<E extends object = SpanEvent> {
  enqueue(event: E): void;
  /** Resolves when everything queued now is sent or failed; at `deadline` (epoch ms) pending retries give up. */
  flush(deadline?: number): Promise<void>;
  /** Stops accepting events, flushes until `deadline`, then counts what is left as failed. */
  shutdown(deadline?: number): Promise<void>;
  /** Flushes until `deadline`, then abandons what is left (counted failed) and closes connections, so nothing holds the process open. */
  flushForExit(deadline: number): Promise<void>;
  stats(): ExporterStats;
}

export function createBatchExporter<E extends object = SpanEvent>(o: ExporterOptions): BatchExporter<E> {
  let queue: E[] = [];
  /** The batch being sent; `abandoned` once shutdown's deadline counted it failed, so its late outcome is ignored. */
  let inFlight: { count: number; abandoned: boolean } | undefined;
  let closed = false;
  let deadline = Infinity;
  let flushers = 0;
  let timer: TimerHandle | undefined;
  let scheduled = false;
  let pumping: Promise<void> | undefined;
  let wakeRetry: (() => void) | undefined;
  const counts = { sent: 0, dropped: 0, retried: 0, failed: 0 };

  function armTimer(): void {
    if (timer !== undefined || pumping !== undefined) return;
    timer = o.clock.setTimeout(() => {
      timer = undefined;
      void startPump(true);
    }, o.flushIntervalMs);
    timer.unref?.();
  }

  function clearTimer(): void {
    if (timer !== undefined) {
      o.clock.clearTimeout(timer);
      timer = undefined;
    }
  }

  /** Deferred with setImmediate so the span that filled a batch does not pay for encoding it. */
  function schedulePump(): void {
    if (scheduled || pumping !== undefined) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void startPump(false);
    });
  }

  function startPump(drainPartial: boolean): Promise<void> {
    if (pumping !== undefined) return pumping;
    clearTimer();
    pumping = pump(drainPartial).finally(() => {
      pumping = undefined;
      if (queue.length >= o.maxBatchSize) schedulePump();
      else if (queue.length > 0) armTimer();
    });
    return pumping;
  }

  async function pump(drainPartial: boolean): Promise<void> {
    let first = true;
    while (queue.length >= o.maxBatchSize || (queue.length > 0 && ((first && drainPartial) || flushers > 0))) {
      first = false;
      const batch = queue.length <= o.maxBatchSize ? queue : queue.slice(0, o.maxBatchSize);
      queue = queue.length <= o.maxBatchSize ? [] : queue.slice(o.maxBatchSize);
      const token = { count: batch.length, abandoned: false };
      inFlight = token;
      try {
        await exportBatch(batch, token);
      } catch (e) {
        if (!token.abandoned) counts.failed += batch.length;
        o.onProblem('internal', `internal error while exporting: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        inFlight = undefined;
      }
    }
  }

  async function exportBatch(events: E[], token: { abandoned: boolean }): Promise<void> {
    const { batch, unserializable } = await encodeBatch(events, o.gzip);
    if (token.abandoned) return;
    if (unserializable > 0) {
      counts.failed += unserializable;
      o.onProblem('unserializable', `${unserializable} event(s) could not be serialized to JSON (cyclic or BigInt attributes) and were dropped`);
    }
    if (batch === undefined) return;
    if (o.route !== undefined) batch.route = o.route;
    const outcome = await deliverBatch(batch, {
      transport: o.transport,
      policy: o,
      random: o.random,
      waitForRetry,
      onRetry: () => {
        if (!token.abandoned) counts.retried++;
      },
      // Once shutdown has written the batch off, its late problems are noise.
      onProblem: (key, message) => {
        if (!token.abandoned) o.onProblem(key, message);
      },
    });
    if (token.abandoned) return;
    counts.sent += outcome.sent;
    counts.failed += outcome.failed;
  }

  /** Waits `ms` unless the deadline would pass first; false means give up. */
  function waitForRetry(ms: number): Promise<boolean> {
    const until = o.clock.now() + ms;
    if (until > deadline) return Promise.resolve(false);
    return new Promise((resolve) => {
      const h = o.clock.setTimeout(() => {
        wakeRetry = undefined;
        resolve(true);
      }, ms);
      h.unref?.();
      // Called when a deadline is set mid-wait: give up now if the wait would outlast it.
      wakeRetry = () => {
        if (until > deadline) {
          o.clock.clearTimeout(h);
          wakeRetry = undefined;
          resolve(false);
        }
      };
    });
  }

  function setDeadline(d: number): void {
    deadline = d;
    wakeRetry?.();
  }

  async function flush(d?: number): Promise<void> {
    if (d !== undefined) setDeadline(Math.min(deadline, d));
    flushers++;
    try {
      while (queue.length > 0 || pumping !== undefined) {
        await startPump(true);
        if (d !== undefined && o.clock.now() >= d) break;
      }
    } finally {
      flushers--;
      if (flushers === 0 && !closed) deadline = Infinity;
    }
  }

  /** Counts every unsent event as failed and forgets it; true if there was any. */
  function abandonPending(why: string): boolean {
    const unsent = queue.length + (inFlight && !inFlight.abandoned ? inFlight.count : 0);
    if (unsent === 0) return false;
    counts.failed += unsent;
    if (inFlight) inFlight.abandoned = true;
    queue = [];
    o.onProblem('abandoned', `${why} with ${unsent} event(s) unsent`);
    return true;
  }

  return {
    enqueue(event) {
      if (closed || queue.length >= o.maxQueueSize) {
        counts.dropped++;
        if (!closed) o.onProblem('queue-full', `queue full (${o.maxQueueSize} events): dropping new events until the server catches up`);
        return;
      }
      queue.push(event);
      if (queue.length >= o.maxBatchSize) schedulePump();
      else armTimer();
    },
    async flush(d) {
      try {
        await withDeadline(flush(d), d, o.clock);
      } catch {
        // flush() never rejects.
      }
    },
    async shutdown(d) {
      closed = true;
      try {
        await withDeadline(flush(d), d, o.clock);
      } catch {
        // shutdown() never rejects.
      }
      clearTimer();
      abandonPending('shutdown deadline passed');
      o.transport.close?.();
    },
    async flushForExit(d) {
      try {
        await withDeadline(flush(d), d, o.clock);
      } catch {
        // never rejects
      }
      if (abandonPending('exit flush time ran out')) o.transport.close?.();
    },
    stats: () => ({ queued: queue.length + (inFlight && !inFlight.abandoned ? inFlight.count : 0), ...counts }),
  };
}

/** Resolves when `p` settles or at `deadline`, whichever is first. */
function withDeadline(p: Promise<void>, deadline: number | undefined, clock: Clock): Promise<void> {
  if (deadline === undefined) return p;
  return new Promise((resolve) => {
    const h = clock.setTimeout(resolve, Math.max(0, deadline - clock.now()));
    p.then(
      () => {
        clock.clearTimeout(h);
        resolve();
      },
      () => {
        clock.clearTimeout(h);
        resolve();
      },
    );
  });
}
