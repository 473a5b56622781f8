// The trace view, trace search and the sessions pages in Chromium against a real server with
// content capture on: a conversation read from captured messages (roles, tool calls and results,
// long text folded), a span's detail fetched when selected, search by content, attribute, session
// and user, sessions and users ranked, and a trace of 5,000 spans drawn as a virtualised
// waterfall (only rows in view in the DOM, its outline read once, early) whose subtrees collapse.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../server/test/support/http.js';
import { startServer, type RunningServer } from '../../server/test/support/server.js';
import { createFleet, simulateToArray } from '../../server/src/sim/index.js';
import { bigTrace } from './support/big-trace.js';
import { createReadKey, launchChromium } from './support/browser.js';

const MIN = 60_000;
const SYSTEM = 'You are a careful support agent. '.repeat(30).trim();
const CHAT_TRACE = 'c0ffee'.padEnd(32, '1');
const BIG_TRACE = 'b16'.padEnd(32, '2');

describe('traces and sessions in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let readKey: string;
  const to = Math.floor(Date.now() / MIN) * MIN;
  const from = to - 30 * MIN;
  const range = `from=${from}&to=${to}`;
  const api = async <T = any>(path: string) => (await request<T>(`${server.url}${path}`, { key: readKey })).body;
  const post = async (events: unknown[]) => {
    const r = await request(`${server.url}/v1/events`, { key: server.adminKey, body: events });
    expect(r.status).toBe(200);
  };
  const rows = (table: string) => page.locator(`table[aria-label="${table}"] tbody tr`);
  const column = (table: string, n: number) => page.locator(`table[aria-label="${table}"] tbody tr td:nth-child(${n})`).allTextContents();

  beforeAll(async () => {
    server = await startServer({ args: ['--capture-content'] });
    readKey = await createReadKey(server);
    const fleet = createFleet({ seed: 5, agents: 4, tracesPerMinutePerAgent: 3, content: true });
    const events = simulateToArray(fleet, { from: to - 20 * MIN, to: to - 2 * MIN });
    for (let i = 0; i < events.length; i += 5000) await post(events.slice(i, i + 5000));
    const t = to - 10 * MIN;
    const base = { agent_id: 'chat-agent', trace_id: CHAT_TRACE, session_id: 'sess-chat', user_id: 'user-chat' };
    await post([
      { ...base, timestamp: t, span_id: 'root', span_type: 'agent_step', name: 'handle', latency_ms: 900, input: 'Where is order 42?', output: 'It ships tomorrow.', attributes: { region: 'eu-west' } },
      {
        ...base, timestamp: t + 10, span_id: 'llm', parent_span_id: 'root', span_type: 'llm_call', name: 'chat', model: 'gpt-4o', latency_ms: 500,
        input: JSON.stringify([
          { role: 'system', parts: [{ type: 'text', content: SYSTEM }] },
          { role: 'user', parts: [{ type: 'text', content: 'Where is order 42?' }] },
          { role: 'assistant', parts: [{ type: 'tool_call', id: 'call-1', name: 'lookup_order', arguments: { order_id: 42 } }] },
          { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call-1', response: { status: 'packed' } }] },
        ]),
        output: JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'It ships tomorrow.' }], finish_reason: 'stop' }]),
      },
      { ...base, timestamp: t + 20, span_id: 'tool', parent_span_id: 'root', span_type: 'tool_call', name: 'lookup_order', latency_ms: 30, input: '{"order_id":42}', output: '{"status":"packed"}' },
    ]);
    // A session of three turns of its own: the fleet's sessions (one per user and hour) may all
    // have a single turn in an 18-minute window that straddles the hour.
    await post([12, 9, 6].map((ago, i) => ({
      agent_id: 'turns-agent', trace_id: `7e${i}`.padEnd(32, '3'), session_id: 'sess-three', user_id: 'user-three',
      timestamp: to - ago * MIN, span_id: 'root', span_type: 'agent_step', name: `turn-${i + 1}`, latency_ms: 100,
    })));
    await post(bigTrace(BIG_TRACE, 5000, to - 5 * MIN));
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript((k: string) => sessionStorage.setItem('sightline.key', k), readKey);
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop({ remove: true });
  });

  it('shows the trace as a conversation: roles, tool calls with arguments and results, long text folded', async () => {
    await page.goto(`${server.url}/traces/${CHAT_TRACE}?${range}`);
    const conversation = page.locator('section[aria-label="Conversation"]');
    await conversation.locator('.msg').first().waitFor();
    expect(await conversation.locator('.conversation-source').textContent()).toBe('Prompt and output of chat (llm call, gpt-4o)');
    expect(await conversation.locator('.msg-role').allTextContents()).toEqual(['System', 'User', 'Assistant', 'Tool', 'Assistant · output']);
    expect(await conversation.locator('.tool-head').allTextContents()).toEqual(['Tool call lookup_order · call-1', 'Tool result · call-1']);
    expect(await conversation.locator('.msg pre').allTextContents()).toEqual([
      `${SYSTEM.slice(0, 600)} …`,
      'Where is order 42?',
      '{\n  "order_id": 42\n}',
      '{\n  "status": "packed"\n}',
      'It ships tomorrow.',
    ]);
    const fold = conversation.getByRole('button', { name: `Show all ${SYSTEM.length.toLocaleString('en-US')} characters` });
    await fold.click();
    expect(await conversation.locator('.msg pre').first().textContent()).toBe(SYSTEM);
    expect(await conversation.getByRole('button', { name: 'Show less' }).count()).toBe(1);
  });

  it("shows the demo fleet's synthetic conversation: tool calls and results in order, the answer as output", async () => {
    const found = (await api(`/api/traces?${range}&text=ORD-&errors=0&limit=50`)).traces.find((t: any) => t.error_count === 0);
    await page.goto(`${server.url}/traces/${found.trace_id}?at=${found.start}`);
    const conversation = page.locator('section[aria-label="Conversation"]');
    await conversation.locator('.msg').first().waitFor();
    const outline = await api(`/api/traces/${found.trace_id}/outline`);
    const names = outline.rows.filter((r: unknown[]) => r[4] === 'tool_call').map((r: unknown[]) => r[5]);
    const roles = await conversation.locator('.msg-role').allTextContents();
    expect(roles).toEqual(['System', 'User', ...names.flatMap(() => ['Assistant', 'Tool']), 'Assistant · output']);
    expect(await conversation.locator('.tool-head code').allTextContents()).toEqual(names);
    const root = await api(`/api/traces/${found.trace_id}/spans/${outline.rows[0][0]}`);
    expect(await conversation.locator('.msg pre').last().textContent()).toBe(root.output);
  });

  it('fetches a span in full when it is selected: a tool span shows its call and result', async () => {
    await page.goto(`${server.url}/traces/${CHAT_TRACE}?${range}`);
    await page.locator('.wf-row[data-span="tool"]').click();
    const detail = page.locator('aside.span-detail');
    await expect.poll(() => detail.locator('.tool-head').allTextContents()).toEqual(['Tool call lookup_order', 'Tool result lookup_order']);
    expect(await detail.locator('.msg pre').allTextContents()).toEqual(['{\n  "order_id": 42\n}', '{\n  "status": "packed"\n}']);
    expect(await detail.locator('h3').textContent()).toBe('lookup_order');
  });

  it('finds traces by content, attribute value, session and user, from the filters in the URL', async () => {
    await page.goto(`${server.url}/traces?${range}`);
    await page.getByLabel('Content').fill('ships tomorrow');
    await page.getByLabel('Content').press('Enter');
    await page.waitForURL(/text=ships/);
    await expect.poll(() => column('Traces', 2)).toEqual(['chat-agent']);
    await page.getByLabel('Content').fill('');
    await page.getByLabel('Content').press('Enter');
    await page.getByLabel('Attribute').fill('region=eu-west');
    await page.getByLabel('Attribute').press('Enter');
    await page.waitForURL(/attr=region/);
    const byAttr = await api(`/api/traces?${range}&attr.region=eu-west`);
    expect(byAttr.traces.map((t: any) => t.trace_id)).toContain(CHAT_TRACE);
    await expect.poll(() => rows('Traces').count()).toBe(byAttr.traces.length);
    const fleetUser = (await api(`/api/users?${range}&order=cost&limit=1`)).users[0].user_id as string;
    await page.goto(`${server.url}/traces?${range}&user_id=${fleetUser}`);
    const byUser = await api(`/api/traces?${range}&user_id=${fleetUser}`);
    await expect.poll(() => rows('Traces').count()).toBe(byUser.traces.length);
    expect(await page.locator('table[aria-label="Traces"] a[data-trace]').evaluateAll((as) => as.map((a) => a.getAttribute('data-trace')))).toEqual(
      byUser.traces.map((t: any) => t.trace_id),
    );
  });

  it('sessions: users ranked by cost and by errors, sessions, and one session turn by turn', async () => {
    await page.goto(`${server.url}/sessions?${range}`);
    const byCost = await api(`/api/users?${range}&order=cost&limit=20`);
    await expect.poll(() => column('Users', 1)).toEqual(byCost.users.map((u: any) => u.user_id));
    await page.getByLabel('Rank users by').selectOption('errors');
    const byErrors = await api(`/api/users?${range}&order=errors&limit=20`);
    await expect.poll(() => column('Users', 1)).toEqual(byErrors.users.map((u: any) => u.user_id));
    expect(await column('Users', 3)).toEqual(byErrors.users.map((u: any) => u.error_count.toLocaleString('en-US')));
    const sessions = await api(`/api/sessions?${range}&limit=100`);
    await expect.poll(() => column('Sessions', 1)).toEqual(sessions.sessions.map((s: any) => s.session_id));
    expect(await column('Sessions', 4)).toEqual(sessions.sessions.map((s: any) => String(s.turns)));

    await page.goto(`${server.url}/sessions/sess-chat?${range}`);
    await page.locator('.session-summary').waitFor();
    expect(await page.locator('.session-summary').textContent()).toBe('1 turn · $0 · 0 errors · 900 ms · user user-chat');
    await expect.poll(() => column('Turns', 3)).toEqual(['chat-agent']);
    expect(await column('Turns', 4)).toEqual(['handle']);

    await page.goto(`${server.url}/sessions/sess-three?${range}`);
    const turns = await api(`/api/traces?${range}&session_id=sess-three&limit=1000`);
    expect(turns.traces.length).toBe(3);
    await expect.poll(() => rows('Turns').count()).toBe(3);
    expect(await column('Turns', 4)).toEqual(['turn-1', 'turn-2', 'turn-3']);
    expect(await page.locator('table[aria-label="Turns"] a[data-trace]').evaluateAll((as) => as.map((a) => a.getAttribute('data-trace')))).toEqual(
      turns.traces.map((t: any) => t.trace_id).reverse(),
    );
    expect(await column('Turns', 1)).toEqual(turns.traces.map((_: unknown, i: number) => String(i + 1)));
  });

  it('draws a trace of 5,000 spans with only the rows in view in the DOM, and collapses a subtree', async () => {
    const outlineReads: string[] = [];
    const seen = (r: { url(): string }) => void (r.url().includes('/outline') && outlineReads.push(r.url()));
    page.on('request', seen);
    await page.goto(`${server.url}/traces/${BIG_TRACE}?at=${to - 5 * MIN}`);
    const box = page.locator('.wf-box');
    await box.waitFor();
    await page.locator('body[data-waterfall-painted]').waitFor({ state: 'attached' });
    page.off('request', seen);
    // The outline was asked for once, by public/early-outline.js before the bundle ran, and the app took that answer.
    expect(outlineReads).toEqual([`${server.url}/api/traces/${BIG_TRACE}/outline?at=${to - 5 * MIN}`]);
    expect(await page.evaluate(() => 'sightlineEarlyGet' in window)).toBe(false);
    expect(await box.getAttribute('data-rows')).toBe('5000');
    expect(await page.locator('.trace-summary').textContent()).toMatch(/^5,000 spans · /);
    // 600 px of 24 px rows = 25 in view, plus 10 drawn below them.
    expect(await page.locator('.wf-row').count()).toBe(35);
    expect(await page.locator('.wf-row').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-span')).slice(0, 4))).toEqual(['root', 'step-1', 's2', 's3']);

    // step-1 holds s2..s25 (24 spans): collapsing it hides them and brings step-26 up.
    await page.getByRole('button', { name: 'Collapse step 1 (24 spans below)' }).click();
    await expect.poll(() => box.getAttribute('data-rows')).toBe('4976');
    expect(await page.locator('.wf-row').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-span')).slice(0, 4))).toEqual(['root', 'step-1', 'step-26', 's27']);
    expect(await page.locator('.wf-row[data-span="s2"]').count()).toBe(0);
    expect(await page.locator('.wf-row[data-span="step-1"] .wf-label').textContent()).toBe('agent step step 1 (+24)');
    await page.getByRole('button', { name: 'Expand step 1 (24 spans below)' }).click();
    await expect.poll(() => box.getAttribute('data-rows')).toBe('5000');
    // The root folds all the others away, and back.
    await page.getByRole('button', { name: 'Collapse run (4999 spans below)' }).click();
    await expect.poll(() => page.locator('.wf-row').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-span')))).toEqual(['root']);
    expect(await box.getAttribute('data-rows')).toBe('1');
    await page.getByRole('button', { name: 'Expand run (4999 spans below)' }).click();
    await expect.poll(() => box.getAttribute('data-rows')).toBe('5000');

    // Scrolled to the end, the last spans are drawn and the first are gone.
    await box.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect.poll(() => page.locator('.wf-row[data-span="s4999"]').count()).toBe(1);
    expect(await page.locator('.wf-row[data-span="root"]').count()).toBe(0);
    expect(await page.locator('.wf-row').count()).toBeLessThanOrEqual(45);
  });
});
