// The MCP server end to end, driven by the official SDK's own client: over streamable HTTP at /mcp
// on a real server, and over stdio through `sightline mcp` (the built CLI) talking to that server's
// API. Exact answers from known spans; auth failures; an oversized answer cut with a note.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/cli/config.js';
import { startSightline, type RunningSightline } from '../src/server.js';
import { CLI } from './support/cli.js';
import { request } from './support/http.js';

const MINUTE = 60_000;
/** The server's clock: fixed, so times in answers are exact. */
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const T = NOW - 4 * MINUTE;
const ADMIN = 'sl_admin_mcp_e2e_0123456789abcdef';

const CHECKOUT = [
  { timestamp: T, trace_id: 'checkout-1', span_id: 'root', span_type: 'agent_step', name: 'handle ticket', latency_ms: 3200 },
  {
    timestamp: T + 10, trace_id: 'checkout-1', span_id: 'plan', parent_span_id: 'root', span_type: 'llm_call', name: 'plan', model: 'gpt-4o',
    latency_ms: 640, tokens_input: 500, tokens_output: 40, cost_usd: 0.004,
    input: `Customer asks for a REFUND of order 1234. ${'They write at length about the parcel. '.repeat(6)}`, output: 'Plan: look up the order',
  },
  { timestamp: T + 700, trace_id: 'checkout-1', span_id: 'route', parent_span_id: 'root', span_type: 'decision', name: 'route', decision_made: 'refund', confidence: 0.82, latency_ms: 3 },
  {
    timestamp: T + 710, trace_id: 'checkout-1', span_id: 'lookup', parent_span_id: 'route', span_type: 'tool_call', name: 'lookup_order',
    latency_ms: 1200, error_type: 'timeout', error_message: 'upstream timed out',
  },
  { timestamp: T + 1950, trace_id: 'checkout-1', span_id: 'answer', parent_span_id: 'root', span_type: 'llm_call', name: 'answer', model: 'gpt-4o', latency_ms: 1180, tokens_input: 900, tokens_output: 200, cost_usd: 0.0125 },
].map((s) => ({ agent_id: 'support-bot', ...s }));

/** Two days earlier support-bot decided "answer": its baseline, against which "refund" is new. */
const BASELINE = { timestamp: NOW - 2 * 86_400_000, agent_id: 'support-bot', trace_id: 'old-1', span_id: 'd', span_type: 'decision', decision_made: 'answer', latency_ms: 2 };

/** 20 one-span support-bot traces in the last 5 minutes, every other one failed: an error rate of 50%. */
const SUPPORT = Array.from({ length: 20 }, (_, i) => ({
  timestamp: NOW - 4 * MINUTE + 1000 * (i + 5), agent_id: 'support-bot', trace_id: `support-${i}`, span_id: 's', span_type: 'llm_call', name: 'reply',
  model: 'gpt-4o-mini', latency_ms: 200 + i, ...(i % 2 === 1 && { error_type: 'rate_limit', error_message: 'slow down' }),
}));

/** The hour before: gpt-4o-mini answers without errors, 12 per 5 minutes (the correlation baseline). */
const WARM = Array.from({ length: 144 }, (_, i) => ({
  timestamp: NOW - 2 * 3_600_000 + i * 25_000, agent_id: 'warm-bot', trace_id: `warm-${i}`, span_id: 'w', span_type: 'tool_call', name: 'reply',
  model: 'gpt-4o-mini', latency_ms: 200,
}));

/** 150 batch traces with long names: more than one answer holds. */
const BATCH = Array.from({ length: 150 }, (_, i) => ({
  timestamp: NOW - 50 * MINUTE + i * 1000, agent_id: 'batch-bot', trace_id: `batch-${String(i).padStart(3, '0')}`, span_id: 'b', span_type: 'agent_step',
  name: `summarise document ${i} of the nightly batch run for the archive`, latency_ms: 1500,
}));

const ALERT_RULE = {
  id: 'support-errors', name: 'Support bot failing', metric: 'error_rate', filter: { agent: 'support-bot' }, windowMs: 5 * MINUTE,
  condition: { type: 'above', value: 0.2 }, minSamples: 5, minBaselineSamples: 0, forEvaluations: 1, severity: 'critical',
};

type ToolResult = { content: { type: string; text: string }[]; structuredContent?: Record<string, any>; isError?: boolean };
const textOf = (r: unknown) => (r as ToolResult).content.map((c) => c.text).join('\n');

describe('MCP server', () => {
  let server: RunningSightline;
  let dir: string;
  let readKey: string;
  let ingestKey: string;
  const clients: Client[] = [];

  async function httpClient(key?: string): Promise<Client> {
    const client = new Client({ name: 'mcp-e2e', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), key === undefined ? {} : { requestInit: { headers: { authorization: `Bearer ${key}` } } });
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sightline-mcp-'));
    const config = loadConfig({ flags: { port: 0, data: dir, adminKey: ADMIN, limits: { captureContent: true } } });
    server = await startSightline(config, { clock: () => NOW, log: () => undefined });
    const mk = async (scopes: string[]) => (await request(`${server.url}/api/keys`, { key: ADMIN, body: { scopes } })).body.key as string;
    [readKey, ingestKey] = await Promise.all([mk(['read']), mk(['ingest'])]);
    const r = await request(`${server.url}/v1/events`, { key: ADMIN, body: [BASELINE, ...WARM, ...CHECKOUT, ...SUPPORT, ...BATCH] });
    expect(r.body).toMatchObject({ accepted: 1 + WARM.length + CHECKOUT.length + SUPPORT.length + BATCH.length, rejected_events: 0 });
    expect((await request(`${server.url}/api/alerts/rules`, { key: ADMIN, body: ALERT_RULE })).status).toBe(201);
    expect((await request(`${server.url}/api/alerts/evaluate`, { key: ADMIN, method: 'POST' })).status).toBe(200);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists its tools and the trace resource template over HTTP', async () => {
    const client = await httpClient(readKey);
    expect(client.getServerVersion()).toMatchObject({ name: 'sightline' });
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual([
      'overview', 'search_traces', 'get_trace', 'alerts', 'doctor', 'insight_regressions', 'insight_paths', 'insight_cohorts',
      'insight_decisions', 'insight_tokens', 'insight_correlations', 'timeseries',
    ]);
    expect((await client.listResourceTemplates()).resourceTemplates).toEqual([
      { name: 'trace', title: 'A trace', uriTemplate: 'sightline://traces/{trace_id}', description: 'Every span of a trace in full (prompts and outputs too), as JSON', mimeType: 'application/json' },
    ]);
  });

  it('gets a trace as a tree with its errors, slowest and costliest spans, content folded', async () => {
    const client = await httpClient(readKey);
    const r = (await client.callTool({ name: 'get_trace', arguments: { trace_id: 'checkout-1' } })) as ToolResult;
    expect(r.isError).toBeUndefined();
    expect(textOf(r)).toBe(
      [
        'Trace checkout-1 · agent support-bot · started 2026-01-15 11:56:00 UTC · 3.20 s · 5 spans · 1 error · $0.0165 · 1,640 tokens',
        'Decisions: refund',
        'Errors (1):',
        '  [lookup] tool_call "lookup_order"  1.20 s  ✗ timeout: upstream timed out',
        'Slowest: [root] agent_step "handle ticket" 3.20 s; [lookup] tool_call "lookup_order" 1.20 s; [answer] llm_call "answer" 1.18 s',
        'Costliest: [answer] llm_call "answer" $0.0125; [plan] llm_call "plan" $0.004',
        'Tree:',
        '- [root] agent_step "handle ticket"  3.20 s',
        '  - [plan] llm_call "plan"  gpt-4o  640 ms  $0.004  540 tokens',
        `      input: "Customer asks for a REFUND of order 1234. They write at length about the parcel. They write at length about the parcel.…" (276 characters; all of it in sightline://traces/checkout-1)`,
        '      output: "Plan: look up the order"',
        '  - [route] decision "route"  3 ms  → refund (confidence 0.82)',
        '    - [lookup] tool_call "lookup_order"  1.20 s  ✗ timeout: upstream timed out',
        '  - [answer] llm_call "answer"  gpt-4o  1.18 s  $0.0125  1,100 tokens',
      ].join('\n'),
    );
    expect(r.structuredContent).toMatchObject({
      trace_id: 'checkout-1', uri: 'sightline://traces/checkout-1', span_count: 5, error_count: 1, duration_ms: 3200, tokens: 1640,
      error_span_ids: ['lookup'], slowest_span_ids: ['root', 'lookup', 'answer'], costliest_span_ids: ['answer', 'plan'],
    });
    expect(r.structuredContent!.spans.map((s: { span_id: string; depth: number }) => [s.span_id, s.depth])).toEqual([['root', 0], ['plan', 1], ['route', 1], ['lookup', 2], ['answer', 1]]);
    expect(r.structuredContent!.cost_usd).toBeCloseTo(0.0165, 10);

    const resource = await client.readResource({ uri: 'sightline://traces/checkout-1' });
    const body = JSON.parse((resource.contents[0] as { text: string }).text) as { spans: { span_id: string; input: string | null }[] };
    expect(body.spans.map((s) => s.span_id)).toEqual(['root', 'plan', 'route', 'lookup', 'answer']);
    expect(body.spans[1]!.input).toBe(CHECKOUT[1]!.input);

    const missing = (await client.callTool({ name: 'get_trace', arguments: { trace_id: 'nope' } })) as ToolResult;
    expect({ isError: missing.isError, text: textOf(missing) }).toEqual({ isError: true, text: 'Sightline answered 404: trace nope not found' });
  });

  it('searches traces by agent, errors and text', async () => {
    const client = await httpClient(readKey);
    const text = (await client.callTool({ name: 'search_traces', arguments: { text: 'refund' } })) as ToolResult;
    expect(textOf(text)).toBe(
      [
        '1 trace, newest first (range=24h, text=refund, limit=20):',
        '- checkout-1  2026-01-15 11:56:00 UTC  support-bot  "handle ticket"  3.20 s  5 spans  1 error  $0.0165  1,640 tokens  decisions: refund',
        'Open one with get_trace (trace_id), or read sightline://traces/{trace_id}.',
      ].join('\n'),
    );
    const failing = (await client.callTool({ name: 'search_traces', arguments: { agent: 'support-bot', errors_only: true, limit: 3 } })) as ToolResult;
    expect(failing.structuredContent!.traces.map((t: { trace_id: string }) => t.trace_id)).toEqual(['support-19', 'support-17', 'support-15']);
    expect(textOf(failing).split('\n')[1]).toBe('- support-19  2026-01-15 11:56:24 UTC  support-bot  "reply"  219 ms  1 span  1 error  $0  0 tokens');
  });

  it('cuts an oversized answer at whole items and says what was left out and how to narrow it', async () => {
    const client = await httpClient(readKey);
    const r = (await client.callTool({ name: 'search_traces', arguments: { agent: 'batch-bot', limit: 200 } })) as ToolResult;
    const text = textOf(r);
    const shown = r.structuredContent!.traces.map((t: { trace_id: string }) => t.trace_id) as string[];
    expect(text.length).toBeLessThanOrEqual(8_000);
    expect(shown.length).toBeGreaterThan(10);
    expect(shown).toEqual(BATCH.slice(-shown.length).reverse().map((t) => t.trace_id));
    expect(r.structuredContent!.left_out).toBe(150 - shown.length);
    const lines = text.split('\n');
    expect(lines).toHaveLength(shown.length + 2);
    expect(lines[0]).toBe('150 traces, newest first (range=24h, agent=batch-bot, limit=200):');
    expect(lines.slice(1, -1).map((l) => l.split('  ')[0])).toEqual(shown.map((id) => `- ${id}`));
    expect(lines.at(-1)).toBe(
      `… ${150 - shown.length} more traces left out to keep this answer under 8,000 characters; to see them, pass agent, decision, errors_only or text, a shorter range, or a smaller limit.`,
    );
  });

  it('shows a firing alert with its evidence in units', async () => {
    const client = await httpClient(readKey);
    const r = (await client.callTool({ name: 'alerts', arguments: {} })) as ToolResult;
    expect(textOf(r)).toBe(
      [
        '1 firing alert:',
        '- [critical] Support bot failing (firing, rule support-errors, alert ' + r.structuredContent!.alerts[0].id + ')',
        '  since 2026-01-15 12:00:00 UTC (0 ms ago), last evaluated 2026-01-15 12:00:00 UTC',
        '  evidence: error_rate 44.0% vs baseline n/a, threshold 20.0%; 25 samples in the last 5 min 00 s (baseline 0)',
        '  example traces (get_trace): support-19, support-17, support-15',
        `  dashboard: /traces?from=${NOW - 20 * MINUTE}&to=${NOW}&agent=support-bot&errors=1`,
      ].join('\n'),
    );
    expect(r.structuredContent!.alerts).toMatchObject([{ rule_id: 'support-errors', severity: 'critical', status: 'firing', value: 0.44 }]);
  });

  it('answers each insight and a bounded time series with units', async () => {
    const client = await httpClient(readKey);
    const decisions = textOf(await client.callTool({ name: 'insight_decisions', arguments: { range: '1h' } }));
    expect(decisions.split('\n').slice(0, 2)).toEqual([
      'Decisions, 2026-01-15 11:00:00 UTC – 2026-01-15 12:00:00 UTC (baseline 2026-01-08 00:00:00 UTC – 2026-01-15 11:00:00 UTC):',
      'New decisions: support-bot chose "refund" 1× (first at 2026-01-15 11:56:00 UTC).',
    ]);
    const paths = textOf(await client.callTool({ name: 'insight_paths', arguments: { range: '1h', agent: 'support-bot' } }));
    expect(paths.split('\n')).toEqual([
      'Cost by decision path, 2026-01-15 11:00:00 UTC – 2026-01-15 12:00:00 UTC: 21 traces, $0.0165, 11 traces with errors.',
      '- refund: 1 trace (4.8%), $0.0165 (100.0% of spend, $0.0165 per trace), error rate 100.0%, p95 3.45 s, agents support-bot',
      '- (no decision): 20 traces (95.2%), $0 (0.0% of spend, $0 per trace), error rate 50.0%, p95 256 ms, agents support-bot',
    ]);
    expect(decisions.split('\n')[2]).toBe('- support-bot (entropy 0.00 bits, +0.00 vs baseline): refund 100.0% (baseline 0.0%, confidence 0.82)');
    const tokens = textOf(await client.callTool({ name: 'insight_tokens', arguments: { range: '1h' } }));
    expect(tokens).toBe(
      [
        'Token efficiency by agent, 2026-01-15 11:00:00 UTC – 2026-01-15 12:00:00 UTC vs 2026-01-15 05:00:00 UTC – 2026-01-15 11:00:00 UTC:',
        '- support-bot: 25 calls, 1,400 tokens in / 240 tokens out, output per input 0.17, cache hits 0.0%, $0.0165, 164 tokens and $0.00165 per successful trace',
      ].join('\n'),
    );
    const correlations = textOf(await client.callTool({ name: 'insight_correlations', arguments: { range: '1h' } }));
    expect(correlations).toBe(
      'Correlated anomalies, 2026-01-15 11:00:00 UTC – 2026-01-15 12:00:00 UTC (5 min buckets, baseline 2026-01-15 10:00:00 UTC – 2026-01-15 11:00:00 UTC): 0 findings (anomalies that moved together), 2 anomalies.\n' +
        '- anomaly: error rate of model gpt-4o-mini rose 0.0% → 50.0% (p<0.001)\n' +
        '- anomaly: p95 latency of model gpt-4o-mini +45 ms (212 ms → 256 ms, 5.8σ)',
    );
    for (const name of ['insight_regressions', 'insight_cohorts', 'insight_tokens', 'insight_correlations']) {
      const r = (await client.callTool({ name, arguments: { range: '1h' } })) as ToolResult;
      expect({ name, isError: r.isError ?? false }).toEqual({ name, isError: false });
    }
    const series = (await client.callTool({ name: 'timeseries', arguments: { metric: 'count', range: '1h', group_by: 'agent' } })) as ToolResult;
    const lines = textOf(series).split('\n');
    expect(lines[0]).toBe('spans per 1 min, 2026-01-15 11:00:00 UTC – 2026-01-15 12:00:00 UTC (times UTC, values in the unit named):');
    expect(lines[1]).toBe('- batch-bot: min 0 spans, max 60 spans at 11:10, last 0 spans');
    expect(lines[2]!.split(' · ')).toHaveLength(60);
    expect(series.structuredContent!.series.map((s: { group: string }) => s.group)).toEqual(['batch-bot', 'support-bot']);
    const bad = (await client.callTool({ name: 'timeseries', arguments: { metric: 'count', range: '90d' } })) as ToolResult;
    expect({ isError: bad.isError, text: textOf(bad) }).toEqual({ isError: true, text: 'Sightline answered 400: range: 90d needs more than 60 daily points; ask for at most 60d' });
  });

  it("answers the telemetry doctor's findings, the same sentences as GET /api/doctor", async () => {
    const client = await httpClient(readKey);
    const api = await request(`${server.url}/api/doctor?range=24h`, { key: readKey });
    expect(api.status).toBe(200);
    const findings = api.body.findings as { severity: string; text: string }[];
    expect(findings.length).toBeGreaterThan(0);
    const r = (await client.callTool({ name: 'doctor', arguments: { range: '24h' } })) as ToolResult;
    const lines = textOf(r).split('\n');
    expect(lines[0]).toMatch(/^The telemetry doctor, .* UTC – .* UTC, \d+ sources?, most urgent first:$/);
    expect(lines.slice(1)).toEqual(findings.map((f) => `- [${f.severity}] ${f.text}`));
    expect((r.structuredContent as { findings: unknown[] }).findings).toEqual(findings);
  });

  it('refuses a request without a key (401), a key without the read scope (403), and GET (405: stateless, no event stream)', async () => {
    await expect(httpClient()).rejects.toMatchObject({ code: 401 });
    await expect(httpClient(ingestKey)).rejects.toMatchObject({ code: 403, message: expect.stringContaining('lacks the \\"read\\" scope') });
    const raw = await request(`${server.url}/mcp`, { key: ingestKey, body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } });
    expect(raw).toMatchObject({ status: 403, body: { error: { code: 'forbidden', message: 'this API key lacks the "read" scope (it has: ingest)' } } });
    const get = await request(`${server.url}/mcp`, { key: readKey, headers: { accept: 'text/event-stream' } });
    expect(get).toMatchObject({ status: 405, body: { error: { message: 'GET /mcp: this MCP endpoint is stateless and offers no event stream; send JSON-RPC requests with POST' } } });
    expect(get.headers.get('allow')).toBe('POST, DELETE');
    const none = await request(`${server.url}/mcp`, { body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } });
    expect(none).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated', message: 'missing API key: send "Authorization: Bearer <key>"' } } });
  });

  it('serves the same tools over stdio through `sightline mcp`, reading the server over HTTP', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp', '--url', server.url],
      env: { PATH: process.env.PATH ?? '', SIGHTLINE_API_KEY: readKey },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'mcp-e2e-stdio', version: '1.0.0' });
    await client.connect(transport);
    clients.push(client);
    expect((await client.listTools()).tools).toHaveLength(12);
    const viaStdio = await client.callTool({ name: 'get_trace', arguments: { trace_id: 'checkout-1' } });
    const viaHttp = await (await httpClient(readKey)).callTool({ name: 'get_trace', arguments: { trace_id: 'checkout-1' } });
    expect(viaStdio).toEqual(viaHttp);
    const resource = await client.readResource({ uri: 'sightline://traces/checkout-1' });
    expect(JSON.parse((resource.contents[0] as { text: string }).text).spans).toHaveLength(5);
  });

  it('stdio: a wrong key stops `sightline mcp` at once with the reason on stderr', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp', '--url', server.url, '--key', 'sl_not_a_key'],
      env: { PATH: process.env.PATH ?? '' },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => (transport.onclose = resolve));
    const client = new Client({ name: 'mcp-e2e-bad', version: '1.0.0' });
    await expect(client.connect(transport)).rejects.toThrow();
    await exited;
    expect(stderr).toBe(`sightline: mcp: ${server.url} answered 401 with this key: invalid API key\n`);
  });
});
