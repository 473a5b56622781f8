// What a dashboard needs to know about new data: which time range it touched. Committed spans
// are folded into one range (by span timestamp, the time rollups bucket by) and handed out at
// most once per interval, so a page refetches a few buckets every few seconds however fast
// spans arrive.

import type { Span } from '../model/span.js';

/** Spans committed since the last `changed` event: their count and timestamp range [from, to]. */
export interface ChangedRange {
  from: number;
  to: number;
  spans: number;
}

export interface ChangeWindow {
  add(spans: readonly Span[]): void;
  /** The range gathered so far (null when nothing arrived); a send at `now` starts the next interval. */
  take(now: number): ChangedRange | null;
  /** Milliseconds until the next event may go out (0: now), or null when nothing waits. */
  dueIn(now: number): number | null;
}

/**
 * @example
 * const w = createChangeWindow(5_000, 0);
 * w.add(spans); w.dueIn(1_000) // 4_000: the previous event went out at 0
 */
export function createChangeWindow(intervalMs: number, lastSentAt = -Infinity): ChangeWindow {
  let pending: ChangedRange | null = null;
  let sentAt = lastSentAt;
  return {
    add(spans) {
      for (const s of spans) {
        if (pending === null) pending = { from: s.timestamp, to: s.timestamp, spans: 0 };
        pending.from = Math.min(pending.from, s.timestamp);
        pending.to = Math.max(pending.to, s.timestamp);
        pending.spans++;
      }
    },
    take(now) {
      const out = pending;
      pending = null;
      if (out !== null) sentAt = now;
      return out;
    },
    dueIn(now) {
      if (pending === null) return null;
      const wait = sentAt + intervalMs - now;
      return wait > 0 ? wait : 0;
    },
  };
}
