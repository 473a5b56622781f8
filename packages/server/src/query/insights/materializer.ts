// Keeps the store's hourly insight aggregates current: runs materializeInsights on a timer, one
// run at a time. Queries are exact without it (unmaterialized hours are read from raw spans);
// it only keeps them fast.

import type { InsightStore } from '../../store/insight-store.js';

export interface InsightMaterializer {
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

export function startInsightMaterializer(
  store: InsightStore,
  opts: { intervalMs?: number; clock?: () => number; log?: (line: string) => void } = {},
): InsightMaterializer {
  const clock = opts.clock ?? Date.now;
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running !== null) return;
    running = store
      .materializeInsights({ now: clock() })
      .then(
        () => undefined,
        (err: Error) => opts.log?.(`insight materialization failed: ${err.message}`),
      )
      .finally(() => (running = null));
  };
  // A minute is well inside the 2-minute grace period after each hour closes.
  const timer = setInterval(tick, opts.intervalMs ?? 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
