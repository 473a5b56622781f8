// End-to-end budgets: a real server (in process, injected clock, DuckDB on disk) and a real webhook
// receiver, three weeks of December in simulated time, evaluated every 3 h. Tenant acme's spend
// grows by $2 a day ($5 on 1 Dec, $7 on 2 Dec, …) against a $500 monthly budget: its forecast
// alert fires on 8 Dec, its 80 % and 100 % crossings on the days they happen. End user u-heavy
// spends $7.20 a day against a $6 daily budget: both crossings fire every day and resolve at
// midnight. Agent steady spends a flat $10 a day against a $100 weekly budget: never an alert.
// Budgets are created, changed and deleted through the API and survive a restart, as do their alerts.

import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_RULES } from '../src/alert/builtin-rules.js';
import { loadConfig } from '../src/cli/config.js';
import { startSightline, type RunningSightline } from '../src/server.js';
import { request } from './support/http.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 11, 1);
const ADMIN = 'sl_admin_budgets_e2e_0123456789abcdef';
/** acme's spend on day k of December (0-based): $5, $7, $9, … */
const acmeDay = (k: number) => 5 + 2 * k;

/** One LLM call every 10 min per subject. */
function traffic(from: number, to: number) {
  const events: Record<string, unknown>[] = [];
  for (let t = from; t < to; t += 10 * MINUTE) {
    const k = Math.floor((t - T0) / DAY);
    const base = { timestamp: t, span_type: 'llm_call', model: 'gpt-4o-mini', latency_ms: 700, tokens_input: 400, tokens_output: 80 };
    events.push({ ...base, agent_id: 'assistant', trace_id: `acme-${t}`, cost_usd: acmeDay(k) / 144, attributes: { tenant: 'acme' } });
    events.push({ ...base, agent_id: 'assistant', trace_id: `heavy-${t}`, cost_usd: 0.05, user_id: 'u-heavy' });
    events.push({ ...base, agent_id: 'steady', trace_id: `steady-${t}`, cost_usd: 10 / 144 });
  }
  return events;
}

describe('budgets end to end', () => {
  let now = T0;
  let dataDir: string;
  let sightline: RunningSightline;
  let hook: Server;
  let readKey: string;
  const received: any[] = [];
  const api = (path: string, opts: Parameters<typeof request>[1] = {}) => request(`${sightline.url}${path}`, { key: ADMIN, ...opts });
  const start = async () => {
    const config = loadConfig({
      flags: {
        port: 0,
        data: dataDir,
        adminKey: ADMIN,
        alerts: {
          intervalMs: HOUR,
          budgetIntervalMs: HOUR,
          // Budgets only: the built-in rules judge minutes, and 170 evaluations of them would only slow this down.
          builtin: Object.fromEntries(BUILTIN_RULES.map((r) => [r.id, { enabled: false }])),
          channels: { hook: { kind: 'webhook', url: `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook` } },
          budgets: [{ id: 'steady-weekly', scope: { agent: 'steady' }, amountUsd: 100, period: 'week' }],
        },
      },
    });
    sightline = await startSightline(config, { clock: () => now, log: () => undefined });
  };
  /** Sends traffic up to each `step` mark (3 h unless said) and evaluates there. */
  const runUntil = async (until: number, step = 3 * HOUR) => {
    while (now < until) {
      const next = Math.min(until, now + step);
      const events = traffic(now, next);
      expect((await api('/v1/events', { body: events })).status).toBe(200);
      now = next;
      expect((await api('/api/alerts/evaluate', { method: 'POST' })).status).toBe(200);
    }
  };
  const budgetNotifications = () => received.filter((n) => String(n.rule_id).startsWith('budget.')).map((n) => [new Date(n.at).toISOString().slice(5, 16), n.kind, n.labels.budget, n.labels.budget_alert]);

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let raw = '';
      req.on('data', (d: Buffer) => (raw += d.toString()));
      req.on('end', () => {
        received.push(JSON.parse(raw));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    dataDir = mkdtempSync(join(tmpdir(), 'sightline-budgets-e2e-'));
    await start();
    readKey = (await api('/api/keys', { body: { scopes: ['read'] } })).body.key as string;
  }, 120_000);

  afterAll(async () => {
    await sightline?.stop();
    hook?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates, checks, replaces and deletes budgets through the API (admin to write, read key to read)', async () => {
    const acme = { id: 'acme-monthly', name: 'Tenant acme', scope: { attribute: 'tenant', value: 'acme' }, amountUsd: 500, period: 'month' };
    const created = await api('/api/budgets', { body: acme });
    expect([created.status, created.body.budget.alertShares, created.body.budget.forecast, created.body.budget.source, created.body.budget.spent_usd]).toEqual([201, [0.8, 1], true, 'api', 0]);
    expect((await api('/api/budgets', { body: acme })).body.error.message).toBe('id: budget "acme-monthly" exists; PUT /api/budgets/acme-monthly replaces it');
    const bad = [
      [{ id: 'x', amountUsd: -5, period: 'month' }, 'amountUsd: Too small: expected number to be >0'],
      [{ id: 'x', amountUsd: 5, period: 'year' }, 'period: Invalid option: expected one of "day"|"week"|"month"'],
      [{ id: 'x', amountUsd: 5, period: 'day', scope: { attribute: 'tenant' } }, 'scope.value: an attribute budget needs the value it covers (e.g. {"attribute": "tenant", "value": "acme"})'],
      [{ id: 'x', amountUsd: 5, period: 'day', scope: { agent: 'a', user: 'u' } }, 'scope: set one of agent, model, provider, user, attribute (got agent and user)'],
    ] as const;
    for (const [body, message] of bad) {
      const r = await api('/api/budgets', { body });
      expect([r.status, r.body.error.message]).toEqual([400, message]);
    }
    const heavy = await api('/api/budgets/u-heavy-daily', { method: 'PUT', body: { scope: { user: 'u-heavy' }, amountUsd: 5, period: 'day', severity: 'critical', forecast: false } });
    expect([heavy.status, heavy.body.budget.amountUsd]).toEqual([200, 5]);
    const replaced = await api('/api/budgets/u-heavy-daily', { method: 'PUT', body: { scope: { user: 'u-heavy' }, amountUsd: 6, period: 'day', severity: 'critical', forecast: false } });
    expect([replaced.status, replaced.body.budget.amountUsd]).toEqual([200, 6]);
    expect((await api('/api/budgets', { body: { id: 'temp', amountUsd: 1, period: 'day' } })).status).toBe(201);
    expect((await api('/api/budgets/temp', { method: 'DELETE' })).body).toEqual({ deleted: 'temp' });
    expect((await api('/api/budgets/temp', { method: 'DELETE' })).status).toBe(404);
    const fromConfig = await api('/api/budgets/steady-weekly', { method: 'DELETE' });
    expect([fromConfig.status, fromConfig.body.error.message]).toEqual([409, 'budget steady-weekly is defined in the config file; remove it there']);

    const asReader = await request(`${sightline.url}/api/budgets`, { key: readKey });
    expect(asReader.body.budgets.map((b: any) => [b.id, b.source, b.period, b.amountUsd])).toEqual([
      ['steady-weekly', 'config', 'week', 100],
      ['acme-monthly', 'api', 'month', 500],
      ['u-heavy-daily', 'api', 'day', 6],
    ]);
    expect((await request(`${sightline.url}/api/budgets`, { key: readKey, body: { id: 'y', amountUsd: 1, period: 'day' } })).status).toBe(403);
  });

  it("fires acme's forecast alert on 8 Dec, with the date, the rate and the band in dollars, once", async () => {
    // Every 3 h for three days (the user budget's crossings), a day at a time to 8 Dec, then every 3 h.
    await runUntil(T0 + 3 * DAY);
    await runUntil(T0 + 7 * DAY, DAY);
    await runUntil(T0 + 7 * DAY + 9 * HOUR);
    // 8 Dec 09:00: spent $77 + 3/8 of $19; the last 24 h $17.75; 23.625 days left → $503.5 ≥ $500: pending.
    let acme = (await api('/api/budgets/acme-monthly')).body.budget;
    expect([acme.spent_usd.toFixed(3), acme.rate_usd_per_day.toFixed(2), acme.projection.projected_usd.toFixed(2)]).toEqual(['84.125', '17.75', '503.47']);
    expect(acme.alerts.map((a: any) => [a.kind, a.status])).toEqual([['forecast', 'pending']]);
    const ofAcme = () => budgetNotifications().filter((n) => n[2] === 'acme-monthly');
    expect(ofAcme()).toEqual([]);

    await runUntil(T0 + 7 * DAY + 12 * HOUR);
    acme = (await api('/api/budgets/acme-monthly')).body.budget;
    // Spread evenly over a day (every hour of the fleet spends alike): $413.50 more at $18 a day is 22.97 days.
    expect(acme.projection.exhaust_at).toBe(Date.UTC(2025, 11, 31, 12));
    expect(acme.projection.sigma_day_usd).toBeLessThan(1e-9);
    const text = 'tenant acme will exhaust its $500 monthly budget around 31 Dec at the current rate ($18.00 a day; $510 by the period\'s end)';
    expect(acme.alerts.map((a: any) => [a.kind, a.status, a.summary])).toEqual([['forecast', 'firing', text]]);
    expect(ofAcme()).toEqual([['12-08T12:00', 'firing', 'acme-monthly', 'forecast']]);
    const incident = (await api('/api/incidents?status=open')).body.incidents.find((i: any) => i.lead_rule_id === 'budget.acme-monthly');
    expect([incident.title, incident.scope]).toEqual([text, { budget: 'acme-monthly', budget_alert: 'forecast' }]);
    expect(received.find((n) => n.rule_id === 'budget.acme-monthly').summary).toBe(text);
  }, 300_000);

  it('fires the daily user budget at 80 % and 100 % every day and resolves both at midnight; never the stationary agent', async () => {
    const heavy = budgetNotifications().filter((n) => n[2] === 'u-heavy-daily');
    // $0.30 an hour: $4.80 (80 %) at 16:00, judged at 18:00; $6 at 20:00, judged at 21:00; both end at midnight.
    const day = (d: number) => [
      [`12-0${d}T18:00`, 'firing', 'u-heavy-daily', 'spent_80'],
      [`12-0${d}T21:00`, 'firing', 'u-heavy-daily', 'spent_100'],
      [`12-0${d + 1}T00:00`, 'resolved', 'u-heavy-daily', 'spent_80'],
      [`12-0${d + 1}T00:00`, 'resolved', 'u-heavy-daily', 'spent_100'],
    ];
    // (Evaluated at midnight only from 4 to 8 Dec: each day's spend is judged in the next period.)
    expect(heavy).toEqual([1, 2, 3].flatMap(day));
    const first = received.find((n) => n.labels.budget === 'u-heavy-daily' && n.labels.budget_alert === 'spent_100');
    expect([first.severity, first.summary]).toEqual(['critical', 'user u-heavy has spent 105.0% of its $6.00 daily budget ($6.30, crossing 100.0%)']);
    const steady = (await api('/api/budgets/steady-weekly')).body.budget;
    // Monday 8 Dec 12:00: $5 of this week's $100 spent, $10 a day; $70 by Sunday night.
    expect([steady.spent_usd.toFixed(2), steady.rate_usd_per_day.toFixed(2), steady.projection.projected_usd.toFixed(2), steady.alerts]).toEqual(['5.00', '10.00', '70.00', []]);
    expect(budgetNotifications().filter((n) => n[2] === 'steady-weekly')).toEqual([]);
  });

  it('keeps budgets and their alerts across a restart: nothing is notified again', async () => {
    const before = received.length;
    await sightline.stop();
    await start();
    const budgets = (await api('/api/budgets')).body.budgets;
    expect(budgets.map((b: any) => [b.id, b.source, b.amountUsd, b.alerts.map((a: any) => [a.kind, a.status])])).toEqual([
      ['steady-weekly', 'config', 100, []],
      ['acme-monthly', 'api', 500, [['forecast', 'firing']]],
      ['u-heavy-daily', 'api', 6, []],
    ]);
    await runUntil(T0 + 7 * DAY + 15 * HOUR);
    expect(received.length).toBe(before);
  }, 300_000);

  it("fires acme's 80 % on 19 Dec and 100 % on 21 Dec, each its own notification", async () => {
    // A day at a time while nothing is due, every 3 h around the crossings.
    await runUntil(T0 + 18 * DAY, DAY);
    await runUntil(T0 + 18 * DAY + 3 * HOUR);
    await runUntil(T0 + 20 * DAY + 9 * HOUR, DAY);
    await runUntil(T0 + 20 * DAY + 12 * HOUR);
    const acme = budgetNotifications().filter((n) => n[2] === 'acme-monthly');
    // ($401.125 less a float's error: it is a sum of 1/144ths.) Σ of days 0..17 is $396; day 18 adds $41 a day: $400 at 02:20 on 19 Dec. Days 0..19: $480; $500 at 10:40 on 21 Dec.
    expect(acme).toEqual([
      ['12-08T12:00', 'firing', 'acme-monthly', 'forecast'],
      ['12-19T03:00', 'firing', 'acme-monthly', 'spent_80'],
      ['12-21T12:00', 'firing', 'acme-monthly', 'spent_100'],
    ]);
    const crossing = received.find((n) => n.labels.budget === 'acme-monthly' && n.labels.budget_alert === 'spent_80');
    expect(crossing.summary).toBe('tenant acme has spent 80.2% of its $500 monthly budget ($401, crossing 80.0%)');
    expect(budgetNotifications().filter((n) => n[2] === 'steady-weekly')).toEqual([]);
  }, 600_000);
});
