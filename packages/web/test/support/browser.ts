// Debian's Chromium driven by playwright-core (no browser download), and a server filled by the
// fleet simulator: what the dashboard's browser tests and benchmark share.

import { chromium, type Browser } from 'playwright-core';
import { request } from '../../../server/test/support/http.js';
import type { RunningServer } from '../../../server/test/support/server.js';
import { createFleet, simulateToArray, type Incident } from '../../../server/src/sim/index.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** playwright-core gives every launch a fresh temporary profile (a fresh --user-data-dir). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A key with read scope only, as a dashboard user would have. */
export async function createReadKey(server: RunningServer): Promise<string> {
  const r = await request<{ key: string }>(`${server.url}/api/keys`, { key: server.adminKey, body: { project: 'default', scopes: ['read'] } });
  if (r.status !== 201) throw new Error(`creating a read key: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.key;
}

/** Simulated traffic for [from, to), posted in batches; returns the number of events. */
export async function fillWithFleet(server: RunningServer, from: number, to: number, opts: { agents?: number; tracesPerMinutePerAgent?: number; seed?: number; incidents?: Incident[] } = {}): Promise<number> {
  const fleet = createFleet({ seed: opts.seed ?? 11, agents: opts.agents ?? 6, tracesPerMinutePerAgent: opts.tracesPerMinutePerAgent ?? 6, ...(opts.incidents && { incidents: opts.incidents }) });
  const events = simulateToArray(fleet, { from, to });
  for (let i = 0; i < events.length; i += 5000) {
    const r = await request<{ accepted: number }>(`${server.url}/v1/events`, { key: server.adminKey, body: events.slice(i, i + 5000) });
    if (r.status !== 200) throw new Error(`ingest: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return events.length;
}
