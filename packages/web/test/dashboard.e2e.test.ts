// The dashboard in a real browser (Debian's Chromium through playwright-core) against the real
// server filled by the fleet simulator: sign-in, every page, numbers equal to the API's, live
// tail, waterfall, URL-kept filters, and user content rendered as text. Screenshots of each page
// go to test-artifacts/ (and the overview to docs/screenshot-overview.png).

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../server/test/support/http.js';
import { startServer, type RunningServer } from '../../server/test/support/server.js';
import { createReadKey, fillWithFleet, launchChromium } from './support/browser.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ARTIFACTS = `${ROOT}test-artifacts/`;
const MIN = 60_000;

describe('dashboard in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let readKey: string;
  const to = Math.floor(Date.now() / MIN) * MIN;
  const from = to - 60 * MIN;
  const range = `from=${from}&to=${to}`;
  const api = async <T = any>(path: string) => (await request<T>(`${server.url}${path}`, { key: readKey })).body;
  const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}dashboard-${name}.png`, fullPage: true });
  const xssTrace = 'feedbeef'.repeat(4);

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    readKey = await createReadKey(server);
    await fillWithFleet(server, to - 120 * MIN, to);
    const hostile = {
      timestamp: to - 10 * MIN,
      agent_id: 'support-1',
      trace_id: xssTrace,
      span_type: 'tool_call',
      name: '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">',
      latency_ms: 12,
      error: { type: '<b>boom</b>', message: '<img src=x onerror="window.__xss = 3">' },
      attributes: { note: '<svg onload="window.__xss = 4">' },
    };
    const r = await request(`${server.url}/v1/events`, { key: server.adminKey, body: [hostile] });
    expect(r.body).toMatchObject({ accepted: 1 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop({ remove: true });
  });

  it('serves the app with a strict CSP, and no API data without a key', async () => {
    const res = await fetch(`${server.url}/agents/support-1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self';");
    const html = await res.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(`${server.url}${asset}`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(html).not.toMatch(/<script(?![^>]*src=)[^>]*>/);
    expect((await fetch(`${server.url}/api/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/overview`)).status).toBe(401);
  });

  it('requires sign-in; a wrong key is refused; the key stays out of the URL', async () => {
    await page.goto(`${server.url}/?${range}`);
    await page.getByLabel('API key').fill('sl_wrong_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('invalid API key');
    await shot('sign-in');
    await page.getByLabel('API key').fill(readKey);
    await page.keyboard.press('Enter');
    await page.waitForSelector('body[data-overview-complete]');
    expect(page.url()).not.toContain(readKey);
    expect(await page.evaluate(() => sessionStorage.getItem('sightline.key'))).toBe(readKey);
  });

  it('overview: KPIs and charts equal the API', async () => {
    await page.waitForSelector('.chart canvas');
    const o = await api(`/api/overview?${range}`);
    for (const k of ['spans_per_min', 'error_rate', 'latency_p95_ms', 'cost_per_hour', 'tokens_per_min', 'active_agents']) {
      expect(Number(await page.getAttribute(`[data-kpi="${k}"]`, 'data-value')), k).toBe(o.current[k]);
    }
    expect(o.current.spans).toBeGreaterThan(1000);
    const sum = (series: { points: [number, number | null][] }[], f = 1) => series.reduce((a, s) => a + s.points.reduce((b, p) => b + (p[1] ?? 0) * f, 0), 0);
    const err = await api(`/api/timeseries?metric=error_rate&interval=1m&${range}`);
    const p95 = await api(`/api/timeseries?metric=latency_p95&interval=1m&${range}`);
    const cost = await api(`/api/timeseries?metric=cost&group_by=model&interval=1m&${range}`);
    expect(Number(await page.getAttribute('[data-chart="Error rate"]', 'data-sum'))).toBeCloseTo(sum(err.series), 4);
    expect(Number(await page.getAttribute('[data-chart="p95 latency"]', 'data-sum'))).toBeCloseTo(sum(p95.series), 4);
    expect(Number(await page.getAttribute('[data-chart="Cost per hour by model"]', 'data-sum'))).toBeCloseTo(sum(cost.series, 60), 4);
    expect(Number(await page.getAttribute('[data-chart="Cost per hour by model"]', 'data-series'))).toBe(cost.series.length);
    expect(cost.series.length).toBeGreaterThan(2);
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(3);
    await shot('overview');
    await page.screenshot({ path: `${ROOT}docs/screenshot-overview.png` });
  });

  it('agents: one row per agent with its own KPIs; the agent page filters', async () => {
    await page.getByRole('link', { name: 'Agents', exact: true }).click();
    await page.waitForSelector('table[aria-label="Agents"] tbody tr');
    expect(page.url()).toContain(range);
    const counts = await api(`/api/timeseries?metric=count&group_by=agent&interval=1m&${range}`);
    expect(await page.locator('table[aria-label="Agents"] tbody tr').count()).toBe(counts.series.length);
    const one = await api(`/api/overview?${range}&agent=support-1`);
    const row = page.locator('table[aria-label="Agents"] tbody tr', { hasText: 'support-1' });
    expect(await row.locator('td').nth(2).textContent()).toBe(one.current.spans.toLocaleString('en-US'));
    await shot('agents');
    await row.getByRole('link', { name: 'support-1' }).click();
    await page.waitForSelector('[data-kpi="spans_per_min"]');
    await page.waitForSelector('.bars li');
    expect(Number(await page.getAttribute('[data-kpi="spans_per_min"]', 'data-value'))).toBe(one.current.spans_per_min);
    await shot('agent');
  });

  it('traces: filters change the URL and the rows; a trace opens its waterfall', async () => {
    await page.goto(`${server.url}/traces?${range}`);
    await page.waitForSelector('table[aria-label="Traces"] tbody tr');
    const all = await api(`/api/traces?${range}`);
    expect(await page.locator('table[aria-label="Traces"] tbody tr').count()).toBe(all.traces.length);
    await page.getByLabel('Agent').fill('research-1');
    await page.getByLabel('Agent').press('Enter');
    await page.waitForURL(/agent=research-1/);
    const some = await api(`/api/traces?${range}&agent=research-1`);
    await expect.poll(() => page.locator('table[aria-label="Traces"] tbody tr').count()).toBe(some.traces.length);
    expect(await page.locator('table[aria-label="Traces"] tbody tr td:nth-child(2)').allTextContents()).toEqual(some.traces.map((t: any) => t.agent_id));
    await shot('traces');
    await page.goBack();
    await expect.poll(() => page.locator('table[aria-label="Traces"] tbody tr').count()).toBe(all.traces.length);
    const first = some.traces[0];
    await page.goForward();
    await page.locator(`a[data-trace="${first.trace_id}"]`).click();
    await page.waitForSelector('.wf-row');
    const detail = await api(`/api/traces/${first.trace_id}`);
    expect(await page.locator('.wf-row').count()).toBe(detail.spans.length);
    const chosenId = await page.locator('.wf-row').nth(1).getAttribute('data-span');
    await page.locator('.wf-row').nth(1).focus();
    await page.keyboard.press('Enter');
    const chosen = detail.spans.find((sp: any) => sp.span_id === chosenId);
    await expect.poll(() => page.locator('.span-detail h3').textContent()).toBe(chosen.name);
    await shot('trace');
  });

  it('renders hostile span content as text and never runs it', async () => {
    await page.goto(`${server.url}/traces/${xssTrace}?${range}`);
    await page.waitForSelector('.span-detail h3');
    expect(await page.locator('.span-detail h3').textContent()).toBe('<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">');
    expect(await page.locator('.error-box').textContent()).toBe('<b>boom</b>: <img src=x onerror="window.__xss = 3">');
    expect(await page.locator('.attrs').textContent()).toContain('<svg onload=\\"window.__xss = 4\\">');
    expect(await page.locator('main img, main svg[onload], main script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('live: a span sent during the test appears within 2 s', async () => {
    await page.goto(`${server.url}/live`);
    await page.waitForSelector('[data-live="open"]');
    const name = `live-probe-${Date.now()}`;
    const sent = Date.now();
    const r = await request(`${server.url}/v1/events`, { key: server.adminKey, body: [{ agent_id: 'probe', span_type: 'custom', name, latency_ms: 5 }] });
    expect(r.body).toMatchObject({ accepted: 1 });
    await page.getByRole('link', { name }).waitFor({ timeout: 2_000 });
    expect(Date.now() - sent).toBeLessThan(2_000);
    await shot('live');
  });

  it('decisions, cohorts and alerts pages render their panels', async () => {
    await page.goto(`${server.url}/decisions?${range}`);
    await page.waitForSelector('[data-chart="Decision share over time"] canvas');
    const byDecision = await api(`/api/timeseries?metric=count&group_by=decision&span_type=decision&interval=1m&${range}`);
    expect(Number(await page.getAttribute('[data-chart="Decision share over time"]', 'data-series'))).toBe(byDecision.series.length);
    await page.waitForSelector('table[aria-label="Decision paths"] tbody tr');
    await shot('decisions');

    await page.goto(`${server.url}/cohorts?${range}&by=decision`);
    await page.waitForSelector('table[aria-label="Cohorts"] tbody tr');
    const cohorts = await api(`/api/timeseries?metric=count&group_by=decision&interval=1m&${range}`);
    const decisions = cohorts.series.filter((s: any) => s.points.some((p: any) => p[1] > 0));
    expect(await page.locator('table[aria-label="Cohorts"] tbody tr').count()).toBe(decisions.length);
    await shot('cohorts');

    await page.goto(`${server.url}/alerts`);
    await page.waitForSelector('section[aria-label="Rules"]:not([data-state="loading"])');
    await shot('alerts');
  });

  it('dark theme and a narrow window', async () => {
    await page.goto(`${server.url}/?${range}`);
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await page.waitForSelector('body[data-overview-complete]');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.waitForSelector('.chart canvas');
    await shot('overview-dark');
    await page.setViewportSize({ width: 420, height: 900 });
    await shot('overview-narrow');
  });
});
