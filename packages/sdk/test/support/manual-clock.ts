// A clock whose timers fire only when the test advances it, so backoff and batching tests never sleep.

import type { Clock, TimerHandle } from '../../src/clock.js';

interface Timer {
  at: number;
  fn: () => void;
  id: number;
}

export interface ManualClock extends Clock {
  /** Moves time forward, firing due timers in order and letting promises settle between them. */
  advance(ms: number): Promise<void>;
  /** Delays of every timer set so far, in order. */
  readonly requested: number[];
  pending(): number;
}

export function createManualClock(start = 1_700_000_000_000): ManualClock {
  let now = start;
  let mono = 0;
  let nextId = 1;
  const timers = new Map<number, Timer>();
  const requested: number[] = [];
  return {
    requested,
    now: () => now,
    monotonic: () => mono,
    setTimeout(fn, ms) {
      const id = nextId++;
      requested.push(ms);
      timers.set(id, { at: now + ms, fn, id });
      return { id, unref() {} } as TimerHandle;
    },
    clearTimeout(h) {
      timers.delete((h as { id: number }).id);
    },
    pending: () => timers.size,
    async advance(ms) {
      const until = now + ms;
      for (;;) {
        await settle();
        const due = [...timers.values()].filter((t) => t.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0];
        if (!due) break;
        timers.delete(due.id);
        mono += due.at - now;
        now = due.at;
        due.fn();
      }
      mono += until - now;
      now = until;
      await settle();
    },
  };
}

/** Lets queued promise callbacks and setImmediate work (encoding, gzip) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
