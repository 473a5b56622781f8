// History before live traffic (e.g. the last 24 h for `sightline demo`), pushed in batches.
// Because each simulated minute is generated on its own, a backfill to `t` followed by
// `runLiveFleet(fleet, { from: t })` is exactly the traffic of one uninterrupted run.

import type { Fleet } from './fleet.js';
import { simulate, type SimWindow } from './simulate.js';
import type { SimEvent } from './trace.js';

export interface BackfillOptions extends SimWindow {
  /** Sends one batch; a rejection stops the backfill and is passed on. */
  post: (events: SimEvent[]) => Promise<void>;
  /** Events per batch; traces are never split across batches. Default 5000. */
  batchSize?: number;
  /** Called after each batch, e.g. for a progress line. */
  onProgress?: (progress: BackfillStats) => void;
  signal?: AbortSignal;
}

export interface BackfillStats {
  events: number;
  traces: number;
  batches: number;
  /** Simulated time reached so far (start of the last trace batched). */
  reached: number;
}

/**
 * Posts every trace starting in [from, to), one batch at a time.
 * @example
 *   const now = Date.now();
 *   await backfill(fleet, { from: now - 86_400_000, to: now, post: createEventPoster({ endpoint, apiKey }) });
 */
export async function backfill(fleet: Fleet, options: BackfillOptions): Promise<BackfillStats> {
  const batchSize = options.batchSize ?? 5000;
  const stats: BackfillStats = { events: 0, traces: 0, batches: 0, reached: options.from };
  let batch: SimEvent[] = [];
  let batchTraces = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const sending = batch;
    const traces = batchTraces;
    batch = [];
    batchTraces = 0;
    await options.post(sending);
    stats.events += sending.length;
    stats.traces += traces;
    stats.batches++;
    options.onProgress?.({ ...stats });
  };
  for (const trace of simulate(fleet, options)) {
    if (options.signal?.aborted) break;
    if (batch.length > 0 && batch.length + trace.length > batchSize) await flush();
    for (const event of trace) batch.push(event);
    batchTraces++;
    stats.reached = trace[0]!.timestamp;
  }
  if (!options.signal?.aborted) await flush();
  return stats;
}
