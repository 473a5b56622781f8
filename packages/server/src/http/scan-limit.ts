// Admission for raw-span reads (trace list and detail, export, insights): at most
// limits.maxConcurrentScans run, up to limits.maxQueuedScans wait their turn for at most
// limits.maxScanWaitMs, and the rest are answered at once — 429 when the queue is full, 503 when
// the wait ran out, both with Retry-After — instead of piling up behind each other until every
// read connection and core is taken and ingest and the overview starve. A query that runs too long
// is the store's to stop (limits.readTimeoutMs).

import type { MiddlewareHandler } from 'hono';
import type { AppEnv, ScanLimits } from './context.js';
import { fail } from './respond.js';

/** @example app.use('/api/traces', limitScans(config.limits)); */
export function limitScans(limits: ScanLimits): MiddlewareHandler<AppEnv> {
  let running = 0;
  /** Waiting requests, first come first served; each is admitted by the read that ends before it. */
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  const turn = () =>
    new Promise<boolean>((resolve) => {
      const admit = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(admit), 1);
        resolve(false);
      }, limits.maxScanWaitMs);
      waiting.push(admit);
    });
  return async (c, next) => {
    if (c.req.method !== 'GET') return next();
    if (running < limits.maxConcurrentScans) {
      running++;
    } else if (waiting.length >= limits.maxQueuedScans) {
      return fail(
        c,
        429,
        'overloaded',
        `too many trace, export and insight reads at once (${running} running, ${waiting.length} waiting; ` +
          `limits.maxConcurrentScans ${limits.maxConcurrentScans}, limits.maxQueuedScans ${limits.maxQueuedScans}); retry shortly`,
        1_000,
      );
    } else if (!(await turn())) {
      return fail(
        c,
        503,
        'overloaded',
        `no turn for this read within ${limits.maxScanWaitMs} ms (limits.maxScanWaitMs): ${limits.maxConcurrentScans} heavy reads are still running; retry shortly`,
        limits.maxScanWaitMs,
      );
    }
    try {
      await next();
    } finally {
      release();
    }
  };
}
