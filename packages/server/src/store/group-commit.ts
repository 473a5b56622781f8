// Group commit: concurrent append requests are batched into one store append (one commit),
// then every request in the batch is answered. Bounded: past maxQueuedSpans new work is
// refused with a retry hint instead of queueing without limit.

import { SightlineError } from '../model/errors.js';
import type { Span } from '../model/span.js';
import type { IdempotencyRecord, Store } from './store.js';

export type SubmitResult =
  | { status: 'ok' }
  | { status: 'retryable'; reason: 'overloaded' | 'store_unavailable'; retryAfterMs: number; message: string };

export interface GroupCommitOptions {
  maxBatchSpans: number;
  maxDelayMs: number;
  maxQueuedSpans: number;
  /** Called with the spans of each successful commit (live tail, metrics). */
  onCommit?: (spans: Span[], commitMs: number) => void;
}

export interface GroupCommit {
  /** Queues spans (and the request's idempotency record, committed with them). */
  submit(spans: Span[], idempotency?: IdempotencyRecord): Promise<SubmitResult>;
  /** Spans accepted into the queue and not yet committed. */
  queued(): number;
  /** Resolves when everything submitted so far is committed (or failed). */
  drain(): Promise<void>;
}

interface Pending {
  spans: Span[];
  idempotency: IdempotencyRecord | undefined;
  resolve: (r: SubmitResult) => void;
}

export function createGroupCommit(store: Store, opts: GroupCommitOptions): GroupCommit {
  const queue: Pending[] = [];
  let queuedSpans = 0;
  let committing = false;
  let timer: NodeJS.Timeout | null = null;
  let idle: Promise<void> = Promise.resolve();
  let markIdle: (() => void) | null = null;

  const schedule = () => {
    if (committing || timer || queue.length === 0) return;
    if (queuedSpans >= opts.maxBatchSpans || opts.maxDelayMs === 0) {
      void commitNext();
    } else {
      timer = setTimeout(() => {
        timer = null;
        void commitNext();
      }, opts.maxDelayMs);
    }
  };

  async function commitNext(): Promise<void> {
    if (committing || queue.length === 0) return;
    committing = true;
    const batch: Pending[] = [];
    let n = 0;
    while (queue.length > 0 && (n === 0 || n + queue[0]!.spans.length <= opts.maxBatchSpans)) {
      const p = queue.shift()!;
      batch.push(p);
      n += p.spans.length;
    }
    const spans = batch.length === 1 ? batch[0]!.spans : batch.flatMap((p) => p.spans);
    const idempotency = batch.flatMap((p) => (p.idempotency ? [p.idempotency] : []));
    const started = performance.now();
    let result: SubmitResult;
    try {
      await store.append(spans, idempotency.length > 0 ? { idempotency } : undefined);
      result = { status: 'ok' };
      opts.onCommit?.(spans, performance.now() - started);
    } catch (err) {
      const message = err instanceof SightlineError ? err.message : `store append failed: ${(err as Error).message}`;
      result = { status: 'retryable', reason: 'store_unavailable', retryAfterMs: 5_000, message };
    }
    queuedSpans -= n;
    for (const p of batch) p.resolve(result);
    committing = false;
    if (queue.length > 0) {
      // More arrived while committing: they have already waited one commit, go now.
      void commitNext();
    } else if (markIdle) {
      markIdle();
      markIdle = null;
    }
  }

  return {
    submit(spans, idempotency) {
      if (spans.length === 0 && !idempotency) return Promise.resolve({ status: 'ok' });
      if (queuedSpans > 0 && queuedSpans + spans.length > opts.maxQueuedSpans) {
        return Promise.resolve({
          status: 'retryable',
          reason: 'overloaded',
          retryAfterMs: 1_000,
          message: `ingest queue is full (${queuedSpans} spans waiting, limit ${opts.maxQueuedSpans}); retry later`,
        });
      }
      if (queue.length === 0 && !committing) {
        idle = new Promise<void>((r) => (markIdle = r));
      }
      queuedSpans += spans.length;
      return new Promise<SubmitResult>((resolve) => {
        queue.push({ spans, idempotency, resolve });
        schedule();
      });
    },
    queued: () => queuedSpans,
    drain: () => (queue.length === 0 && !committing ? Promise.resolve() : idle),
  };
}
