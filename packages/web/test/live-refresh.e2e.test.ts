// Live updates without request storms, in Chromium against the real server with the demo's live
// traffic flowing: between observed live ticks each page stays within 30 API requests a minute
// (ticks are shortened to 1 s here with sessionStorage `sightline.liveTickMs`, so a minute of
// real time is three ticks: the budget per tick is the same), cancels nothing, fetches only the
// changed buckets of its series, and, once the traffic stops, shows exactly what a full fetch of
// the API answers. The Agents table is one /api/agents call per tick.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../server/test/support/http.js';
import { startServer, type RunningServer } from '../../server/test/support/server.js';
import { createReadKey, fillWithFleet, launchChromium } from './support/browser.js';
import { liveTick, logApiRequests, startLiveTraffic, waitForTick } from './support/live-traffic.js';

const MIN = 60_000;
const TICK_MS = 1_000;
/** Ticks counted per page: two minutes of real time (a tick is 20 s there). */
const TICKS = 6;
const BUDGET_PER_MINUTE = 30;

describe('live refresh in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let readKey: string;
  const api = async <T = any>(path: string) => (await request<T>(`${server.url}${path}`, { key: readKey })).body;

  beforeAll(async () => {
    server = await startServer();
    readKey = await createReadKey(server);
    // History only in the last 20 minutes: the hour's window can slide for 40 minutes without
    // dropping data, so a merged view and a later full fetch cover the same spans.
    await fillWithFleet(server, Date.now() - 20 * MIN, Date.now() - MIN);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript(
      ([k, tick]) => {
        sessionStorage.setItem('sightline.key', k);
        sessionStorage.setItem('sightline.liveTickMs', tick);
      },
      [readKey, String(TICK_MS)] as const,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop({ remove: true });
  });

  /**
   * Opens `path`, runs live traffic for TICKS ticks, and returns the API requests made between the
   * first and the last (`during`) and all made after the first load (`refreshes`, once one of them
   * starts with `refresh`: on a busy machine a round can outlast many 1 s ticks, which then fold
   * into one follow-up).
   */
  async function measure(page: Page, path: string, ready: string, refresh: string) {
    const log = logApiRequests(page);
    await page.goto(`${server.url}${path}`);
    await page.waitForSelector(ready);
    const loaded = log.mark();
    const traffic = startLiveTraffic(server);
    const first = await waitForTick(page, (await liveTick(page)) + 1);
    const mark = log.mark();
    const cancelledBefore = log.cancelled.length;
    await waitForTick(page, first + TICKS);
    const during = log.since(mark);
    await expect.poll(() => log.since(loaded).some((p) => p.startsWith(refresh)), { timeout: 60_000, interval: 200 }).toBe(true);
    const cancelled = log.cancelled.slice(cancelledBefore);
    const stats = await traffic.stop();
    expect(stats.acceptedEvents).toBeGreaterThan(0);
    return { during, cancelled, refreshes: log.since(loaded) };
  }

  it('overview: at most 30 requests a minute, nothing cancelled, series fetch only changed buckets, merged data equals a full fetch', async () => {
    const page = await context.newPage();
    const { during, cancelled, refreshes } = await measure(page, '/?range=1h', 'body[data-overview-complete]', '/api/timeseries');
    expect(during.length).toBeLessThanOrEqual((BUDGET_PER_MINUTE * TICKS * 20_000) / MIN);
    expect(cancelled).toEqual([]);
    const series = refreshes.filter((p) => p.startsWith('/api/timeseries'));
    expect(series.length).toBeGreaterThan(0);
    // Every series refresh asks for a range starting at a bucket boundary, never for the whole hour.
    for (const p of series) {
      const q = new URLSearchParams(p.split('?')[1]);
      expect(q.get('range'), p).toBe(null);
      expect(Number(q.get('from')) % MIN, p).toBe(0);
      expect(Number(q.get('to')) - Number(q.get('from')), p).toBeLessThan(20 * MIN);
    }
    // Identical GETs of two panels go out once: one /api/overview per refresh, not two.
    const overviews = during.filter((p) => p.startsWith('/api/overview'));
    expect(overviews.length).toBeLessThanOrEqual(TICKS + 1);

    // Traffic stopped: the last changed event arrives, and the merged charts equal full fetches.
    const chart = page.locator('[data-chart="Cost per hour by model"]');
    // data-sum-ended leaves out the chart's partial bucket (drawn scaled by the time it has covered).
    const costSum = async () => {
      const r = await api(`/api/timeseries?metric=cost&group_by=model&interval=1m&range=1h`);
      const partial = await chart.getAttribute('data-partial-bucket');
      const skip = partial === null ? null : Number(partial);
      return { sum: r.series.reduce((a: number, s: any) => a + s.points.reduce((b: number, p: any) => b + (p[0] === skip ? 0 : (p[1] ?? 0) * 60), 0), 0), series: r.series.length };
    };
    await expect
      .poll(async () => {
        const want = await costSum();
        const got = { sum: Number(await chart.getAttribute('data-sum-ended')), series: Number(await chart.getAttribute('data-series')) };
        return Math.abs(got.sum - want.sum) < 1e-6 * Math.max(1, want.sum) && got.series === want.series;
      }, { timeout: 30_000, interval: 500 })
      .toBe(true);
    // KPIs that are rates over covered time (spans/min) drift as the clock runs on with no new data;
    // the error rate and p95 depend on the spans alone, so the page's must equal a full fetch's.
    const kpi = async (id: string) => Number(await page.getAttribute(`[data-kpi="${id}"]`, 'data-value'));
    await expect
      .poll(async () => {
        const full = (await api('/api/overview?range=1h')).current;
        return [await kpi('error_rate'), await kpi('latency_p95_ms')].join() === [full.error_rate, full.latency_p95_ms].join();
      }, { timeout: 30_000, interval: 500 })
      .toBe(true);
    await page.close();
  });

  it('agents: the table is one grouped query per tick, within budget, and ends equal to /api/agents', async () => {
    const page = await context.newPage();
    const { during, cancelled, refreshes } = await measure(page, '/agents?range=1h', 'table[aria-label="Agents"] tbody tr', '/api/agents');
    expect(during.length).toBeLessThanOrEqual((BUDGET_PER_MINUTE * TICKS * 20_000) / MIN);
    expect(cancelled).toEqual([]);
    // Only the fleet KPIs and the table, at most one of each per tick: no overview per agent.
    expect(refreshes.filter((p) => p !== '/api/overview?range=1h' && p !== '/api/agents?range=1h')).toEqual([]);
    expect(during.filter((p) => p === '/api/agents?range=1h').length).toBeLessThanOrEqual(TICKS + 1);
    const shown = async () =>
      JSON.stringify(
        (await page.$$eval('table[aria-label="Agents"] tbody tr', (rows) => rows.map((r) => [r.children[1]!.textContent!, Number(r.children[2]!.textContent!.replace(/,/g, ''))] as const))).sort(),
      );
    const want = async () => JSON.stringify((await api('/api/agents?range=1h')).agents.map((a: any) => [a.agent, a.spans]).sort());
    await expect.poll(async () => (await shown()) === (await want()), { timeout: 30_000, interval: 500 }).toBe(true);
    expect(JSON.parse(await shown()).length).toBeGreaterThan(3);
    await page.close();
  });
});
