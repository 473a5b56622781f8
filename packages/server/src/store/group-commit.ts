// Group commit: concurrent append requests are batched into one store append (one commit),
// then every request in the batch is answered. Bounded in size and in time: past maxQueuedSpans,
// or when new spans would wait longer than maxQueueDelayMs for the store (it falls behind), new
// work is refused with a retry hint instead of queueing without limit.

import { SightlineError } from '../model/errors.js';
import type { Span } from '../model/span.js';
import type { IdempotencyRecord, SpanRevision, Store } from './store.js';
import type { TraceAttribution } from './trace-attribution.js';

export type SubmitResult =
  | { status: 'ok' }
  | { status: 'retryable'; reason: 'overloaded' | 'store_unavailable'; retryAfterMs: number; message: string };

export interface GroupCommitOptions {
  maxBatchSpans: number;
  maxDelayMs: number;
  maxQueuedSpans: number;
  /**
   * New work is refused when it would wait longer than this before its commit starts: when the
   * oldest queued request has already waited that long (the store stalls), or when the queue holds
   * more spans than the store commits in that time (measured on full batches).
   */
  maxQueueDelayMs?: number;
  /**
   * Batches handed to the store at once (default 2): the next batch is sent while the previous one
   * commits, so a store behind a thread boundary (the DuckDB worker) never waits for its next batch
   * to be copied over. The store commits them in order.
   */
  maxInFlight?: number;
  /** Milliseconds, monotonic; injected by tests. */
  clock?: () => number;
  /** Called with the spans of each successful commit (live tail, metrics). */
  onCommit?: (spans: Span[], commitMs: number) => void;
  /**
   * Attributes each batch through its traces before it is appended, and revises spans committed
   * earlier that the batch attributes before its requests are answered (see trace-attribution.ts).
   */
  attribution?: TraceAttribution;
  /** A revision failed: those spans keep what they were stored with; the batch is still acknowledged (it is durable). */
  onRevisionError?: (err: Error) => void;
  /** Told an error thrown by onCommit (the batch stays acknowledged). */
  onAfterCommitError?: (err: unknown) => void;
}

export interface GroupCommit {
  /**
   * Queues spans (and the request's idempotency record, committed with them). `spentMs`: how long
   * the request has already been in the server (reading, decoding, validating): it counts against
   * maxQueueDelayMs too, so an acknowledgement never comes later than that bound plus one commit.
   */
  submit(spans: Span[], idempotency?: IdempotencyRecord, spentMs?: number): Promise<SubmitResult>;
  /** Spans accepted into the queue and not yet committed. */
  queued(): number;
  /**
   * Why a submit now would be refused as overloaded, or null: lets a route refuse before it reads
   * and decodes a body it could not queue. `arriving`: requests let in before this one and not yet
   * submitted (their bodies still being read or decoded), counted at the average batch size.
   */
  overloaded(arriving?: number): Extract<SubmitResult, { status: 'retryable' }> | null;
  /** Resolves when everything submitted so far is committed (or failed). */
  drain(): Promise<void>;
}

interface Pending {
  spans: Span[];
  idempotency: IdempotencyRecord | undefined;
  resolve: (r: SubmitResult) => void;
  /** When it was queued (opts.clock). */
  since: number;
}

export function createGroupCommit(store: Store, opts: GroupCommitOptions): GroupCommit {
  const clock = opts.clock ?? (() => performance.now());
  const maxInFlight = opts.maxInFlight ?? 2;
  const queue: Pending[] = [];
  let queuedSpans = 0;
  /** Batches handed to the store and not yet answered. */
  let inFlight = 0;
  /** When the store last answered (clock): a pipelined batch's commit starts there, not when it was sent. */
  let lastAnswerAt = 0;
  /** Spans the store commits per ms, measured on full batches (small ones are mostly per-commit cost); 0 until known. */
  let spansPerMs = 0;
  /** Spans per submitted request (moving average), to weigh requests that have not submitted yet. */
  let spansPerRequest = 0;
  let timer: NodeJS.Timeout | null = null;
  let idle: Promise<void> = Promise.resolve();
  let markIdle: (() => void) | null = null;

  const schedule = () => {
    if (inFlight >= maxInFlight || timer || queue.length === 0) return;
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
    if (inFlight >= maxInFlight || queue.length === 0) return;
    inFlight++;
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
    const startedAt = clock();
    let result: SubmitResult;
    await opts.attribution?.prepare(spans);
    try {
      await store.append(spans, idempotency.length > 0 ? { idempotency } : undefined);
      result = { status: 'ok' };
    } catch (err) {
      opts.attribution?.failed(spans);
      const message = err instanceof SightlineError ? err.message : `store append failed: ${(err as Error).message}`;
      result = { status: 'retryable', reason: 'store_unavailable', retryAfterMs: 5_000, message };
    }
    if (result.status === 'ok') {
      if (opts.attribution) {
        try {
          await revise(await opts.attribution.committed(spans));
        } catch (err) {
          opts.onRevisionError?.(err as Error);
        }
      }
      const took = clock() - Math.max(startedAt, lastAnswerAt);
      if (n * 2 >= opts.maxBatchSpans && took > 0) spansPerMs = spansPerMs === 0 ? n / took : 0.7 * spansPerMs + 0.3 * (n / took);
      // The batch is committed: whatever the live tail or metrics do with it, its requests are
      // answered 200 (a 503 would make clients send stored spans again).
      try {
        opts.onCommit?.(spans, performance.now() - started);
      } catch (err) {
        opts.onAfterCommitError?.(err);
      }
    }
    lastAnswerAt = clock();
    queuedSpans -= n;
    for (const p of batch) p.resolve(result);
    inFlight--;
    if (queue.length > 0) {
      // More arrived while committing: they have already waited one commit, go now.
      void commitNext();
    } else if (inFlight === 0 && markIdle) {
      markIdle();
      markIdle = null;
    }
  }

  /** Revises earlier spans a committed batch attributes; a failure is reported, not the batch's. */
  async function revise(revisions: Map<string, SpanRevision[]>): Promise<void> {
    for (const [project, list] of revisions) {
      try {
        await store.reviseSpans(project, list);
      } catch (err) {
        opts.onRevisionError?.(err as Error);
      }
    }
  }

  /** The refusal for `incoming` more spans, or null when they fit. */
  const refusal = (incoming: number, spentMs = 0, arriving = 0): Extract<SubmitResult, { status: 'retryable' }> | null => {
    if (queuedSpans > 0 && queuedSpans + incoming > opts.maxQueuedSpans) {
      return {
        status: 'retryable',
        reason: 'overloaded',
        retryAfterMs: 1_000,
        message: `ingest queue is full (${queuedSpans} spans waiting, limit ${opts.maxQueuedSpans}); retry later`,
      };
    }
    if (opts.maxQueueDelayMs === undefined) return null;
    const stalled = queue.length === 0 ? 0 : clock() - queue[0]!.since;
    const backlog = spansPerMs > 0 ? (queuedSpans + arriving * spansPerRequest) / spansPerMs : 0;
    const wait = Math.max(stalled, backlog) + spentMs;
    if (wait > opts.maxQueueDelayMs) {
      const spent = spentMs >= 1 ? ` (${Math.round(spentMs)} ms of it already spent in the server)` : '';
      return {
        status: 'retryable',
        reason: 'overloaded',
        retryAfterMs: 1_000,
        message: `ingest is behind: new spans would wait ${Math.round(wait)} ms for the store${spent} (limit ${opts.maxQueueDelayMs} ms); retry later`,
      };
    }
    return null;
  };

  return {
    submit(spans, idempotency, spentMs = 0) {
      if (spans.length === 0 && !idempotency) return Promise.resolve({ status: 'ok' });
      spansPerRequest = spansPerRequest === 0 ? spans.length : 0.9 * spansPerRequest + 0.1 * spans.length;
      const refused = refusal(spans.length, spentMs);
      if (refused) return Promise.resolve(refused);
      if (queue.length === 0 && inFlight === 0) {
        idle = new Promise<void>((r) => (markIdle = r));
      }
      queuedSpans += spans.length;
      return new Promise<SubmitResult>((resolve) => {
        queue.push({ spans, idempotency, resolve, since: clock() });
        schedule();
      });
    },
    queued: () => queuedSpans,
    overloaded: (arriving = 0) => refusal(1, 0, arriving),
    drain: () => (queue.length === 0 && inFlight === 0 ? Promise.resolve() : idle),
  };
}
