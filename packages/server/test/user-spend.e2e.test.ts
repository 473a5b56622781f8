// End-to-end per-user spend: a real server (in process, injected clock, DuckDB on disk) with 20 end
// users spending a steady ~$0.30 an hour each for four hours. Then one user's agent loops (20 calls
// a minute) and a brand-new user spends $30 in ten minutes. The built-in rule is off by default;
// switched on through the API it fires for exactly those two users (one against their own
// baseline, one over the fixed ceiling), each its own incident, notified to a real webhook.

import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/cli/config.js';
import { startSightline, type RunningSightline } from '../src/server.js';
import { request } from './support/http.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 2, 3, 8, 0);
const LOOP_AT = T0 + 4 * HOUR + 5 * MINUTE;
const ADMIN = 'sl_admin_user_spend_e2e_0123456789abcdef';
const USERS = Array.from({ length: 20 }, (_, i) => `user-${String(i + 1).padStart(2, '0')}`);

/** One LLM call of `user` at `t` costing `cost`. */
const call = (user: string, t: number, cost: number, i: number) => ({
  timestamp: t,
  agent_id: 'assistant',
  span_type: 'llm_call',
  model: 'gpt-4o-mini',
  trace_id: `t-${user}-${t}-${i}`,
  latency_ms: 800,
  tokens_input: 500,
  tokens_output: 100,
  cost_usd: cost,
  user_id: user,
});

/** Every user calls once every 2 min, $0.009–$0.011 a call; plus the loop and the new user when due. */
function traffic(from: number, to: number) {
  const events: ReturnType<typeof call>[] = [];
  for (let t = from; t < to; t += MINUTE) {
    USERS.forEach((u, i) => {
      if ((t / MINUTE + i) % 2 === 0) events.push(call(u, t + i * 1000, 0.009 + ((t / MINUTE + i) % 3) * 0.001, 0));
    });
    if (t >= LOOP_AT) for (let k = 0; k < 20; k++) events.push(call('user-07', t + 100 + k * 2000, 0.01, k + 1));
    if (t >= LOOP_AT && t < LOOP_AT + 10 * MINUTE) for (let k = 0; k < 3; k++) events.push(call('user-new', t + 500 + k * 5000, 1, k));
  }
  return events;
}

describe('per-user spend end to end', () => {
  let now = T0;
  let dataDir: string;
  let sightline: RunningSightline;
  let hook: Server;
  const received: any[] = [];
  const api = (path: string, opts: Parameters<typeof request>[1] = {}) => request(`${sightline.url}${path}`, { key: ADMIN, ...opts });
  const send = async (from: number, to: number) => {
    const events = traffic(from, to);
    for (let i = 0; i < events.length; i += 5000) expect((await api('/v1/events', { body: events.slice(i, i + 5000) })).status).toBe(200);
  };
  const evaluateUntil = async (until: number) => {
    for (; now < until; ) {
      now += 2 * MINUTE;
      await send(now - 2 * MINUTE, now);
      expect((await api('/api/alerts/evaluate', { method: 'POST' })).status).toBe(200);
    }
  };

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
    dataDir = mkdtempSync(join(tmpdir(), 'sightline-user-spend-e2e-'));
    const config = loadConfig({
      flags: {
        port: 0,
        data: dataDir,
        adminKey: ADMIN,
        alerts: { intervalMs: HOUR, channels: { hook: { kind: 'webhook', url: `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook` } } },
      },
    });
    sightline = await startSightline(config, { clock: () => now, log: () => undefined });
    await send(T0, T0 + 4 * HOUR);
    now = T0 + 4 * HOUR;
  }, 300_000);

  afterAll(async () => {
    await sightline?.stop();
    hook?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('is off by default: the loop raises nothing until the rule is switched on', async () => {
    await evaluateUntil(LOOP_AT + 20 * MINUTE);
    // (The new user's $1 calls do raise the agent's cost per call: that built-in alert is not per user.)
    expect(((await api('/api/alerts')).body.alerts as any[]).filter((a) => a.labels.user !== undefined)).toEqual([]);
    const on = await api('/api/alerts/rules/builtin.user_spend', { method: 'PATCH', body: { enabled: true } });
    expect([on.status, on.body.rule.enabled, on.body.rule.groupBy, on.body.rule.ceiling]).toEqual([200, true, ['user'], 25]);
    const bad = await api('/api/alerts/rules', { body: { id: 'user-p95', name: 'x', metric: 'latency_p95', groupBy: ['user'], condition: { type: 'above', value: 1 } } });
    expect([bad.status, bad.body.error.message]).toEqual([400, 'metric: a rule grouped by user cannot watch a latency quantile (per-user figures carry no histogram)']);
  }, 300_000);

  it("fires for the looping user against their own baseline and for the new user over the ceiling, nobody else", async () => {
    await evaluateUntil(LOOP_AT + 30 * MINUTE);
    const alerts = ((await api('/api/alerts')).body.alerts as any[]).filter((a) => a.rule_id === 'builtin.user_spend');
    const byUser = (a: any[], b: any[]) => (a[1].user < b[1].user ? -1 : 1);
    expect(alerts.map((a) => [a.status, a.labels]).sort(byUser)).toEqual([
      ['firing', { user: 'user-07' }],
      ['firing', { user: 'user-new' }],
    ]);
    const loop = alerts.find((a) => a.labels.user === 'user-07');
    // Their typical hour: 30 calls of ~$0.01 = $0.30, threshold 300 % of it. The last hour: their
    // usual $0.30 plus 31 min of 20 extra $0.01 calls a minute (those of the last two minutes are in).
    expect([loop.evidence.baseline.toFixed(2), loop.evidence.threshold.toFixed(2), loop.value.toFixed(2)]).toEqual(['0.30', '0.90', '6.50']);
    const fresh = alerts.find((a) => a.labels.user === 'user-new');
    // No baseline: only the ceiling judges ($30 in the hour > $25).
    expect([fresh.value, fresh.threshold]).toEqual([30, 25]);

    const incidents = ((await api('/api/incidents?status=open')).body.incidents as any[]).filter((i) => i.scope.user !== undefined);
    expect(incidents.map((i) => [i.alerts.length, i.scope]).sort(byUser)).toEqual([
      [1, { user: 'user-07' }],
      [1, { user: 'user-new' }],
    ]);
    const [loopIncident, freshIncident] = ['user-07', 'user-new'].map((u) => incidents.find((i) => i.scope.user === u));
    const title = loopIncident.title;
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    expect(title).toBe(`cost of user-07 22× ($0.30 → $6.50) since ${hhmm(loopIncident.alerts[0].started_at)} UTC`);
    expect(freshIncident.title).toBe(`cost of user-new at $30.00 since ${hhmm(freshIncident.alerts[0].started_at)} UTC`);
    expect(received.filter((n) => n.rule_id === 'builtin.user_spend').map((n) => [n.kind, n.labels]).sort(byUser)).toEqual([
      ['firing', { user: 'user-07' }],
      ['firing', { user: 'user-new' }],
    ]);
  }, 300_000);
});
