// Time and randomness the exporter depends on, injectable so tests never sleep for real.

import { performance } from 'node:perf_hooks';

export interface TimerHandle {
  unref?(): unknown;
}

export interface Clock {
  /** Wall time, ms since epoch: event timestamps and deadlines. */
  now(): number;
  /** Monotonic ms with sub-ms precision: span latencies. */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
