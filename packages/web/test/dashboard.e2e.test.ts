// The dashboard in a real browser (Debian's Chromium through playwright-core) against the real
// server filled by the fleet simulator: sign-in, every page, numbers equal to the API's, live
// tail, waterfall, URL-kept filters, and user content rendered as text. The simulated fleet has
// incidents in the last half hour (refund decisions fail, gpt-4o slows down, input_category=returns
// traces fail) so the insight pages (baseline bands, correlated findings, cost by path, failing
// cohorts) and a custom alert rule have something to find; every figure shown is compared with
// the API's. Screenshots of each page go to test-artifacts/ (the README's come from the demo:
// packages/web/bench/screenshot.ts).

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPct, formatUsd } from '@sightline/api';
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
    // Enough traffic that 5-minute buckets and a 15-minute alert window hold well over the
    // minimum sample counts at any time of day (fewer made findings depend on the minute).
    await fillWithFleet(server, to - 120 * MIN, to, {
      tracesPerMinutePerAgent: 14,
      incidents: [
        { kind: 'error_spike', decision: 'refund', start: to - 30 * MIN, durationMs: 30 * MIN, errorRate: 0.8 },
        { kind: 'latency_regression', model: 'gpt-4o', start: to - 30 * MIN, durationMs: 30 * MIN, factor: 4 },
        { kind: 'cohort_failure', attribute: 'input_category', value: 'returns', start: to - 60 * MIN, durationMs: 60 * MIN, errorRate: 0.5 },
      ],
    });
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
    const cost = await api(`/api/timeseries?metric=cost&group_by=model&interval=1m&${range}`);
    // Error rate and p95: one group against its baseline band, as /api/insights/regressions scores it.
    for (const [chart, metric, groupBy] of [
      ['Error rate', 'error_rate', 'agent'],
      ['p95 latency', 'latency_p95', 'model'],
    ] as const) {
      const rep = await api(`/api/insights/regressions?metric=${metric}&group_by=${groupBy}&${range}&interval=5m&limit=50`);
      expect(rep.regressions.length, chart).toBeGreaterThan(0);
      const wrap = page.locator(`section[aria-label="${chart}"] .band-chart`);
      const group = (await wrap.getAttribute('data-band-group'))!;
      expect(await wrap.getAttribute('data-band-dim')).toBe(groupBy);
      expect(group, chart).toBe((rep.regressions.find((r: any) => r.worse) ?? rep.regressions[0]).group);
      const s = rep.series.find((x: any) => x.group === group);
      const el = page.locator(`[data-chart="${chart}"]`);
      expect(Number(await el.getAttribute('data-sum'))).toBeCloseTo(s.points.reduce((a: number, p: any) => a + (p.value ?? 0), 0), 4);
      expect(Number(await el.getAttribute('data-out-of-band'))).toBe(s.points.filter((p: any) => p.status === 'above' || p.status === 'below').length);
      const max = Math.max(...s.points.flatMap((p: any) => [p.value ?? 0, p.high ?? 0]));
      expect(await el.getAttribute('data-y-label')).toBe(metric === 'error_rate' ? 'error rate (%)' : `p95 latency (${max >= 1000 ? 's' : 'ms'})`);
    }
    // The slowed-down model is the worst p95 regression; the failing refund decisions show up in the error-rate panel's agent.
    expect(await page.getAttribute('section[aria-label="p95 latency"] .band-chart', 'data-band-group')).toBe('gpt-4o');
    expect(Number(await page.getAttribute('[data-chart="p95 latency"]', 'data-out-of-band'))).toBeGreaterThan(0);
    // Top correlated findings: the API's sentences, in order.
    const corr = await api(`/api/insights/correlations?${range}&interval=5m&limit=5`);
    expect(corr.findings.length).toBeGreaterThan(0);
    await page.waitForSelector('section[aria-label="Top correlated findings"] .findings li');
    expect(await page.locator('section[aria-label="Top correlated findings"] .findings li').allTextContents()).toEqual(corr.findings.map((f: any) => f.sentence));
    expect(Number(await page.getAttribute('[data-chart="Cost per hour by model"]', 'data-sum'))).toBeCloseTo(sum(cost.series, 60), 4);
    expect(Number(await page.getAttribute('[data-chart="Cost per hour by model"]', 'data-series'))).toBe(cost.series.length);
    expect(cost.series.length).toBeGreaterThan(2);
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(3);
    // Each chart drew once when created and once sized to its box; the other panels' answers (a
    // dozen on this page) re-render it with the same numbers and must not redraw it (they did: 13 times).
    const draws = await page.locator('[data-chart]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-chart'), Number(e.getAttribute('data-draws'))]));
    expect(draws.map(([c]) => c)).toEqual(['Error rate', 'p95 latency', 'Cost per hour by model']);
    for (const [chart, n] of draws) {
      expect(n, String(chart)).toBeGreaterThanOrEqual(1);
      expect(n, String(chart)).toBeLessThanOrEqual(2);
    }
    await shot('overview');
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

  it('a malformed address (/agents/%E0%A4%A) shows "Page not found", not a blank page', async () => {
    const errors: string[] = [];
    const onError = (err: Error) => errors.push(err.message);
    page.on('pageerror', onError);
    try {
      // Signed in (also when this test runs alone), so the router, not the sign-in form, renders.
      await page.goto(`${server.url}/?${range}`);
      await page.evaluate((key) => sessionStorage.setItem('sightline.key', key), readKey);
      await page.goto(`${server.url}/agents/%E0%A4%A?${range}`);
      await page.waitForSelector('h1:has-text("Page not found")');
      expect(await page.locator('section.panel code').textContent()).toBe('/agents/%E0%A4%A');
      expect(errors).toEqual([]);
    } finally {
      page.off('pageerror', onError);
    }
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

  it('decisions: cost by path, new decisions, entropy and confidence equal the insight API', async () => {
    await page.goto(`${server.url}/decisions?${range}`);
    await page.waitForSelector('[data-chart="Decisions per agent"] canvas');
    // One agent's top decisions and "other" (numbers/e2e checks which); never every decision of every agent.
    expect(Number(await page.getAttribute('[data-chart="Decisions per agent"]', 'data-series'))).toBeLessThanOrEqual(5);
    const paths = await api(`/api/insights/paths?${range}&limit=50`);
    const rows = page.locator('table[aria-label="Decision paths"] tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(paths.paths.length);
    // Sorted by cost like the API: the same paths, costs and error rates, row by row.
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    const usd = formatUsd;
    const pct = formatPct;
    expect(cells.map((c) => [c[0], c[1], c[3], c[6]])).toEqual(paths.paths.map((p: any) => [p.path, p.traces.toLocaleString('en-US'), usd(p.cost_usd), pct(p.error_rate)]));
    // Refunds never fail outside the injected spike (80 % for half the range), so a refund path
    // with a clearly raised error rate can only come from it.
    const refund = paths.paths.filter((p: any) => p.path.includes('refund')).sort((a: any, b: any) => b.error_rate - a.error_rate)[0];
    expect(refund.error_rate).toBeGreaterThan(0.1);
    expect(cells.some((c) => c[0] === refund.path && c[6] === pct(refund.error_rate))).toBe(true);
    const dec = await api(`/api/insights/decisions?${range}&interval=1m`);
    expect(Number(await page.getAttribute('[data-chart="Decision entropy per agent"]', 'data-series'))).toBe(dec.agents.length);
    expect(await page.locator('[data-new-decision]').count()).toBe(dec.new_decisions.length);
    expect(await page.locator('[data-entropy-drop]').count()).toBe(dec.entropy_drops.length);
    const conf = page.locator('table[aria-label="Confidence per decision"] tbody tr');
    expect(await conf.count()).toBe(dec.agents.reduce((a: number, x: any) => a + x.decisions.length, 0));
    const top = dec.agents.flatMap((a: any) => a.decisions.map((d: any) => ({ ...d, agent: a.agent }))).sort((x: any, y: any) => y.count - x.count)[0];
    const topRow = await conf.first().locator('td').allTextContents();
    expect([topRow[0], topRow[1], topRow[4]]).toEqual([top.agent, top.decision, top.confidence_avg === null ? '—' : top.confidence_avg.toFixed(2)]);
    await shot('decisions');
  });

  it('cohorts: the failing input_category cohort, with lift, p and q from the API', async () => {
    await page.goto(`${server.url}/cohorts?${range}`);
    await page.waitForSelector('table[aria-label="Cohorts"] tbody tr');
    const rep = await api(`/api/insights/cohorts?${range}&limit=1000`);
    const returns = rep.failing.find((c: any) => c.key === 'input_category' && c.value === 'returns');
    expect(returns, JSON.stringify(rep.failing.map((c: any) => `${c.key}=${c.value}`))).toBeDefined();
    expect(await page.locator('[data-failing-cohort]').evaluateAll((els) => els.map((e) => e.getAttribute('data-failing-cohort')))).toEqual(rep.failing.map((c: any) => `${c.key}=${c.value}`));
    // A failing key is picked first; every value of it is a row, the failing one highlighted.
    expect(await page.locator('select[name="key"]').inputValue()).toBe(rep.failing[0].key);
    await page.locator('select[name="key"]').selectOption('input_category');
    await page.waitForURL(/key=input_category/);
    const values = rep.cohorts.filter((c: any) => c.key === 'input_category');
    await expect.poll(() => page.locator('table[aria-label="Cohorts"] tbody tr').count()).toBe(values.length);
    const row = page.locator('table[aria-label="Cohorts"] tbody tr', { has: page.locator('[data-cohort="input_category=returns"]') });
    expect(await row.locator('[data-failing]').getAttribute('data-failing')).toBe('1');
    const fp = (p: number) => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));
    const td = await row.locator('td').allTextContents();
    expect([td[4], td[5], td[6]]).toEqual([`${returns.lift.toFixed(2)}×`, fp(returns.p), fp(returns.q)]);
    expect(await page.locator('table[aria-label="Cohorts"] [data-failing="1"]').count()).toBe(rep.failing.filter((c: any) => c.key === 'input_category').length);
    await shot('cohorts');
  });

  it('alerts: a firing alert with its evidence; a read key sees rules and is told admin actions need an admin key', async () => {
    const admin = (path: string, body?: unknown, method?: string) => request<any>(`${server.url}${path}`, { key: server.adminKey, ...(body !== undefined && { body }), ...(method && { method }) });
    const rule = { name: 'Refund errors', metric: 'error_rate', filter: { span_type: 'decision', decision: 'refund' }, groupBy: ['agent', 'decision'], windowMs: 15 * MIN, condition: { type: 'above', value: 0.4 }, minSamples: 5, minBaselineSamples: 0, forEvaluations: 1, clearEvaluations: 1, severity: 'critical' };
    expect((await admin('/api/alerts/rules', { id: 'refund-errors', ...rule })).status).toBe(201);
    expect((await admin('/api/alerts/rules', { id: 'refund-errors-drill', ...rule, name: 'Refund errors (drill)' })).status).toBe(201);
    expect((await admin('/api/alerts/evaluate', undefined, 'POST')).status).toBe(200);
    // The drill rule is raised out of reach: its alert resolves at the next evaluation.
    expect((await admin('/api/alerts/rules/refund-errors-drill', { condition: { type: 'above', value: 1.5 } }, 'PATCH')).status).toBe(200);
    expect((await admin('/api/alerts/evaluate', undefined, 'POST')).status).toBe(200);
    const { alerts } = await api('/api/alerts');
    const firing = alerts.filter((a: any) => a.state === 'firing' && a.rule_id === 'refund-errors');
    const resolved = alerts.filter((a: any) => a.state === 'resolved' && a.rule_id === 'refund-errors-drill');
    expect(firing.length).toBeGreaterThan(0);
    expect(resolved.length).toBeGreaterThan(0);

    await page.goto(`${server.url}/alerts`);
    const card = page.locator(`section[aria-label="Firing"] [data-alert="${firing[0].id}"]`);
    await card.waitFor();
    expect(await page.locator('section[aria-label="Firing"] [data-alert]').count()).toBe(alerts.filter((a: any) => a.state === 'firing').length);
    expect(await page.locator(`section[aria-label="Resolved"] [data-alert="${resolved[0].id}"]`).count()).toBe(1);
    const pct = formatPct;
    const e = firing[0].evidence;
    expect(await card.locator('[data-fact="value"] dd').textContent()).toBe(pct(e.value));
    expect(await card.locator('[data-fact="threshold"] dd').textContent()).toBe(pct(e.threshold));
    expect(await card.locator('[data-fact="samples"] dd').textContent()).toBe(String(e.samples));
    expect(await card.textContent()).toContain(firing[0].summary);
    await card.locator('.chart canvas').waitFor();
    const rules = await api('/api/alerts/rules');
    expect(await page.locator('table[aria-label="Alert rules"] tbody tr').count()).toBe(rules.rules.length);

    // Incidents come first: every agent's refund errors are one incident named by the decision,
    // its member alerts folded inside until opened.
    const { incidents } = await api('/api/incidents');
    // The drill rule fired on the same tick (and may lead); its alerts left when it resolved.
    const refund = incidents.find((i: any) => i.status === 'open' && i.alerts.some((m: any) => m.alert_id === firing[0].id));
    const activeRefund = refund.alerts.filter((m: any) => m.active);
    expect([refund.scope, refund.cause.dimension, activeRefund.filter((m: any) => m.rule_id === 'refund-errors').map((m: any) => m.alert_id).sort()]).toEqual([
      { decision: 'refund' },
      'decision',
      firing.map((a: any) => a.id).sort(),
    ]);
    expect(refund.title).toMatch(new RegExp(`^error rate of decision refund \\+\\d+ points \\([\\d.]+% → [\\d.]+%\\) across all ${firing.length} agents since \\d\\d:\\d\\d UTC$`));
    expect(await page.locator('section.panel').first().getAttribute('aria-label')).toBe('Incidents');
    const incidentCard = page.locator(`section[aria-label="Incidents"] [data-incident="${refund.id}"]`);
    expect(await incidentCard.locator('[data-incident-title]').textContent()).toBe(refund.title);
    expect(await incidentCard.locator('[data-incident-explanation]').textContent()).toBe(refund.explanation);
    const summary = incidentCard.locator('[data-incident-alerts] > summary');
    expect((await summary.textContent())!.startsWith(`${activeRefund.length} alert${activeRefund.length === 1 ? '' : 's'}`)).toBe(true);
    expect(await incidentCard.locator('[data-alert]').first().isVisible()).toBe(false);
    await summary.click();
    await incidentCard.locator(`[data-alert="${firing[0].id}"]`).waitFor();
    expect((await incidentCard.locator('[data-alert]').evaluateAll((els) => els.map((e) => e.getAttribute('data-alert')))).sort()).toEqual(activeRefund.map((m: any) => m.alert_id).sort());
    await shot('alerts');

    // Read key: the action is refused with a clear message, nothing changes.
    await page.locator('tr[data-rule="builtin.latency_p95"]').getByRole('button', { name: 'Switch off' }).click();
    await expect.poll(() => page.locator('[data-action-message]').textContent()).toContain('needs an admin key');
    expect((await api('/api/alerts/rules')).rules.find((r: any) => r.id === 'builtin.latency_p95').enabled).toBe(true);
    await shot('alerts-read-only');

    // Admin key: switch a rule off and silence another; the table shows both.
    await page.evaluate((k) => sessionStorage.setItem('sightline.key', k), server.adminKey);
    await page.reload();
    await page.locator('tr[data-rule="builtin.latency_p95"]').getByRole('button', { name: 'Switch off' }).click();
    await expect.poll(() => page.locator('tr[data-rule="builtin.latency_p95"] [data-rule-state]').textContent()).toBe('off');
    await page.locator('tr[data-rule="refund-errors"]').getByRole('button', { name: 'Silence 1 h' }).click();
    await expect.poll(() => page.locator('tr[data-rule="refund-errors"] [data-rule-state]').textContent()).toContain('silenced until');
    expect((await api('/api/alerts/silences')).silences.filter((x: any) => x.rule_id === 'refund-errors').length).toBe(1);
    // Acknowledging the incident from its card.
    await page.locator(`[data-incident="${refund.id}"]`).getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => page.locator(`[data-incident="${refund.id}"]`).textContent()).toContain('acknowledged by');
    expect((await api(`/api/incidents/${refund.id}`)).incident.acknowledged_at).not.toBeNull();
    await page.evaluate((k) => sessionStorage.setItem('sightline.key', k), readKey);
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
