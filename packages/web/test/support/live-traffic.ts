// Live demo traffic against a test server (the demo's fleet and live runner), and a count of the
// API requests one page makes, for the live-refresh tests and the web benchmark.

import type { Page } from 'playwright-core';
import type { RunningServer } from '../../../server/test/support/server.js';
import { createFleet, demoFleetConfig, runLiveFleet, type LiveRunStats } from '../../../server/src/sim/index.js';

export interface LiveTraffic {
  /** Stops sending and resolves with what was sent. */
  stop(): Promise<LiveRunStats>;
}

/** The demo's fleet, sending what it generates every `flushIntervalMs` (the demo's 500 ms by default). */
export function startLiveTraffic(server: RunningServer, opts: { flushIntervalMs?: number; agents?: number } = {}): LiveTraffic {
  const ctrl = new AbortController();
  const fleet = createFleet({ ...demoFleetConfig({ start: Date.now() }), ...(opts.agents !== undefined && { agents: opts.agents }) });
  const done = runLiveFleet(fleet, { endpoint: server.url, apiKey: server.adminKey, signal: ctrl.signal, ...(opts.flushIntervalMs !== undefined && { flushIntervalMs: opts.flushIntervalMs }) });
  return {
    stop: () => {
      ctrl.abort();
      return done;
    },
  };
}

export interface RequestLog {
  /** API requests (not the live stream) started since the log began, by path. */
  started: string[];
  /** Requests that ended aborted (cancelled by the page). */
  cancelled: string[];
  /** Marks the current position; `since(mark)` lists what started after it. */
  mark(): number;
  since(mark: number): string[];
}

/** Logs every /api/ request a page makes, except the long-lived /api/live stream. */
export function logApiRequests(page: Page): RequestLog {
  const started: string[] = [];
  const cancelled: string[] = [];
  const isApi = (url: string) => {
    const u = new URL(url);
    return u.pathname.startsWith('/api/') && u.pathname !== '/api/live';
  };
  page.on('request', (r) => {
    if (isApi(r.url())) started.push(new URL(r.url()).pathname + new URL(r.url()).search);
  });
  page.on('requestfailed', (r) => {
    if (isApi(r.url()) && /ABORTED/i.test(r.failure()?.errorText ?? '')) cancelled.push(new URL(r.url()).pathname);
  });
  return { started, cancelled, mark: () => started.length, since: (m) => started.slice(m) };
}

/** The page's live tick number (body[data-live-tick]), 0 before the first. */
export async function liveTick(page: Page): Promise<number> {
  return Number((await page.getAttribute('body', 'data-live-tick')) ?? 0);
}

/** Waits until the page has seen tick `n` or later. */
export async function waitForTick(page: Page, n: number, timeout = 60_000): Promise<number> {
  await page.waitForFunction((k) => Number(document.body.dataset.liveTick ?? 0) >= k, n, { timeout });
  return liveTick(page);
}
