// Live traffic for `sightline demo`: the fleet's simulated clock follows the wall clock (times
// `speed`), each span is sent once it has ended — as an SDK would — in a POST every ~500 ms.
// Backs off on 429/503 honouring Retry-After, survives network errors, stops on abort.

import type { Fleet } from './fleet.js';
import { backoffMs, postEvents, sleep, type PostOutcome } from './post-events.js';
import { simulate } from './simulate.js';
import type { SimEvent } from './trace.js';

/** Time, injected so tests can run a live fleet without waiting. */
export interface LiveClock {
  now(): number;
  /** Resolves after `ms` or when `signal` aborts; never rejects. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: LiveClock = { now: () => Date.now(), sleep };

export interface LiveRunOptions {
  endpoint: string;
  apiKey: string;
  signal: AbortSignal;
  /** Simulated ms per wall ms; default 1. Above 1, timestamps are compressed onto the wall clock. */
  speed?: number;
  /** Simulated time to begin at (e.g. where a backfill ended); default now. */
  from?: number;
  /** Called for each failed POST; the run goes on. */
  onError?: (problem: LiveProblem) => void;
  clock?: LiveClock;
  /** Ms between POSTs; default 500. */
  flushIntervalMs?: number;
  /** Most events in one POST; default 5000. */
  maxBatch?: number;
  /** Most events held while the server refuses them; the oldest are dropped beyond it. Default 100 000. */
  maxBuffered?: number;
  /** Called with each batch the server accepted (the demo posts the batch's scores); failures are its own. */
  afterPost?: (events: readonly SimEvent[]) => Promise<void>;
}

export interface LiveProblem {
  reason: string;
  /** Events in the batch concerned. */
  events: number;
  /** 'retry' keeps the batch; 'dropped' gives it up (rejected by the server, or buffer full). */
  action: 'retry' | 'dropped';
  retryInMs?: number;
}

export interface LiveRunStats {
  generatedEvents: number;
  acceptedEvents: number;
  droppedEvents: number;
  requests: number;
  failedRequests: number;
}

/**
 * Runs until `signal` aborts, then resolves with what was sent.
 * @example
 *   const controller = new AbortController();
 *   const done = runLiveFleet(createFleet(demoFleetConfig({ start: Date.now() })), { endpoint, apiKey, signal: controller.signal });
 */
export async function runLiveFleet(fleet: Fleet, options: LiveRunOptions): Promise<LiveRunStats> {
  const clock = options.clock ?? systemClock;
  const speed = options.speed ?? 1;
  const interval = options.flushIntervalMs ?? 500;
  const maxBatch = options.maxBatch ?? 5000;
  const maxBuffered = options.maxBuffered ?? 100_000;
  const { signal } = options;
  const anchor = options.from ?? clock.now();
  const toWall = (simTime: number): number => anchor + (simTime - anchor) / speed;
  const stats: LiveRunStats = { generatedEvents: 0, acceptedEvents: 0, droppedEvents: 0, requests: 0, failedRequests: 0 };

  let generatedUntil = anchor;
  let waiting: { dueAt: number; event: SimEvent }[] = [];
  let outbox: SimEvent[] = [];
  let retryAt = 0;
  let failures = 0;

  while (!signal.aborted) {
    const now = clock.now();
    const simNow = anchor + (now - anchor) * speed;
    if (simNow > generatedUntil) {
      for (const trace of simulate(fleet, { from: generatedUntil, to: simNow })) {
        for (const event of trace) {
          // Sent when the span ends in simulated time; latencies themselves are not compressed.
          const dueAt = toWall(event.timestamp + event.latency_ms);
          if (speed !== 1) event.timestamp = Math.floor(toWall(event.timestamp));
          waiting.push({ dueAt, event });
        }
        stats.generatedEvents += trace.length;
      }
      generatedUntil = simNow;
    }
    const stillWaiting: typeof waiting = [];
    for (const item of waiting) {
      if (item.dueAt <= now) outbox.push(item.event);
      else stillWaiting.push(item);
    }
    waiting = stillWaiting;
    if (outbox.length > maxBuffered) {
      const excess = outbox.length - maxBuffered;
      outbox = outbox.slice(excess);
      stats.droppedEvents += excess;
      options.onError?.({ reason: `buffer full (${maxBuffered} events)`, events: excess, action: 'dropped' });
    }
    while (outbox.length > 0 && clock.now() >= retryAt && !signal.aborted) {
      const batch = outbox.slice(0, maxBatch);
      stats.requests++;
      const outcome = await postEvents(options, batch, signal);
      if (signal.aborted) break;
      if (outcome.status !== 'ok') stats.failedRequests++;
      const handled = handleOutcome(outcome, batch.length, failures, clock.now(), options.onError);
      failures = outcome.status === 'retryable' ? failures + 1 : 0;
      retryAt = handled.retryAt;
      if (handled.keep) break;
      outbox = outbox.slice(batch.length);
      if (outcome.status === 'ok') {
        stats.acceptedEvents += batch.length;
        await options.afterPost?.(batch).catch(() => undefined);
      }
      else stats.droppedEvents += batch.length;
    }
    await clock.sleep(interval, signal);
  }
  return stats;
}

function handleOutcome(
  outcome: PostOutcome,
  events: number,
  failures: number,
  now: number,
  onError: LiveRunOptions['onError'],
): { keep: boolean; retryAt: number } {
  if (outcome.status === 'ok') return { keep: false, retryAt: 0 };
  if (outcome.status === 'rejected') {
    onError?.({ reason: outcome.reason, events, action: 'dropped' });
    return { keep: false, retryAt: 0 };
  }
  const wait = outcome.retryAfterMs ?? backoffMs(failures);
  onError?.({ reason: outcome.reason, events, action: 'retry', retryInMs: wait });
  return { keep: true, retryAt: now + wait };
}
