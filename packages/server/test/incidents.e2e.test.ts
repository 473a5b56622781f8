// End-to-end incidents: a real server (in process, injected clock) fed by the fleet simulator over
// HTTP. Two causes at once: every call to gpt-4o-mini costs twice as much (all agents that call it)
// and, unrelated, support-1's refunds fail. Expected: two incidents, the first named by the model,
// one notification each on opening and one on resolution on every channel (signed webhook, Slack
// receiver, the real Prometheus Alertmanager), kept across a restart; ack and silence through the
// API; `sightline status` lists them.

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
import { plainEnv, runCli } from './support/cli.js';
import { request } from './support/http.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 2, 3, 6, 0);
const HISTORY = 3 * HOUR;
const STEP = 2 * MINUTE;
const START = T0 + HISTORY + 14 * MINUTE;
const DURATION = 40 * MINUTE;
const END = START + DURATION + 40 * MINUTE;
const ADMIN = 'sl_admin_incidents_e2e_0123456789abcdef';
const SECRET = 'webhook-secret-0123456789';
const MODEL = 'gpt-4o-mini';

const INCIDENTS: Incident[] = [
  { id: 'model', kind: 'cost_drift', model: MODEL, start: START, durationMs: DURATION, factor: 2 },
  { id: 'refunds', kind: 'error_spike', agent: 'support-1', decision: 'refund', start: START, durationMs: DURATION, errorRate: 0.8 },
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

describe.runIf(alertmanagerInstalled())('incidents end to end', () => {
  let now = T0;
  let dataDir: string;
  let config: Config;
  let sightline: RunningSightline;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let am: RunningAlertmanager;
  const fleet = createFleet({ seed: 23, agents: 12, tracesPerMinutePerAgent: 6, incidents: INCIDENTS });
  /** The agents that call the model: every support and sales agent. */
  const modelAgents = fleet.agents.filter((a) => Object.values(a.models).some((m) => m?.name === MODEL)).map((a) => a.id).sort();
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
  const runUntil = async (until: number) => {
    for (; now < until; ) {
      now += STEP;
      if (ingestedTo < now) await ingestUntil(Math.min(END + HOUR, now + HOUR));
      const r = await api('/api/alerts/evaluate', { method: 'POST' });
      expect(r.status).toBe(200);
    }
  };
  const start = async () => {
    sightline = await startSightline(config, { clock: () => now, log: () => undefined });
  };
  const hooks = (incidentId?: string) => receiver.received.filter((r) => r.path === '/hook' && (incidentId === undefined || r.body.incident_id === incidentId));

  beforeAll(async () => {
    receiver = await startReceiver();
    am = await startAlertmanager();
    dataDir = mkdtempSync(join(tmpdir(), 'sightline-incidents-e2e-'));
    config = loadConfig({
      flags: {
        port: 0,
        data: dataDir,
        adminKey: ADMIN,
        alerts: {
          intervalMs: HOUR,
          renotifyMs: 20 * MINUTE,
          channels: {
            hook: { kind: 'webhook', url: `${receiver.url}/hook`, secret: SECRET },
            slack: { kind: 'slack', url: `${receiver.url}/slack` },
            am: { kind: 'alertmanager', url: am.url },
          },
        },
      },
    });
    await start();
    await ingestUntil(T0 + HISTORY);
    now = T0 + HISTORY;
  }, 300_000);

  afterAll(async () => {
    await sightline?.stop();
    await am?.stop();
    receiver?.server.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  let modelIncident: any;
  let refundIncident: any;

  it('opens two incidents for two causes: one named by the model across all its agents, one for the refunds', async () => {
    expect(modelAgents).toEqual(['sales-1', 'sales-2', 'sales-3', 'support-1', 'support-2', 'support-3']);
    await runUntil(START + 20 * MINUTE);
    const open = (await api('/api/incidents?status=open')).body.incidents as any[];
    expect(open.length).toBe(2);
    modelIncident = open.find((i) => i.cause !== null);
    refundIncident = open.find((i) => i.cause === null);
    expect([modelIncident.scope, modelIncident.cause, modelIncident.lead_rule_id]).toEqual([{ model: MODEL }, { dimension: 'model', value: MODEL, groups_judged: 6 }, 'builtin.cost_per_inference']);
    const costMembers = modelIncident.alerts.filter((m: any) => m.rule_id === 'builtin.cost_per_inference');
    expect(costMembers.map((m: any) => m.labels.agent).sort()).toEqual(modelAgents);
    expect(costMembers.every((m: any) => m.labels.model === MODEL && m.active)).toBe(true);
    // The title: the pooled change of the model's cost per call (×2 tokens → about +100%), with units.
    const m = /^cost per call of gpt-4o-mini \+(\d+)% \(\$0\.000\d+ → \$0\.000\d+\) across all 6 agents since (\d\d:\d\d) UTC$/.exec(modelIncident.title);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(70);
    expect(Number(m![1])).toBeLessThan(130);
    expect(m![2]! >= new Date(START).toISOString().slice(11, 16)).toBe(true);
    expect(modelIncident.explanation).toMatch(/^model gpt-4o-mini explains it: 6 of 6 groups with it breach, while the same agents with other models stay inside their baselines\./);
    expect([refundIncident.scope, refundIncident.severity, refundIncident.alerts.map((a: any) => a.rule_id)]).toEqual([
      { agent: 'support-1', decision: 'refund' },
      'critical',
      ['builtin.error_rate'],
    ]);
    expect(refundIncident.title).toMatch(/^error rate of support-1 × decision refund \+\d+ points \(\d\.\d% → \d+\.\d%\) since \d\d:\d\d UTC$/);
  }, 300_000);

  it('sent one signed notification per incident on each channel, and Alertmanager holds one alert per incident', async () => {
    // The opening lists every group breaching then; groups that joined later came as updates
    // (the model's p95 latency rises with its doubled output tokens), none left while it was open.
    const modelHooks = hooks(modelIncident.id);
    expect(modelHooks.map((x) => x.body.kind)).toEqual(['firing', ...modelHooks.slice(1).map(() => 'update')]);
    const notified = new Set(modelHooks.flatMap((x, i) => (i === 0 ? x.body.incident.alerts.map((a: any) => a.alert_id) : x.body.incident.joined)));
    expect([...notified].sort()).toEqual(modelIncident.alerts.map((a: any) => a.alert_id).sort());
    expect(modelHooks.flatMap((x) => x.body.incident.left)).toEqual([]);
    expect(hooks(refundIncident.id).map((x) => x.body.kind)).toEqual(['firing']);
    for (const inc of [modelIncident, refundIncident]) {
      const h = hooks(inc.id);
      const header = h[0]!.headers['x-sightline-signature'] as string;
      expect(verifySignature(SECRET, h[0]!.raw, header, { now: Number(/t=(\d+)/.exec(header)![1]) })).toEqual({ ok: true });
      expect(h[0]!.body.incident.id).toBe(inc.id);
    }
    expect(hooks().filter((h) => h.body.kind === 'firing').length).toBe(2);
    const slack = receiver.received.filter((r) => r.path === '/slack' && r.body.text.includes(' Firing: '));
    expect(slack.length).toBe(2);
    const modelSlack = slack.find((s) => s.body.text.includes(MODEL))!.body;
    expect(modelSlack.text).toBe(`:warning: Firing: Cost per inference above rolling average (model=${MODEL}) — ${hooks(modelIncident.id)[0]!.body.summary}`);
    expect(modelSlack.text).toMatch(/ — cost per call of gpt-4o-mini \+\d+% .* across (all 6|[1-5] of 6) agents since \d\d:\d\d UTC$/);
    expect(modelSlack.blocks.map((b: { type: string }) => b.type)).toEqual(['section', 'section', 'section', 'context']);
    expect(modelSlack.blocks[2].text.text).toMatch(new RegExp(`^\\*${hooks(modelIncident.id)[0]!.body.incident.alerts.length} alerts\\*\\n• Cost per inference above rolling average \\(agent=`));

    const inAm = ((await request(`${am.url}/api/v2/alerts?active=true`)).body as any[]).map((a) => a.labels).sort((a, b) => a.alertname.localeCompare(b.alertname));
    expect(inAm).toEqual([
      { alertname: 'builtin.cost_per_inference', incident: modelIncident.id, project: 'default', severity: 'warning', source: 'sightline', model: MODEL },
      { alertname: 'builtin.error_rate', incident: refundIncident.id, project: 'default', severity: 'critical', source: 'sightline', agent: 'support-1', decision: 'refund' },
    ]);
  });

  it('shows the open incidents in `sightline status`', async () => {
    const r = await runCli(['status', '--url', sightline.url], plainEnv({ NO_COLOR: '1', SIGHTLINE_API_KEY: ADMIN }));
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n').slice(5);
    const byTitle = (inc: any) => {
      const n = inc.alerts.filter((a: any) => a.active).length;
      return `        incident ${inc.severity}  ${inc.title}  (${n} alert${n === 1 ? '' : 's'})  ${inc.id}`;
    };
    expect(lines.sort()).toEqual([byTitle(modelIncident), byTitle(refundIncident)].sort());
  });

  it('keeps the incidents across a restart without notifying again; ack and silence stop the reminders', async () => {
    await sightline.stop();
    await start();
    const again = (await api('/api/incidents?status=open')).body.incidents as any[];
    expect(again.map((i) => [i.id, i.members.length, i.notified]).sort()).toEqual([modelIncident, refundIncident].map((i) => [i.id, i.members.length, true]).sort());

    const badSilence = await api(`/api/incidents/${refundIncident.id}/silence`, { body: { ends_at: 'soon' } });
    expect([badSilence.status, badSilence.body.error.message]).toEqual([400, 'ends_at: must be epoch milliseconds']);
    expect((await api('/api/incidents/inc-nope/ack', { method: 'POST' })).status).toBe(404);
    const ack = await api(`/api/incidents/${modelIncident.id}/ack`, { method: 'POST' });
    expect([ack.status, ADMIN.startsWith(ack.body.incident.acknowledged_by)]).toEqual([200, true]);
    const silence = await api(`/api/incidents/${refundIncident.id}/silence`, { body: { ends_at: END + HOUR, comment: 'known refund outage' } });
    expect([silence.status, silence.body.silence.incident_id]).toEqual([201, refundIncident.id]);

    await runUntil(END);
    // No reminder (20 min) for either; one resolution each once every member left.
    for (const inc of [modelIncident, refundIncident]) expect(hooks(inc.id).map((h) => h.body.kind).filter((k) => k !== 'update')).toEqual(['firing', 'resolved']);
    const all = (await api('/api/incidents')).body.incidents as any[];
    expect(all.map((i) => [i.id, i.status]).sort()).toEqual([modelIncident, refundIncident].map((i) => [i.id, 'resolved']).sort());
    expect((await request(`${am.url}/api/v2/alerts?active=true`)).body).toEqual([]);
    expect(receiver.received.filter((r) => r.path === '/slack' && r.body.text.startsWith(':white_check_mark: Resolved')).length).toBe(2);

    const history = (await api(`/api/incidents/history?incident_id=${modelIncident.id}`)).body.events as any[];
    expect(history.map((e) => e.kind).filter((k) => k !== 'incident_update')).toEqual(['incident_resolved', 'incident_acknowledged', 'incident_opened']);
  }, 300_000);
});
