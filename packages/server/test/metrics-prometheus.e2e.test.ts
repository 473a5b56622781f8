// /metrics as Prometheus sees it: access control, `promtool check metrics` on the real output, and
// a real Prometheus (Debian's package) scraping Sightline with a bearer token, queried with PromQL.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const SCRAPE_TOKEN = 'scrape_token_for_tests_0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** 6 spans: 2 agents; input tokens 100+200+300 (bot-a) and 1000×3 (bot-b); 1 + 2 errors. */
function events(now: number) {
  const base = { span_type: 'llm_call', model: 'gpt-4o', latency_ms: 250, tokens_output: 7 };
  return [
    { ...base, timestamp: now - 3000, agent_id: 'bot-a', tokens_input: 100 },
    { ...base, timestamp: now - 2000, agent_id: 'bot-a', tokens_input: 200, error_type: 'timeout' },
    { ...base, timestamp: now - 1000, agent_id: 'bot-a', tokens_input: 300 },
    { ...base, timestamp: now - 3000, agent_id: 'bot-b', tokens_input: 1000, error_type: 'rate_limit' },
    { ...base, timestamp: now - 2000, agent_id: 'bot-b', tokens_input: 1000, error_message: 'tool failed' },
    { ...base, timestamp: now - 1000, agent_id: 'bot-b', tokens_input: 1000, latency_ms: 3000 },
  ];
}

describe('/metrics', () => {
  let server: RunningServer;
  let readKey: string;
  let ingestKey: string;

  beforeAll(async () => {
    // Alert ticks only when the test asks for one, so evaluation counts are exact.
    const cfg = join(mkdtempSync(join(tmpdir(), 'sightline-metrics-cfg-')), 'c.json');
    writeFileSync(cfg, JSON.stringify({ alerts: { intervalMs: 3_600_000 } }));
    server = await startServer({ env: { SIGHTLINE_METRICS_TOKEN: SCRAPE_TOKEN }, args: ['--config', cfg] });
    const mk = async (scopes: string[], project = 'default') =>
      (await request(`${server.url}/api/keys`, { key: server.adminKey, body: { scopes, project } })).body.key as string;
    readKey = await mk(['read']);
    ingestKey = await mk(['ingest']);
    const otherRead = await mk(['read'], 'other');
    expect(otherRead).toMatch(/^sl_/);
    const r = await request(`${server.url}/v1/events`, { key: ingestKey, body: [...events(Date.now()), { agent_id: '' }] });
    expect(r.body).toMatchObject({ accepted: 6, rejected_events: 1 });
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  it('needs a read key or the scrape token', async () => {
    expect((await request(`${server.url}/metrics`)).status).toBe(401);
    expect((await request(`${server.url}/metrics`, { key: 'sl_wrong_token_0123456789' })).status).toBe(401);
    expect((await request(`${server.url}/metrics`, { key: ingestKey })).status).toBe(403);
    const read = await request<string>(`${server.url}/metrics`, { key: readKey });
    expect(read.status).toBe(200);
    expect(read.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(read.body).toContain('sightline_agent_spans_total{project="default",agent="bot-a",model="gpt-4o",span_type="llm_call"} 3\n');
  });

  it("shows another project's key none of default's agent series", async () => {
    const other = (await request(`${server.url}/api/keys`, { key: server.adminKey, body: { scopes: ['read'], project: 'other' } })).body.key as string;
    const text = (await request<string>(`${server.url}/metrics`, { key: other })).body;
    expect(text.split('\n').filter((l) => l.includes('project="default"'))).toEqual([]);
    // Nor instance-wide health series: how much the whole instance ingests is not its business.
    expect(text).not.toContain('sightline_ingest_spans_total');
    expect(text).not.toContain('sightline_http_requests_total');
    const all = (await request<string>(`${server.url}/metrics`, { key: server.adminKey })).body;
    expect(all).toContain('sightline_ingest_spans_total 6\n');
  });

  it('labels GET API routes by their route pattern, never "unmatched"', async () => {
    expect((await request(`${server.url}/api/overview?range=1h`, { key: readKey })).status).toBe(200);
    // An unknown trace: the route answered (404), so it is counted under its pattern.
    expect((await request(`${server.url}/api/traces/abc123`, { key: readKey })).status).toBe(404);
    expect((await request(`${server.url}/api/no-such-route`, { key: readKey })).status).toBe(404);
    const text = (await request<string>(`${server.url}/metrics`, { key: SCRAPE_TOKEN })).body;
    const http = (route: string) => text.split('\n').filter((l) => l.startsWith(`sightline_http_requests_total{route="${route}",method="GET"`));
    expect(http('/api/overview')).toEqual(['sightline_http_requests_total{route="/api/overview",method="GET",code="200"} 1']);
    expect(http('/api/traces/:id')).toEqual(['sightline_http_requests_total{route="/api/traces/:id",method="GET",code="404"} 1']);
    expect(http('unmatched')).toEqual(['sightline_http_requests_total{route="unmatched",method="GET",code="404"} 1']);
  });

  it("shows instance-wide status figures only to the instance admin, a project's own to its read key", async () => {
    const admin = (await request(`${server.url}/api/status`, { key: server.adminKey })).body;
    expect(admin.store.spans).toBe(6);
    expect(admin.store.bytes).toBeGreaterThan(0);
    expect(admin.ingest.queued_spans).toBe(0);
    const other = (await request(`${server.url}/api/keys`, { key: server.adminKey, body: { scopes: ['read'], project: 'other' } })).body.key as string;
    const scoped = (await request(`${server.url}/api/status`, { key: other })).body;
    expect({ store: scoped.store, ingest: scoped.ingest, live_clients: scoped.live_clients }).toEqual({
      store: { kind: 'duckdb', spans: 0, bytes: null },
      ingest: { queued_spans: null, spans_per_s: null },
      live_clients: 0,
    });
    expect((await request(`${server.url}/api/status`, { key: readKey })).body.store).toEqual({ kind: 'duckdb', spans: 6, bytes: null });
  });

  it('passes promtool check metrics and counts rejects by reason', async () => {
    const text = (await request<string>(`${server.url}/metrics`, { key: SCRAPE_TOKEN })).body;
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: check.status, out: check.stdout + check.stderr }).toEqual({ status: 0, out: '' });
    expect(text).toContain('sightline_ingest_rejected_events_total{reason="agent_id"} 1\n');
    expect(text).toContain('sightline_agent_errors_total{project="default",agent="bot-b",model="gpt-4o",span_type="llm_call"} 2\n');
    expect(text).toContain('gen_ai_client_operation_duration_seconds_bucket{le="2.56",project="default",agent="bot-b",model="gpt-4o",span_type="llm_call"} 2\n');
  });

  it('counts alert evaluations as the engine reports them', async () => {
    const before = (await request<string>(`${server.url}/metrics`, { key: SCRAPE_TOKEN })).body;
    const count = (text: string) => Number(/^sightline_alert_evaluations_total (\d+)$/m.exec(text)?.[1]);
    const tick = await request(`${server.url}/api/alerts/evaluate`, { method: 'POST', key: server.adminKey });
    expect(tick.status).toBe(200);
    expect(tick.body.evaluated).toBeGreaterThan(0);
    const after = (await request<string>(`${server.url}/metrics`, { key: SCRAPE_TOKEN })).body;
    expect(count(after) - count(before)).toBe(tick.body.evaluated);
    expect(after).toMatch(/^sightline_alerts_firing 0$/m);
  });

  describe('scraped by a real Prometheus', () => {
    let prometheus: ChildProcess;
    let promUrl: string;
    let dir: string;
    let log = '';

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sightline-prom-'));
      const port = await freePort();
      promUrl = `http://127.0.0.1:${port}`;
      writeFileSync(
        join(dir, 'prometheus.yml'),
        [
          'global: { scrape_interval: 1s, evaluation_interval: 1s }',
          'scrape_configs:',
          '  - job_name: sightline',
          '    scrape_interval: 1s',
          `    authorization: { type: Bearer, credentials: ${SCRAPE_TOKEN} }`,
          `    static_configs: [{ targets: ['127.0.0.1:${server.port}'] }]`,
          '',
        ].join('\n'),
      );
      prometheus = spawn(
        'prometheus',
        [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      prometheus.stdout!.on('data', (d: Buffer) => (log += d.toString()));
      prometheus.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    });
    afterAll(async () => {
      if (prometheus && prometheus.exitCode === null) {
        const exited = new Promise((r) => prometheus.once('exit', r));
        prometheus.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    });

    /** Polls an instant PromQL query until it returns a sample (scrapes run every second). */
    async function promql(query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
      const deadline = Date.now() + 45_000;
      let last = '';
      while (Date.now() < deadline) {
        try {
          const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
          const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
          last = JSON.stringify(body);
          if (body.status === 'success' && body.data.result.length > 0) return body.data.result;
        } catch (err) {
          last = String(err);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`no result for ${query}: ${last}\n${log}`);
    }

    it('answers PromQL with the token and error counts that were ingested', async () => {
      expect((await promql('up{job="sightline"} == 1'))[0]!.value[1]).toBe('1');
      const input = await promql('sum by (agent) (sightline_agent_tokens_total{token_type="input"})');
      expect(Object.fromEntries(input.map((r) => [r.metric.agent, r.value[1]]))).toEqual({ 'bot-a': '600', 'bot-b': '3000' });
      expect((await promql('sum(sightline_agent_errors_total)'))[0]!.value[1]).toBe('3');
      expect((await promql('sum(gen_ai_client_token_usage_sum{token_type="output"})'))[0]!.value[1]).toBe('42');
      expect((await promql('sum(gen_ai_client_operation_duration_seconds_count)'))[0]!.value[1]).toBe('6');
    });
  });
});
