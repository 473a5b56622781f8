// Numbers people read and pages that answer questions, in a real Chromium against a real server:
// KPIs say plainly when there is no previous period, the newest bucket is marked partial, legends
// show the latest values without hovering, a new agent's few points are drawn, decisions are shown
// per agent (top decisions and "other"), and cohorts have a lift chart, a sentence per failing
// cohort and the range's incidents with why a cohort may not show them. Exact visible text.

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

describe('numbers and answers in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let readKey: string;
  // The data begins 40 minutes before `to`: a 1-hour view has no previous period.
  const to = Math.floor(Date.now() / MIN) * MIN;
  const range = `from=${to - 60 * MIN}&to=${to}`;
  const api = async <T = any>(path: string) => (await request<T>(`${server.url}${path}`, { key: readKey })).body;
  const open = async (path: string) => {
    await page.goto(`${server.url}/`);
    await page.evaluate((key) => sessionStorage.setItem('sightline.key', key), readKey);
    await page.goto(`${server.url}${path}`);
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    readKey = await createReadKey(server);
    await fillWithFleet(server, to - 40 * MIN, to, {
      tracesPerMinutePerAgent: 14,
      incidents: [
        { kind: 'error_spike', decision: 'refund', start: to - 20 * MIN, durationMs: 20 * MIN, errorRate: 0.8 },
        { kind: 'cohort_failure', attribute: 'input_category', value: 'returns', start: to - 40 * MIN, durationMs: 40 * MIN, errorRate: 0.5 },
      ],
    });
    // A new agent: three spans in one minute (and so one 5-minute bucket), just now.
    const at = Math.floor((Date.now() - 90_000) / MIN) * MIN + 5_000;
    const fresh = [0, 1, 2].map((i) => ({ agent_id: 'fresh-agent', span_type: 'llm_call', name: 'first', model: 'gpt-4o-mini', timestamp: at + i * 1000, latency_ms: 400 + i * 100, tokens_input: 50, tokens_output: 10, cost_usd: 0.001 }));
    expect((await request(`${server.url}/v1/events`, { key: server.adminKey, body: fresh })).body).toMatchObject({ accepted: 3 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop({ remove: true });
  });

  it('overview: "no previous period", legends with the latest values, the newest bucket marked partial', async () => {
    await open(`/?${range}`);
    await page.waitForSelector('body[data-overview-complete]');
    expect(await page.locator('[data-kpi] .kpi-change').allTextContents()).toEqual(new Array(6).fill('no previous period'));
    // The legend of cost per hour by model shows each model's latest value before any hover.
    await page.waitForSelector('[data-chart="Cost per hour by model"] canvas');
    const cost = await api(`/api/timeseries?metric=cost&group_by=model&interval=1m&${range}`);
    const latest = cost.series.map((s: any) => [s.group, formatUsd([...s.points].reverse().find((p: any) => p[1] !== null)[1] * 60)]).sort();
    const legend = await page.locator('[data-chart="Cost per hour by model"] .u-legend tr.u-series').evaluateAll((rows) => rows.map((r) => [r.querySelector('.u-label')?.textContent ?? '', r.querySelector('.u-value')?.textContent ?? '']));
    expect(legend[0]).toEqual(['time', 'latest']);
    expect(legend.slice(1).sort()).toEqual(latest);
    // A fixed range in the past has no partial bucket; the live 1-hour view has, the current minute.
    expect(await page.getAttribute('[data-chart="Cost per hour by model"]', 'data-partial-bucket')).toBeNull();
    await open('/?range=1h');
    // Read in one step: once a minute ends, the bucket is complete until the next one's data arrives.
    const marked = await page.waitForFunction(() => document.querySelector('[data-chart="Cost per hour by model"]')?.getAttribute('data-partial-bucket'));
    const partial = Number(await marked.jsonValue());
    expect(partial % MIN).toBe(0);
    expect(Date.now() - partial).toBeLessThan(3 * MIN);
    await page.screenshot({ path: `${ARTIFACTS}numbers-overview-live.png`, fullPage: true });
  });

  it('a new agent\'s page draws its few points as dots', async () => {
    await open('/agents/fresh-agent?range=1h');
    await page.waitForSelector('[data-chart="p95 latency"] canvas');
    expect(await page.getAttribute('[data-kpi="spans_per_min"]', 'data-value')).not.toBe('0');
    expect(await page.getAttribute('[data-chart="p95 latency"]', 'data-dots')).toBe('1');
    // Its error-rate sparkline has one bucket with a value: a dot, not an empty card.
    expect(await page.locator('[data-kpi="error_rate"] svg.spark circle').count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}numbers-new-agent.png`, fullPage: true });
  });

  it('decisions: one agent at a time, its top decisions and "other"', async () => {
    await open(`/decisions?${range}`);
    await page.waitForSelector('[data-chart="Decisions per agent"] canvas');
    const dec = await api(`/api/insights/decisions?${range}&interval=1m`);
    const total = (a: any) => a.decisions.reduce((s: number, d: any) => s + d.count, 0);
    const first = dec.entropy_drops[0]?.agent ?? [...dec.agents].sort((x: any, y: any) => total(y) - total(x) || (x.agent < y.agent ? -1 : 1))[0].agent;
    expect(await page.getAttribute('[data-mix-agent]', 'data-mix-agent')).toBe(first);
    const agent = dec.agents.find((a: any) => a.agent === first);
    const ranked = [...agent.decisions].sort((x: any, y: any) => y.count - x.count || (x.decision < y.decision ? -1 : 1));
    const shown = ranked.length <= 5 ? ranked : ranked.slice(0, 4);
    const labels = await page.locator('[data-chart="Decisions per agent"] .u-legend tr.u-series .u-label').allTextContents();
    expect(labels.slice(1).sort()).toEqual([...shown.map((d: any) => d.decision), ...(ranked.length > 5 ? ['other'] : [])].sort());
    const rest = ranked.slice(shown.length).reduce((s: number, d: any) => s + d.count, 0);
    expect(await page.locator('[data-mix-caption]').textContent()).toBe(
      ranked.length === shown.length
        ? `${first} made ${ranked.length} different decision${ranked.length === 1 ? '' : 's'} in this range; all are shown.`
        : `${first} made ${ranked.length} different decisions in this range; the 4 most frequent are shown, "other" holds the remaining ${ranked.length - 4} (${formatPct(rest / total(agent))} of its decisions).`,
    );
    // Another agent from the list.
    const other = dec.agents.map((a: any) => a.agent).find((a: string) => a !== first);
    await page.getByLabel('Decisions of agent').selectOption(other);
    await expect.poll(() => page.getAttribute('[data-mix-agent]', 'data-mix-agent')).toBe(other);
    await page.screenshot({ path: `${ARTIFACTS}numbers-decisions.png`, fullPage: true });
  });

  it('cohorts: a lift chart, a sentence per failing cohort, and the incidents of the range with why', async () => {
    const admin = (path: string, body?: unknown, method?: string) => request<any>(`${server.url}${path}`, { key: server.adminKey, ...(body !== undefined && { body }), ...(method && { method }) });
    const rule = { name: 'Refund errors', metric: 'error_rate', filter: { span_type: 'decision', decision: 'refund' }, groupBy: ['decision'], windowMs: 15 * MIN, condition: { type: 'above', value: 0.4 }, minSamples: 5, minBaselineSamples: 0, forEvaluations: 1, clearEvaluations: 1, severity: 'critical' };
    expect((await admin('/api/alerts/rules', { id: 'refund-errors', ...rule })).status).toBe(201);
    expect((await admin('/api/alerts/evaluate', undefined, 'POST')).status).toBe(200);
    const { incidents } = await api('/api/incidents');
    const refund = incidents.find((i: any) => i.status === 'open' && i.scope.decision === 'refund');
    // In %, against the baseline when the window before had refund decisions, else the value alone.
    expect(refund.title).toMatch(/^error rate of decision refund (at \d+\.\d%|\+\d+ points \(\d+\.\d+% → \d+\.\d%\)) since \d\d:\d\d UTC$/);

    await open(`/cohorts?${range}`);
    await page.waitForSelector('[data-cohort-sentence]');
    const rep = await api(`/api/insights/cohorts?${range}&limit=1000`);
    const times = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US')}×`;
    const sentence = (c: any) => {
      const who = c.agents.length <= 1 ? c.agents.join('') : `${c.agents.slice(0, -1).join(', ')} and ${c.agents.at(-1)}`;
      const q = c.q < 0.001 ? 'q < 0.001' : `q = ${c.q.toFixed(3)}`;
      return `${c.unit === 'trace' ? 'Traces' : 'Spans'} with ${c.key} = ${c.value} failed ${times(c.lift)} as often as the rest of ${who}: ${formatPct(c.error_rate)} of ${c.n.toLocaleString('en-US')} against ${formatPct(c.rest_error_rate)} (95% interval ${times(c.error_rate_ci[0] / c.rest_error_rate)}–${times(c.error_rate_ci[1] / c.rest_error_rate)}, ${q}).`;
    };
    expect(rep.failing.some((c: any) => c.key === 'input_category' && c.value === 'returns')).toBe(true);
    expect(await page.locator('[data-cohort-sentence]').allTextContents()).toEqual(rep.failing.map(sentence));
    // The lift chart of the first failing key: one row per value with a lift, the failing one among them.
    const key = rep.failing[0].key;
    const drawn = rep.cohorts.filter((c: any) => c.key === key && c.lift !== null && c.rest_error_rate > 0);
    expect(Number(await page.getAttribute('svg.lift-chart', 'data-lift-rows'))).toBe(drawn.length);
    expect(Number(await page.getAttribute(`[data-lift="${key}=${rep.failing[0].value}"]`, 'data-lift-value'))).toBe(rep.failing[0].lift);
    // The refund incident (opened just now, so in the live 1-hour view) is listed, with why no cohort shows it.
    await open('/cohorts?range=1h');
    const item = page.locator(`[data-cohort-incident="${refund.id}"]`);
    await item.waitFor();
    expect(await item.locator('a').textContent()).toBe(refund.title);
    expect(await item.locator('.muted').textContent()).toBe('It is about decision refund, which cohorts do not split by (they compare attribute values); see Decisions and Alerts.');
    await page.waitForSelector('svg.lift-chart');
    await page.screenshot({ path: `${ARTIFACTS}numbers-cohorts.png`, fullPage: true });
  });
});
