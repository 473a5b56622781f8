// End-to-end alerts: a real server (in process, so the clock can be injected) fed by the fleet
// simulator over HTTP, one labelled incident per built-in rule, evaluation driven through
// POST /api/alerts/evaluate at simulated times. Channels are real: a signed webhook and a Slack
// receiver on loopback, a dead webhook, and the real Prometheus Alertmanager.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../src/alert/notify/signature.js';
import { loadConfig, type Config } from '../src/cli/config.js';
import { startSightline, type RunningSightline } from '../src/server.js';
import { createFleet, simulate, type Incident } from '../src/sim/index.js';
import { alertmanagerInstalled, startAlertmanager, type RunningAlertmanager } from './support/alertmanager.js';
import { request } from './support/http.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 2, 3, 0, 0);
const HISTORY = 3 * HOUR;
const STEP = 2 * MINUTE;
const END = T0 + HISTORY + 6 * HOUR;
const ADMIN = 'sl_admin_alerts_e2e_0123456789abcdef';
const SECRET = 'webhook-secret-0123456789';

const at = (h: number) => T0 + HISTORY + h * HOUR;
const INCIDENTS: Incident[] = [
  { id: 'err', kind: 'error_spike', agent: 'support-1', decision: 'refund', start: at(0), durationMs: 50 * MINUTE, errorRate: 0.8 },
  { id: 'cost', kind: 'cost_drift', agent: 'research-1', model: 'gpt-4o', start: at(1), durationMs: 30 * MINUTE, factor: 3 },
  { id: 'new', kind: 'new_decision', agent: 'support-2', decision: 'offer_store_credit', start: at(2), durationMs: 30 * MINUTE, share: 0.3 },
  { id: 'eff', kind: 'token_efficiency_drop', agent: 'coding-1', start: at(3), durationMs: 30 * MINUTE, factor: 3 },
  { id: 'lat', kind: 'latency_regression', model: 'gpt-4o-mini', start: at(4), durationMs: 30 * MINUTE, factor: 4 },
];

interface Received {
  path: string;
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
      received.push({ path: req.url ?? '', body: JSON.parse(raw), raw, headers: req.headers });
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, received })));
}

describe.runIf(alertmanagerInstalled())('alerts end to end', () => {
  let now = T0;
  let dataDir: string;
  let config: Config;
  let sightline: RunningSightline;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let am: RunningAlertmanager;
  const fleet = createFleet({ seed: 11, agents: 8, tracesPerMinutePerAgent: 20, incidents: INCIDENTS });
  const transitions: { t: number; alert_id: string; rule: string; labels: Record<string, string | null>; transition: string }[] = [];
  let ingestedTo = T0;

  const api = (path: string, opts: Parameters<typeof request>[1] = {}) => request(`${sightline.url}${path}`, { key: ADMIN, ...opts });
  const ingestUntil = async (to: number) => {
    for (let from = ingestedTo; from < to; from += HOUR) {
      const events = [...simulate(fleet, { from, to: Math.min(to, from + HOUR) })].flat();
      for (let i = 0; i < events.length; i += 5000) {
        const r = await api('/v1/events', { body: events.slice(i, i + 5000) });
        expect(r.status).toBe(200);
      }
    }
    ingestedTo = to;
  };
  /** Evaluates every STEP until `until`, traffic ingested an hour ahead (the engine reads only the past). */
  const runUntil = async (until: number) => {
    for (; now < until; ) {
      now += STEP;
      if (ingestedTo < now) await ingestUntil(Math.min(END + HOUR, now + HOUR));
      const r = await api('/api/alerts/evaluate', { method: 'POST' });
      expect(r.status).toBe(200);
      for (const tr of r.body.transitions) if (tr.transition !== 'cancelled') transitions.push({ t: (now - at(0)) / MINUTE, alert_id: tr.alert_id, rule: tr.rule_id, labels: tr.labels, transition: tr.transition });
    }
  };
  const start = async () => {
    sightline = await startSightline(config, { clock: () => now, log: () => undefined });
  };

  beforeAll(async () => {
    receiver = await startReceiver();
    am = await startAlertmanager();
    dataDir = mkdtempSync(join(tmpdir(), 'sightline-alerts-e2e-'));
    config = loadConfig({
      flags: {
        port: 0,
        data: dataDir,
        adminKey: ADMIN,
        alerts: {
          // The timer never fires during the test: evaluation is driven through the API.
          intervalMs: HOUR,
          renotifyMs: 20 * MINUTE,
          channels: {
            hook: { kind: 'webhook', url: `${receiver.url}/hook`, secret: SECRET },
            slack: { kind: 'slack', url: `${receiver.url}/slack` },
            am: { kind: 'alertmanager', url: am.url },
            dead: { kind: 'webhook', url: 'http://127.0.0.1:9/unreachable', timeoutMs: 500 },
          },
          delivery: { maxAttempts: 3, backoffMs: MINUTE },
        },
      },
    });
    await start();
    await ingestUntil(T0 + HISTORY);
    now = T0 + HISTORY - 10 * MINUTE;
  }, 300_000);

  afterAll(async () => {
    await sightline?.stop();
    await am?.stop();
    receiver?.server.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the built-in rules (the per-user spend rule off) and rejects an invalid custom rule naming the field', async () => {
    const rules = await api('/api/alerts/rules');
    expect(rules.body.rules.map((r: { id: string; source: string }) => `${r.id}:${r.source}`)).toEqual([
      'builtin.error_rate:builtin',
      'builtin.cost_per_inference:builtin',
      'builtin.new_decision:builtin',
      'builtin.token_efficiency:builtin',
      'builtin.latency_p95:builtin',
      'builtin.user_spend:builtin',
      'builtin.score_below_baseline:builtin',
    ]);
    expect(rules.body.rules.filter((r: { enabled: boolean }) => !r.enabled).map((r: { id: string }) => r.id)).toEqual(['builtin.user_spend']);
    const bad = await api('/api/alerts/rules', { body: { id: 'slow', name: 'Slow', metric: 'latency_p95', condition: { type: 'sigma', k: 'three' } } });
    expect([bad.status, bad.body.error.message]).toEqual([400, 'condition.k: Invalid input: expected number, received string']);
    const good = await api('/api/alerts/rules', { body: { id: 'huge-cost', name: 'Huge cost', metric: 'cost', groupBy: ['agent'], condition: { type: 'above', value: 1000 } } });
    expect([good.status, good.body.rule.source, good.body.rule.windowMs]).toEqual([201, 'api', 900_000]);
    const readOnly = await api('/api/alerts/rules', { key: 'nope', body: {} });
    expect(readOnly.status).toBe(401);
  });

  it('fires the error-rate alert once, keeps it across a restart without re-sending, then resolves it', async () => {
    // The latency rule is silenced for the whole run: it must fire and resolve without a notification.
    const silence = await api('/api/alerts/silences', { body: { rule_id: 'builtin.latency_p95', ends_at: END + HOUR, comment: 'known slow provider' } });
    expect(silence.status).toBe(201);
    await runUntil(at(0) + 30 * MINUTE);
    const firing = (await api('/api/alerts?status=firing')).body.alerts;
    expect(firing.map((a: any) => [a.rule_id, a.labels])).toEqual([['builtin.error_rate', { agent: 'support-1', decision: 'refund' }]]);
    const alert = firing[0];
    expect(alert.evidence.value).toBeGreaterThan(alert.evidence.threshold);
    expect(alert.evidence.baseline).toBeLessThan(0.01);
    expect(alert.evidence.example_trace_ids).toHaveLength(3);
    expect(alert.evidence.dashboard_url).toMatch(/^\/traces\?from=\d+&to=\d+&agent=support-1&decision=refund&errors=1$/);
    // Every number a person reads has its unit: an error rate in %, never "0.1212 vs baseline 0".
    const pct = '\\d+\\.\\d{1,2}%';
    expect(alert.summary).toMatch(new RegExp(`^Error rate above baseline for agent support-1, decision refund: error rate ${pct} vs baseline ${pct} \\(threshold ${pct}\\), \\d+ samples$`));
    // The band of a rate near 0 starts at 0%, never below.
    expect(alert.evidence.band[0]).toBe(0);

    // Alertmanager holds it, with Sightline's labels.
    const inAm = (await request(`${am.url}/api/v2/alerts`)).body as any[];
    expect(inAm.map((a) => [a.labels.alertname, a.labels.agent, a.labels.decision, a.status.state])).toEqual([['builtin.error_rate', 'support-1', 'refund', 'active']]);
    const notes = inAm[0].annotations;
    expect([notes.value, notes.baseline, notes.threshold].map((v: string) => new RegExp(`^${pct}$`).test(v))).toEqual([true, true, true]);
    expect(notes.summary).toMatch(/^error rate of support-1 × decision refund \+\d+ points \(\d+(\.\d+)?% → \d+\.\d%\) since \d\d:\d\d UTC$/);

    await sightline.stop();
    await start();
    expect((await api('/api/alerts?status=firing')).body.alerts.map((a: any) => a.id)).toEqual([alert.id]);
    await runUntil(at(1) + 20 * MINUTE);
    const hooks = receiver.received.filter((r) => r.path === '/hook' && r.body.rule_id === 'builtin.error_rate');
    // One firing before the restart, none after it; reminders every 20 min while firing; one resolution.
    expect(hooks.map((h) => h.body.kind)).toEqual(['firing', 'renotify', 'renotify', 'resolved']);
    const inAmAfter = (await request(`${am.url}/api/v2/alerts?active=true`)).body as any[];
    expect(inAmAfter.filter((a) => a.labels.alertname === 'builtin.error_rate')).toEqual([]);
  }, 300_000);

  it('signs webhook payloads verifiably and formats Slack messages', () => {
    const hooks = receiver.received.filter((r) => r.path === '/hook');
    expect(hooks.length).toBeGreaterThan(0);
    for (const h of hooks) {
      const header = h.headers['x-sightline-signature'] as string;
      const t = Number(/t=(\d+)/.exec(header)![1]);
      expect(verifySignature(SECRET, h.raw, header, { now: t })).toEqual({ ok: true });
      expect(verifySignature('another-secret-1234', h.raw, header, { now: t }).ok).toBe(false);
    }
    const slack = receiver.received.filter((r) => r.path === '/slack')[0]!.body;
    expect(slack.text).toMatch(/^:rotating_light: Firing: Error rate above baseline \(agent=support-1, decision=refund\) — /);
    expect(slack.blocks.map((b: { type: string }) => b.type)).toEqual(['section', 'section', 'context']);
    // Value, baseline and band in %, the band clamped at 0%; no bare fractions like 0.1212.
    const fields = slack.blocks[1].fields.map((f: { text: string }) => f.text);
    expect(fields.map((f: string) => f.replace(/\d+(\.\d+)?/g, 'N'))).toEqual(['*Value*\nN%', '*Baseline*\nN%', '*Band*\nN% – N%', '*Samples*\nN']);
    expect(fields[2]).toMatch(/^\*Band\*\n0\.0% – \d+\.\d+%$/);
    const hook = receiver.received.find((r) => r.path === '/hook' && r.body.kind === 'firing' && r.body.rule_id === 'builtin.error_rate')!.body;
    expect([hook.incident.alerts[0].value, hook.incident.alerts[0].baseline].map((v: string) => v.replace(/\d+(\.\d+)?/g, 'N'))).toEqual(['N%', 'N%']);
  });

  it('fires and resolves each built-in rule on its incident, once per group, without flapping', async () => {
    await runUntil(END);
    const fired = transitions.filter((t) => t.transition === 'firing');
    const resolved = transitions.filter((t) => t.transition === 'resolved');
    const key = (t: { rule: string; labels: object }) => `${t.rule} ${JSON.stringify(t.labels)}`;
    // The rule made for each incident fires during it (within 20 min of its start) and resolves after it ends.
    const primary: [string, string][] = [
      ['err', 'builtin.error_rate {"agent":"support-1","decision":"refund"}'],
      ['cost', 'builtin.cost_per_inference {"agent":"research-1","model":"gpt-4o"}'],
      ['new', 'builtin.new_decision {"agent":"support-2","decision":"offer_store_credit"}'],
      ['eff', 'builtin.token_efficiency {"agent":"coding-1"}'],
      ['lat', 'builtin.latency_p95 {"model":"gpt-4o-mini"}'],
    ];
    for (const [id, alert] of primary) {
      const incident = INCIDENTS.find((i) => i.id === id)!;
      const begin = (incident.start - at(0)) / MINUTE;
      const f = fired.filter((t) => key(t) === alert);
      const r = resolved.filter((t) => key(t) === alert);
      expect([alert, f.length, r.length]).toEqual([alert, 1, 1]);
      expect(f[0]!.t).toBeGreaterThanOrEqual(begin);
      expect(f[0]!.t).toBeLessThan(begin + 20);
      expect(r[0]!.t).toBeGreaterThan(begin + incident.durationMs! / MINUTE);
    }
    // No flapping: every alert fired once and resolved once; and every alert is explained by an
    // incident running at the time (side effects count: a ×3 token cost drift also slows gpt-4o,
    // a token-efficiency drop also changes that agent's cost per call).
    const keys = fired.map(key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(resolved.map(key).sort()).toEqual([...keys].sort());
    for (const f of fired) {
      const during = INCIDENTS.filter((i) => f.t >= (i.start - at(0)) / MINUTE && f.t <= (i.start - at(0) + i.durationMs!) / MINUTE + 20);
      expect([key(f), during.length > 0]).toEqual([key(f), true]);
    }
  }, 600_000);

  it('groups the alerts of each labelled incident into one incident, and notifies each once on opening and once on resolution', async () => {
    const fired = transitions.filter((t) => t.transition === 'firing');
    const incidents = (await api('/api/incidents')).body.incidents as any[];
    expect(incidents.every((i) => i.status === 'resolved' && i.resolved_at !== null)).toBe(true);
    // Every alert that fired is a member of exactly one incident.
    const home = new Map<string, string>();
    for (const i of incidents) for (const m of i.members) if (fired.some((f) => f.alert_id === m.alert_id)) home.set(m.alert_id, i.id);
    expect([...home.keys()].sort()).toEqual([...new Set(fired.map((f) => f.alert_id))].sort());
    // Alerts of the same labelled incident (the side effects included) share one incident, and alerts of different ones do not.
    const labelled = (t: number) => INCIDENTS.filter((i) => t >= (i.start - at(0)) / MINUTE && t <= (i.start - at(0) + i.durationMs!) / MINUTE + 20).map((i) => i.id).join('+');
    const byLabelled = new Map<string, Set<string>>();
    for (const f of fired) byLabelled.set(labelled(f.t), new Set([...(byLabelled.get(labelled(f.t)) ?? []), home.get(f.alert_id)!]));
    expect([...byLabelled.entries()].map(([k, v]) => [k, v.size]).sort()).toEqual([...byLabelled.keys()].map((k) => [k, 1]).sort());
    expect(new Set([...byLabelled.values()].map((v) => [...v][0])).size).toBe(byLabelled.size);
    expect(incidents.length).toBe(byLabelled.size);

    // Notifications go per incident: the silenced latency rule's incident stays quiet; every other
    // incident gets one opening first and one resolution last, with only updates and reminders between.
    const hooks = receiver.received.filter((r) => r.path === '/hook');
    expect(hooks.filter((h) => h.body.rule_id === 'builtin.latency_p95')).toEqual([]);
    const byIncident = new Map<string, string[]>();
    for (const h of hooks) byIncident.set(h.body.incident_id, [...(byIncident.get(h.body.incident_id) ?? []), h.body.kind]);
    const quiet = incidents.filter((i) => i.members.every((m: any) => m.rule_id === 'builtin.latency_p95')).map((i) => i.id);
    expect([...byIncident.keys()].sort()).toEqual(incidents.map((i) => i.id).filter((id) => !quiet.includes(id)).sort());
    expect(quiet.length).toBe(1);
    for (const kinds of byIncident.values()) {
      expect(kinds[0]).toBe('firing');
      expect(kinds.at(-1)).toBe('resolved');
      expect(kinds.filter((k) => k === 'firing' || k === 'resolved')).toEqual(['firing', 'resolved']);
      expect(kinds.slice(1, -1).every((k) => k === 'renotify' || k === 'update')).toBe(true);
    }
  });

  it('records history, acknowledgements, and failed deliveries without stopping evaluation', async () => {
    const history = (await api('/api/alerts/history?limit=100')).body.events;
    const firedCount = transitions.filter((t) => t.transition === 'firing').length;
    expect(history.filter((e: any) => e.kind === 'firing').length).toBe(firedCount);
    expect(history.filter((e: any) => e.kind === 'resolved').length).toBe(firedCount);
    const firingCost = history.find((e: any) => e.kind === 'firing' && e.rule_id === 'builtin.cost_per_inference');
    expect(firingCost.evidence.band).toHaveLength(2);
    expect(firingCost.baseline).toBeGreaterThan(0);

    const failed = (await api('/api/alerts/deliveries?status=failed')).body.deliveries;
    // The dead channel got every notification the live webhook got, each given up after 3 attempts.
    expect(failed.length).toBe(receiver.received.filter((r) => r.path === '/hook').length);
    expect(failed.every((d: any) => d.channel === 'dead' && d.attempts === 3 && d.last_error !== null)).toBe(true);
    const sent = (await api('/api/alerts/deliveries?status=sent')).body.deliveries;
    expect(new Set(sent.map((d: any) => d.channel))).toEqual(new Set(['hook', 'slack', 'am']));

    const alert = (await api('/api/alerts')).body.alerts[0];
    const ack = await api(`/api/alerts/${alert.id}/ack`, { method: 'POST' });
    expect(ack.status).toBe(200);
    expect(ADMIN.startsWith(ack.body.alert.acknowledged_by)).toBe(true);
    expect((await api('/api/alerts/history?limit=1')).body.events[0].kind).toBe('acknowledged');
  });
});
