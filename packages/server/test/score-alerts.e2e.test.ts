// "Score below baseline" end to end: a real server (in process, so the clock can be injected)
// gets spans and scores over HTTP for two agents; one agent's helpfulness drops for an hour. The
// alert engine's tick (driven through POST /api/alerts/evaluate at simulated times) opens the
// alert, notifies a signed webhook and keeps it across a restart; recovery resolves it. Expected
// figures are computed here from the scores the test sent.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../src/alert/notify/signature.js';
import { loadConfig, type Config } from '../src/cli/config.js';
import { startSightline, type RunningSightline } from '../src/server.js';
import { request } from './support/http.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 4, 5, 0, 0);
/** The drop: support's helpfulness falls from ~0.8 to ~0.5 for an hour, from DROP on. */
const DROP = T0 + 25 * HOUR;
const DROP_END = DROP + HOUR;
const END = DROP_END + 2 * HOUR;
const ADMIN = 'sl_admin_score_alerts_0123456789abcdef';
const SECRET = 'webhook-secret-scores-0123';
const RULE = 'builtin.score_below_baseline';

interface Received {
  body: any;
  raw: string;
  headers: IncomingMessage['headers'];
}

function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      received.push({ body: JSON.parse(raw), raw, headers: req.headers });
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, received })));
}

/** One trace a minute per agent, each with one helpfulness score: 0.7 / 0.9 by turns, 0.4 / 0.6 during support's drop. */
const sent: { agent: string; t: number; value: number }[] = [];
function traffic() {
  const events: Record<string, unknown>[] = [];
  const scores: Record<string, unknown>[] = [];
  for (let t = T0; t < END; t += MINUTE) {
    for (const agent of ['support', 'billing']) {
      const trace = `${agent}-${t}`;
      const odd = ((t - T0) / MINUTE) % 2 === 1;
      const dropped = agent === 'support' && t >= DROP && t < DROP_END;
      const value = dropped ? (odd ? 0.6 : 0.4) : odd ? 0.9 : 0.7;
      events.push({ trace_id: trace, span_id: 's1', agent_id: agent, span_type: 'llm_call', model: 'gpt-4o', decision_made: 'answer', timestamp: t, tokens_input: 100, tokens_output: 40 });
      // The score is given 20 s after its trace began.
      scores.push({ score_id: `h-${trace}`, trace_id: trace, name: 'helpfulness', value, source: 'evaluator', timestamp: t + 20_000 });
      sent.push({ agent, t: t + 20_000, value });
    }
  }
  return { events, scores };
}

/** Mean and count of support's scores in [from, to), from what the test sent. */
function figures(from: number, to: number) {
  const xs = sent.filter((s) => s.agent === 'support' && s.t >= from && s.t < to).map((s) => s.value);
  return { n: xs.length, mean: xs.reduce((a, x) => a + x, 0) / xs.length };
}

describe('builtin.score_below_baseline end to end', () => {
  let now = END;
  let dataDir: string;
  let config: Config;
  let sightline: RunningSightline;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const api = (path: string, opts: Parameters<typeof request>[1] = {}) => request(`${sightline.url}${path}`, { key: ADMIN, ...opts });
  const start = async () => {
    sightline = await startSightline(config, { clock: () => now, log: () => undefined });
  };
  /** Evaluates every 5 min until `done` holds for the tick's transitions; returns that tick's time. */
  const evaluateUntil = async (until: number, done: (transitions: any[]) => boolean): Promise<number | null> => {
    while (now < until) {
      now += 5 * MINUTE;
      const r = await api('/api/alerts/evaluate', { method: 'POST' });
      expect(r.status).toBe(200);
      if (done(r.body.transitions.filter((t: any) => t.rule_id === RULE))) return now;
    }
    return null;
  };
  const hooks = () => receiver.received.filter((r) => r.body.rule_id === RULE);

  beforeAll(async () => {
    receiver = await startReceiver();
    dataDir = mkdtempSync(join(tmpdir(), 'sightline-score-alerts-e2e-'));
    // Only the score rule: the span rules' own alerts are tested elsewhere.
    const builtin = Object.fromEntries(
      ['builtin.error_rate', 'builtin.cost_per_inference', 'builtin.new_decision', 'builtin.token_efficiency', 'builtin.latency_p95'].map((id) => [id, { enabled: false }]),
    );
    config = loadConfig({
      flags: {
        port: 0,
        data: dataDir,
        adminKey: ADMIN,
        // The timer never fires during the test: evaluation is driven through the API.
        alerts: { intervalMs: HOUR, builtin, channels: { hook: { kind: 'webhook', url: `${receiver.url}/hook`, secret: SECRET } } },
      },
    });
    await start();
    const { events, scores } = traffic();
    for (let i = 0; i < events.length; i += 5_000) expect((await api('/v1/events', { body: events.slice(i, i + 5_000) })).status).toBe(200);
    for (let i = 0; i < scores.length; i += 5_000) expect((await api('/v1/scores', { body: scores.slice(i, i + 5_000) })).body).toMatchObject({ rejected: [] });
    // The engine reads only the past of its clock: from just before the drop on.
    now = DROP;
  }, 300_000);

  afterAll(async () => {
    await sightline?.stop();
    receiver?.server.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('is a built-in rule listed and tunable like the others', async () => {
    const rules = (await api('/api/alerts/rules')).body.rules as any[];
    const rule = rules.find((r) => r.id === RULE);
    expect(rule).toMatchObject({
      source: 'builtin', enabled: true, metric: 'score_mean', groupBy: ['agent'], windowMs: 30 * MINUTE, baselineMs: 24 * HOUR, intervalMs: 5 * MINUTE,
      condition: { type: 'score_drop', maxPValue: 1e-4, minDropSd: 0.75 }, minSamples: 20, minBaselineSamples: 100,
    });
    const bad = await api(`/api/alerts/rules/${RULE}`, { method: 'PATCH', body: { condition: { type: 'sigma', k: 2 } } });
    expect([bad.status, bad.body.error.message]).toEqual([400, 'condition.type: the score_mean metric and the score_drop condition go together']);
    const custom = await api('/api/alerts/rules', { body: { id: 'help-by-model', name: 'x', metric: 'score_mean', groupBy: ['user'], condition: { type: 'score_drop' } } });
    expect([custom.status, custom.body.error.message]).toEqual([400, 'groupBy: a score rule groups by agent, model, decision (and always by score name), not user']);
  });

  it('fires for the agent whose score dropped, with its figures in words, and notifies the webhook', async () => {
    const firedAt = await evaluateUntil(DROP + HOUR, (ts) => ts.some((t) => t.transition === 'firing'));
    expect(firedAt).not.toBeNull();
    // The window is the whole 5-minute buckets of the last 30 min; the baseline the 24 h before.
    const end = firedAt!;
    const w = figures(end - 30 * MINUTE, end);
    const b = figures(end - 30 * MINUTE - 24 * HOUR, end - 30 * MINUTE);
    expect([b.n, b.mean]).toEqual([1_440, expect.closeTo(0.8, 9)]);
    // At least 0.75 baseline σ (0.1) below 0.80 takes a few minutes of the drop in the window.
    expect(end - DROP).toBeGreaterThanOrEqual(10 * MINUTE);
    expect(end - DROP).toBeLessThanOrEqual(30 * MINUTE);
    const drop = `${(100 * (1 - w.mean / b.mean)).toFixed(0)}%`;
    const text = `helpfulness of agent support fell 0.80 → ${w.mean.toFixed(2)} (−${drop}) over the last 30 min (${w.n} scores against 1,440 in the 24 h before; p<0.001)`;

    const alerts = (await api('/api/alerts')).body.alerts as any[];
    expect(alerts.map((a) => [a.rule_id, a.status, a.labels])).toEqual([[RULE, 'firing', { agent: 'support', score: 'helpfulness' }]]);
    const a = alerts[0];
    expect(a.summary).toBe(text);
    expect([a.value, a.samples, a.baseline, a.fired_at]).toEqual([expect.closeTo(w.mean, 9), w.n, expect.closeTo(0.8, 9), end]);
    expect(a.evidence).toMatchObject({ metric: 'score_mean', samples: w.n, baseline_samples: 1_440, window_ms: 30 * MINUTE });
    expect(a.evidence.dashboard_url).toBe(`/traces?from=${end - 2 * HOUR}&to=${end}&agent=support`);

    // One incident, one signed notification whose title is the alert's line and whose figures read as scores.
    const incidents = (await api('/api/incidents')).body.incidents as any[];
    expect(incidents.map((i) => [i.status, i.title, i.scope])).toEqual([['open', text, { agent: 'support', score: 'helpfulness' }]]);
    const fired = hooks();
    expect(fired.map((h) => [h.body.kind, h.body.summary, h.body.labels])).toEqual([['firing', text, { agent: 'support', score: 'helpfulness' }]]);
    expect(fired[0]!.body.incident.alerts.map((m: any) => [m.rule_id, m.value, m.baseline])).toEqual([[RULE, w.mean.toFixed(2), '0.80']]);
    const header = fired[0]!.headers['x-sightline-signature'] as string;
    expect(verifySignature(SECRET, fired[0]!.raw, header, { now: Number(/t=(\d+)/.exec(header)![1]) })).toEqual({ ok: true });
  });

  it('keeps the alert across a restart without notifying again, then resolves it once the scores recover', async () => {
    const before = (await api('/api/alerts')).body.alerts.map((a: any) => [a.id, a.status]);
    await sightline.stop();
    await start();
    expect((await api('/api/alerts')).body.alerts.map((a: any) => [a.id, a.status])).toEqual(before);
    const resolvedAt = await evaluateUntil(END, (ts) => ts.some((t) => t.transition === 'resolved'));
    expect(resolvedAt).not.toBeNull();
    // Back once the window is past the drop by enough (two clear evaluations in a row).
    expect(resolvedAt!).toBeGreaterThan(DROP_END);
    const history = (await api(`/api/alerts/history?rule_id=${RULE}`)).body.events as any[];
    expect(history.map((e) => e.kind).sort()).toEqual(['firing', 'resolved']);
    expect((await api('/api/alerts')).body.alerts.map((a: any) => [a.status, a.resolved_at])).toEqual([['resolved', resolvedAt]]);
    const kinds = hooks().map((h) => h.body.kind);
    expect(kinds).toEqual(['firing', 'resolved']);
    // The resolution carries the incident's title as last updated while it was open (the figures of its last firing tick).
    const incidents = (await api('/api/incidents')).body.incidents as any[];
    expect(incidents.map((i) => i.status)).toEqual(['resolved']);
    expect(incidents[0].title).toMatch(/^helpfulness of agent support fell 0\.80 → 0\.\d\d \(−\d+(\.\d)?%\) over the last 30 min \(30 scores against 1,440 in the 24 h before; p[<=]0\.\d{3}\)$/);
    expect(hooks()[1]!.body.summary).toBe(`Resolved: ${incidents[0].title}`);
  });
});
