// Scores on the dashboard in Chromium against a real server: spans and scores ingested over HTTP,
// then the exact figures each page shows — the trace's and the selected span's scores, each
// session turn's, the overview's and the agent's quality panel (mean or share, count, change
// against the previous period, the drift sentence) and the agent's mean per bucket — and the
// reviewer's form: an annotate key stores a score that shows without a reload, a read key sees
// why it cannot score instead of a form, an ingest-only key cannot sign in.

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../server/test/support/http.js';
import { startServer, type RunningServer } from '../../server/test/support/server.js';
import { launchChromium } from './support/browser.js';

const MIN = 60_000;
const TO = Math.floor(Date.now() / MIN) * MIN;
const FROM = TO - 60 * MIN;
const RANGE = `from=${FROM}&to=${TO}`;
const at = (minutesBeforeTo: number) => TO - minutesBeforeTo * MIN;
/** What fmtDateTime shows in a browser on UTC. */
const shown = (ms: number) => new Date(ms).toLocaleString('en-GB', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'UTC' });

describe('scores on the dashboard in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let keys: { read: string; annotate: string; ingest: string };
  const contexts: BrowserContext[] = [];

  const pageFor = async (key: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, timezoneId: 'UTC' });
    contexts.push(context);
    await context.addInitScript((k: string) => sessionStorage.setItem('sightline.key', k), key);
    return context.newPage();
  };
  /** Each row of a table as its cells' texts. */
  const table = (page: Page, label: string) =>
    page.locator(`table[aria-label="${label}"] tbody tr`).evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent ?? '')));

  beforeAll(async () => {
    server = await startServer();
    const mk = async (scopes: string[]) => (await request<{ key: string }>(`${server.url}/api/keys`, { key: server.adminKey, body: { scopes } })).body.key;
    keys = { read: await mk(['read']), annotate: await mk(['annotate']), ingest: await mk(['ingest']) };
    const support = { agent_id: 'support', session_id: 'chat-1' };
    const events = [
      { ...support, trace_id: 'tr-1', span_id: 's1', span_type: 'llm_call', name: 'answer', model: 'gpt-4o', timestamp: at(40), latency_ms: 800 },
      { ...support, trace_id: 'tr-1', span_id: 's2', parent_span_id: 's1', span_type: 'tool_call', name: 'lookup', timestamp: at(40) + 100, latency_ms: 50 },
      { ...support, trace_id: 'tr-2', span_id: 'u1', span_type: 'llm_call', name: 'answer', model: 'gpt-4o', timestamp: at(21), latency_ms: 700 },
      { agent_id: 'billing', trace_id: 'tr-3', span_id: 'b1', span_type: 'llm_call', name: 'bill', model: 'gpt-4o', timestamp: FROM - 35 * MIN, latency_ms: 300 },
    ];
    expect((await request(`${server.url}/v1/events`, { key: server.adminKey, body: events })).status).toBe(200);
    const scores = [
      // The previous period (billing's trace): helpfulness 0.90, thumbs all yes.
      { score_id: 'old-h', trace_id: 'tr-3', name: 'helpfulness', value: 0.9, source: 'evaluator', timestamp: FROM - 30 * MIN },
      { score_id: 'old-t', trace_id: 'tr-3', name: 'thumbs', value: true, source: 'user', timestamp: FROM - 20 * MIN },
      // The range: support's two turns and its session.
      { score_id: 'h1', trace_id: 'tr-1', name: 'helpfulness', value: 0.5, source: 'evaluator', comment: 'missed the refund policy', timestamp: at(39) },
      { score_id: 'h2', trace_id: 'tr-1', span_id: 's2', name: 'helpfulness', value: 0.7, source: 'evaluator', timestamp: at(38) },
      { score_id: 't1', trace_id: 'tr-1', name: 'thumbs', value: true, source: 'user', author: 'u-42', timestamp: at(37) },
      { score_id: 't2', trace_id: 'tr-2', name: 'thumbs', value: false, source: 'user', timestamp: at(20) },
      { score_id: 'h3', trace_id: 'tr-2', name: 'helpfulness', value: 0.3, source: 'evaluator', timestamp: at(19) },
      { score_id: 'r1', session_id: 'chat-1', name: 'resolved', value: 'yes', source: 'human', author: 'rev@example.com', timestamp: at(10) },
    ];
    const r = await request(`${server.url}/v1/scores`, { key: server.adminKey, body: scores });
    expect(r.body).toEqual({ accepted: scores.length, rejected: [], rejected_events: 0 });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop({ remove: true });
  });

  it("shows the trace's and its spans' scores, the selected span's in its pane, and tells a read key why it cannot score", async () => {
    const page = await pageFor(keys.read);
    await page.goto(`${server.url}/traces/tr-1?${RANGE}`);
    await page.locator('table[aria-label="Trace scores"] tbody tr').first().waitFor();
    expect(await table(page, 'Trace scores')).toEqual([
      ['trace', 'thumbs', 'yes', 'boolean', 'user', '—', 'u-42', shown(at(37))],
      ['span lookup', 'helpfulness', '0.7', 'number', 'evaluator', '—', '—', shown(at(38))],
      ['trace', 'helpfulness', '0.5', 'number', 'evaluator', 'missed the refund policy', '—', shown(at(39))],
    ]);
    expect(await page.locator('form[aria-label="Score this trace"]').count()).toBe(0);
    expect(await page.locator('.score-form-off').textContent()).toBe(
      'You cannot score this trace: this API key has the read scope; scoring a trace needs a key with the annotate scope.',
    );
    await page.locator('button[data-span="s2"]').click();
    await page.locator('table[aria-label="Span scores"] tbody tr').first().waitFor();
    expect(await table(page, 'Span scores')).toEqual([['helpfulness', '0.7', 'number', 'evaluator', '—', '—', shown(at(38))]]);
    // The root span has no score of its own: no table in its pane.
    await page.locator('button[data-span="s1"]').click();
    await page.locator('.span-detail dl').waitFor();
    expect(await page.locator('table[aria-label="Span scores"]').count()).toBe(0);
  });

  it("lets an annotate key score the trace: the score shows without a reload and is stored as the reviewer's", async () => {
    const page = await pageFor(keys.annotate);
    await page.goto(`${server.url}/traces/tr-2?${RANGE}`);
    const form = page.locator('form[aria-label="Score this trace"]');
    await form.waitFor();
    expect(await table(page, 'Trace scores')).toEqual([
      ['trace', 'helpfulness', '0.3', 'number', 'evaluator', '—', '—', shown(at(19))],
      ['trace', 'thumbs', 'no', 'boolean', 'user', '—', '—', shown(at(20))],
    ]);
    // A value that is not a number is refused in the form, before any request.
    await form.locator('input[name="score-name"]').fill('correctness');
    await form.locator('input[name="score-value"]').fill('abc');
    await form.locator('button[type="submit"]').click();
    expect(await form.locator('.form-error').textContent()).toBe('The value must be a number, got "abc".');
    await form.locator('input[name="score-value"]').fill('0.25');
    await form.locator('input[name="score-comment"]').fill('wrong refund amount');
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => form.locator('p[role="status"]').textContent()).toBe('Stored correctness.');
    const stored = (await request<{ scores: { score_id: string; name: string; value: number; source: string; author: string; comment: string; timestamp: number }[] }>(
      `${server.url}/api/traces/tr-2/scores`, { key: keys.read },
    )).body.scores.filter((s) => s.name === 'correctness');
    expect(stored.map((s) => [s.value, s.source, s.comment, s.author])).toEqual([[0.25, 'human', 'wrong refund amount', `key ${keys.annotate.slice(0, 10)}…`]]);
    expect((await table(page, 'Trace scores'))[0]).toEqual(['trace', 'correctness', '0.25', 'number', 'human', 'wrong refund amount', `key ${keys.annotate.slice(0, 10)}…`, shown(stored[0]!.timestamp)]);
    await expect.poll(async () => (await table(page, 'Trace scores')).length).toBe(3);
    // A yes/no score from the same form.
    await form.locator('input[name="score-name"]').fill('policy_followed');
    await form.locator('select[name="score-kind"]').selectOption('boolean');
    await form.locator('select[name="score-value"]').selectOption('no');
    await form.locator('button[type="submit"]').click();
    await expect.poll(async () => (await table(page, 'Trace scores'))[0]?.slice(1, 5)).toEqual(['policy_followed', 'no', 'boolean', 'human']);
  });

  it('keeps an ingest-only key out: it cannot sign in to read scores', async () => {
    const context = await browser.newContext({ timezoneId: 'UTC' });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${server.url}/traces/tr-1?${RANGE}`);
    await page.locator('#api-key').fill(keys.ingest);
    await page.locator('button[type="submit"]').click();
    await expect.poll(() => page.locator('.form-error').textContent()).toBe('this API key lacks the "read" scope (it has: ingest)');
    expect(await page.locator('table[aria-label="Trace scores"]').count()).toBe(0);
  });

  it("shows each session turn's scores and every score of the session", async () => {
    const page = await pageFor(keys.read);
    await page.goto(`${server.url}/sessions/chat-1?${RANGE}`);
    await page.locator('table[aria-label="Session scores"] tbody tr').first().waitFor();
    await expect.poll(async () => (await table(page, 'Turns')).map((r) => [r[0], r[r.length - 1]])).toEqual([
      ['1', 'helpfulness 0.5 · helpfulness 0.7 · thumbs yes'],
      ['2', 'thumbs no · helpfulness 0.3 · correctness 0.25 · policy_followed no'],
    ]);
    expect((await table(page, 'Session scores')).map((r) => r.slice(0, 7))).toEqual([
      ['turn 2', 'policy_followed', 'no', 'boolean', 'human', '—', `key ${keys.annotate.slice(0, 10)}…`],
      ['turn 2', 'correctness', '0.25', 'number', 'human', 'wrong refund amount', `key ${keys.annotate.slice(0, 10)}…`],
      ['session', 'resolved', 'yes', 'category', 'human', '—', 'rev@example.com'],
      ['turn 2', 'helpfulness', '0.3', 'number', 'evaluator', '—', '—'],
      ['turn 2', 'thumbs', 'no', 'boolean', 'user', '—', '—'],
      ['turn 1', 'thumbs', 'yes', 'boolean', 'user', '—', 'u-42'],
      ['turn 1', 'helpfulness', '0.7', 'number', 'evaluator', '—', '—'],
      ['turn 1', 'helpfulness', '0.5', 'number', 'evaluator', 'missed the refund policy', '—'],
    ]);
  });

  it('puts each score on the overview: mean or share, count, change against the previous period and the drift sentence', async () => {
    const page = await pageFor(keys.read);
    await page.goto(`${server.url}/?${RANGE}`);
    const drift = (await request<{ summary: string }>(`${server.url}/api/insights/scores?${RANGE}&name=helpfulness`, { key: keys.read })).body.summary;
    const thumbsDrift = (await request<{ summary: string }>(`${server.url}/api/insights/scores?${RANGE}&name=thumbs`, { key: keys.read })).body.summary;
    expect(drift).toMatch(/^helpfulness /);
    // The reviewer's scores of the test above were made now, after the range: not in it.
    await expect.poll(() => table(page, 'Quality'), { timeout: 30_000 }).toEqual([
      ['helpfulness number', '0.50', '3 scores', '−0.40 (was 0.90, 1 score)', drift],
      ['thumbs boolean', '50.0% yes', '2 scores', '−50 points (was 100.0% yes, 1 score)', thumbsDrift],
      ['resolved category', 'yes 100%', '1 score', 'no previous period', 'categories have no mean'],
    ]);
  });

  it("gives the agent page its quality panel and each score's mean per bucket", async () => {
    const page = await pageFor(keys.read);
    await page.goto(`${server.url}/agents/support?${RANGE}`);
    const drift = (await request<{ summary: string }>(`${server.url}/api/insights/scores?${RANGE}&name=helpfulness&agent=support`, { key: keys.read })).body.summary;
    expect(drift).toMatch(/^helpfulness of agent support /);
    await expect.poll(async () => (await table(page, 'Quality')).map((r) => r.slice(0, 4)), { timeout: 30_000 }).toEqual([
      ['helpfulness number', '0.50', '3 scores', 'no previous period'],
      ['thumbs boolean', '50.0% yes', '2 scores', 'no previous period'],
      ['resolved category', 'yes 100%', '1 score', 'no previous period'],
    ]);
    await expect.poll(async () => (await table(page, 'Quality'))[0]?.[4]).toBe(drift);
    const chart = page.locator('[data-chart="Mean score per bucket by name"]');
    await chart.waitFor();
    expect(await chart.getAttribute('aria-label')).toBe('Mean score per bucket by name: 2 series over 60 buckets; latest helpfulness 0.30, thumbs 0.00');
    expect(await chart.getAttribute('data-y-label')).toBe('mean score');
  });
});
