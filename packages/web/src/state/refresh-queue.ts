// One panel's refreshes: at most one request in flight and one follow-up queued. A request in
// flight is never cancelled to send the same one again: asks that arrive meanwhile fold into one
// follow-up, which starts when the answer is in.

export interface RefreshQueue {
  /** Runs now if idle; otherwise makes sure one more run follows the current one. */
  request(): void;
  /** No run starts after this (the panel is gone or asks something else now). */
  dispose(): void;
  /** True while a run is in flight. */
  busy(): boolean;
}

/**
 * @example
 * const q = createRefreshQueue(() => fetchPanel());
 * q.request(); q.request(); q.request(); // one fetch now, one after it: two in all
 */
export function createRefreshQueue(run: () => Promise<void>): RefreshQueue {
  let running = false;
  let queued = false;
  let disposed = false;
  const start = (): void => {
    running = true;
    queued = false;
    void run()
      .catch(() => undefined)
      .finally(() => {
        running = false;
        if (queued && !disposed) start();
      });
  };
  return {
    request() {
      if (disposed) return;
      if (running) queued = true;
      else start();
    },
    dispose() {
      disposed = true;
    },
    busy: () => running,
  };
}
