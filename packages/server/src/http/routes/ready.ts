// GET /api/ready: readiness, unlike /api/health (liveness: the process answers). 503 with the
// reasons when the store cannot write, the disk is nearly full, or rollups lag, so a load balancer
// stops sending traffic and an operator reads why; 200 again once the cause is gone. No key needed
// (probes carry none); reasons name files relative to the data directory, never absolute paths.

import type { Hono } from 'hono';
import type { StoreHealth } from '../../store/store.js';
import type { AppDeps, AppEnv, ReadinessLimits } from '../context.js';

/** How long the store may take to answer the probe before readiness fails on that alone. */
const PROBE_TIMEOUT_MS = 5_000;

const mebibytes = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MiB`;

/** Why the server is not ready (empty when it is). */
export function notReadyReasons(h: StoreHealth, limits: ReadinessLimits): string[] {
  const reasons: string[] = [];
  if (h.writeError !== null) reasons.push(`store cannot write: ${h.writeError}`);
  if (h.diskFreeBytes !== null && h.diskFreeBytes < limits.minFreeDiskBytes) {
    reasons.push(`disk is full: ${mebibytes(h.diskFreeBytes)} free for the data directory, below the ${mebibytes(limits.minFreeDiskBytes)} minimum`);
  }
  if (h.rollupError !== null) {
    reasons.push(`rollups lag ${h.rollupLagSpans} spans behind the stored spans: the last rollup flush failed (${h.rollupError})`);
  } else if (h.rollupLagSpans > limits.maxRollupLagSpans) {
    reasons.push(`rollups lag ${h.rollupLagSpans} spans behind the stored spans (limit ${limits.maxRollupLagSpans})`);
  }
  return reasons;
}

async function probe(deps: AppDeps): Promise<StoreHealth> {
  const unknown: StoreHealth = { writeError: null, diskFreeBytes: null, rollupLagSpans: 0, rollupError: null };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<StoreHealth>((resolve) => {
    timer = setTimeout(() => resolve({ ...unknown, writeError: `the store did not answer the readiness probe within ${PROBE_TIMEOUT_MS / 1000} s` }), PROBE_TIMEOUT_MS);
  });
  // A backend without a probe: ready when it answers a small read.
  const answer = deps.store.health
    ? deps.store.health()
    : deps.store.stats().then(() => unknown);
  try {
    return await Promise.race([answer.catch((err: Error) => ({ ...unknown, writeError: err.message })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function registerReadyRoutes(app: Hono<AppEnv>, deps: AppDeps, limits: ReadinessLimits): void {
  app.get('/api/ready', async (c) => {
    c.header('Cache-Control', 'no-store');
    const h = await probe(deps);
    const reasons = notReadyReasons(h, limits);
    if (deps.draining()) reasons.unshift('server is shutting down');
    const checks = { disk_free_bytes: h.diskFreeBytes, rollup_lag_spans: h.rollupLagSpans };
    if (reasons.length === 0) return c.json({ status: 'ready', checks });
    c.header('Retry-After', '5');
    return c.json({ status: 'not_ready', reasons, checks }, 503);
  });
}
