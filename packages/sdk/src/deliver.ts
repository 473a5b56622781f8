// Delivers one encoded batch: sends it, retries what is worth retrying (network errors, 408, 429,
// 5xx) with backoff or the server's Retry-After, and says what became of its events.

import { retryDelayMs, type BackoffPolicy } from './backoff.js';
import type { EncodedBatch, ExportResult, Transport } from './transport.js';

export interface DeliveryPolicy extends BackoffPolicy {
  maxRetries: number;
}

export interface DeliveryDeps {
  transport: Transport;
  policy: DeliveryPolicy;
  random: () => number;
  /** Waits before the next attempt; resolves false when the caller's deadline forbids it. */
  waitForRetry(ms: number): Promise<boolean>;
  /** Called before each retry, so stats show retries while a batch is still being tried. */
  onRetry(): void;
  onProblem(key: string, message: string): void;
}

export type DeliveryOutcome = { sent: number; failed: number };

export async function deliverBatch(batch: EncodedBatch, d: DeliveryDeps): Promise<DeliveryOutcome> {
  for (let attempt = 0; ; attempt++) {
    let result: ExportResult;
    try {
      result = await d.transport.send(batch);
    } catch (e) {
      result = { status: 'retryable', reason: e instanceof Error ? e.message : String(e) };
    }
    if (result.status === 'ok') {
      const rejected = Math.min(result.rejected.length, batch.count);
      if (rejected > 0) {
        const r = result.rejected[0];
        d.onProblem('event-rejected', `server rejected ${rejected} event(s); first: field ${String(r?.field)}: ${String(r?.error)}`);
      }
      return { sent: batch.count - rejected, failed: rejected };
    }
    if (result.status === 'rejected') {
      d.onProblem(`http-${result.httpStatus}`, `server refused a batch with HTTP ${result.httpStatus}: ${result.message} (events dropped, not retried)`);
      return { sent: 0, failed: batch.count };
    }
    if (attempt >= d.policy.maxRetries) {
      d.onProblem('retries-exhausted', `gave up on a batch of ${batch.count} after ${attempt + 1} attempts: ${result.reason}`);
      return { sent: 0, failed: batch.count };
    }
    if (!(await d.waitForRetry(retryDelayMs(attempt, result.retryAfterMs, d.policy, d.random)))) {
      d.onProblem('deadline', `flush deadline passed while retrying (${result.reason}); ${batch.count} event(s) dropped`);
      return { sent: 0, failed: batch.count };
    }
    d.onRetry();
  }
}
