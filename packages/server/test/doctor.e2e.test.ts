// The telemetry doctor through HTTP on both store backends: real OpenTelemetry exporters (protobuf
// and JSON) and the real JS SDK send incomplete telemetry from four sources; GET /api/doctor must
// count exactly what each left out, tell each what to set, and call a span an orphan only once its
// parent is a full grace period late. The server runs in process so its clock can be injected:
// ingest times, and so arrival figures, are exact.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace, TraceFlags, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createSightline } from '@sightline/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/cli/config.js';
import type { DoctorReport } from '../src/query/doctor/report-types.js';
import { startSightline, type RunningSightline } from '../src/server.js';
import { plainEnv, runCli } from './support/cli.js';
import { startClickHouse, type ClickHouseCluster } from './support/clickhouse.js';
import { request } from './support/http.js';

const ADMIN = 'sl_admin_doctor_e2e_0123456789abcdef';
const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const BASE = NOW - 60_000;
const OTEL_SDK_VERSION = String(defaultResource().attributes['telemetry.sdk.version']);
const CHECKOUT = 'service checkout (opentelemetry-instrumentation-openai 0.3.0)';
const BILLING = 'service billing (billing-instrumentation 1.0.0)';
const SUPPORT = 'agent support (sightline-sdk-js 0.1.0)';

async function exportSpans(url: string, format: 'protobuf' | 'json', service: string, scope: [string, string], record: (tracer: Tracer) => void): Promise<void> {
  const options = { url: `${url}/v1/traces`, headers: { authorization: `Bearer ${ADMIN}` } };
  const inner: SpanExporter = format === 'protobuf' ? new ProtoExporter(options) : new JsonExporter(options);
  const codes: number[] = [];
  const exporter: SpanExporter = {
    export: (spans, done) => inner.export(spans, (r) => (codes.push(r.code), done(r))),
    shutdown: () => inner.shutdown(),
  };
  const provider = new BasicTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': service })),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  record(provider.getTracer(...scope));
  await provider.forceFlush();
  await provider.shutdown();
  expect(codes.length).toBeGreaterThan(0);
  expect(codes.every((c) => c === 0)).toBe(true);
}

/** checkout: 10 chat calls missing model, tokens, cost or session in counted ways, and one orphan. */
function checkout(tracer: Tracer): void {
  const chat = (i: number, attributes: Record<string, string | number>) => {
    const start = BASE + i * 1_000;
    tracer
      .startSpan(`chat ${i}`, { startTime: start, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'server.address': 'api.openai.com', ...attributes } })
      .end(start + 500);
  };
  const gpt = { 'gen_ai.request.model': 'gpt-4o' };
  const tokens = { 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 20 };
  chat(1, { ...gpt, ...tokens, 'gen_ai.conversation.id': 'conv-1', 'sightline.decision': 'refund' });
  for (const i of [2, 3, 4]) chat(i, { ...gpt, ...tokens, 'gen_ai.conversation.id': `conv-${i}` });
  chat(5, { ...gpt, ...tokens, 'gen_ai.conversation.id': 'conv-5', 'gen_ai.usage.cost': 0.5 });
  chat(6, { 'gen_ai.request.model': 'acme-finetune-v1', 'gen_ai.usage.input_tokens': 50, 'gen_ai.usage.output_tokens': 5 });
  for (const i of [7, 8]) chat(i, gpt);
  for (const i of [9, 10]) chat(i, { 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 1, 'llm.request.type': 'chat' });
  // Its parent lives in a service that never exports to Sightline.
  const remote = trace.setSpanContext(context.active(), { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: TraceFlags.SAMPLED, isRemote: true });
  tracer.startSpan('fetch cart', { startTime: BASE + 20_000, attributes: { 'http.request.method': 'GET' } }, remote).end(BASE + 20_250);
}

/** billing: complete calls from a host whose clock runs 20 minutes ahead. */
function billing(tracer: Tracer): void {
  for (const i of [1, 2]) {
    const start = NOW + 20 * 60_000 + i;
    tracer
      .startSpan(`chat ${i}`, {
        startTime: start,
        attributes: {
          'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 2,
          'gen_ai.conversation.id': 'b-1', 'sightline.decision': 'charge',
        },
      })
      .end(start + 500);
  }
}

describe.each(['duckdb', 'clickhouse'] as const)('telemetry doctor on %s', (backend) => {
  let now = NOW;
  let ch: ClickHouseCluster | undefined;
  let server: RunningSightline;
  const data = mkdtempSync(join(tmpdir(), 'sightline-doctor-e2e-'));
  const doctor = async (query: string): Promise<DoctorReport> => {
    const reply = await request<DoctorReport>(`${server.url}/api/doctor?${query}`, { key: ADMIN });
    expect(reply.status).toBe(200);
    return reply.body;
  };
  const RANGE = `from=${NOW - 3_600_000}&to=${NOW + 3_600_000}`;

  beforeAll(async () => {
    let store: string | undefined;
    if (backend === 'clickhouse') {
      ch = await startClickHouse();
      store = ch.storeUrl('doctor_e2e');
    }
    const config = loadConfig({ flags: { port: 0, data, adminKey: ADMIN, ...(store && { store }), alerts: { intervalMs: 3_600_000 } } });
    server = await startSightline(config, { clock: () => now, log: () => undefined });
    await exportSpans(server.url, 'protobuf', 'checkout', ['opentelemetry-instrumentation-openai', '0.3.0'], checkout);
    await exportSpans(server.url, 'json', 'billing', ['billing-instrumentation', '1.0.0'], billing);
    // The JS SDK: four calls, one without a session, and no decision anywhere.
    const sdk = createSightline({ endpoint: server.url, apiKey: ADMIN, agentId: 'support', flushOnExit: false, logger: false });
    for (let i = 0; i < 4; i++) {
      sdk.llmCall({ timestamp: NOW - 5_000 + i, latencyMs: 100, model: 'gpt-4o', provider: 'openai', tokensInput: 300, tokensOutput: 40, ...(i < 3 && { sessionId: 's-1' }) });
    }
    await sdk.shutdown();
    expect(sdk.stats()).toMatchObject({ sent: 4, failed: 0, dropped: 0 });
    // A hand-written client (fetch): native events without an SDK mark.
    const posted = await request(`${server.url}/v1/events`, { key: ADMIN, body: [{ agent_id: 'batch-job', span_type: 'llm_call', timestamp: NOW - 2_000, latency_ms: 1_000, model: 'gpt-4o', tokens_input: 5, tokens_output: 5 }] });
    expect(posted.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await ch?.stop();
    rmSync(data, { recursive: true, force: true });
  });

  it('counts each source’s calls with model, tokens, cost (given, computed, no price), session and decision', async () => {
    const report = await doctor(`${RANGE}&grace=0s`);
    expect(report.sources.map((s) => [s.label, s.transport, s.spans, s.llm_calls, s.llm, s.decisions, s.orphans])).toEqual([
      [CHECKOUT, 'otlp', 11, 10, { with_model: 8, with_tokens: 8, cost_given: 1, cost_computed: 4, cost_no_price: 1, cost_unknown: 4, with_session: 5, with_decision: 1 }, 1, 1],
      [SUPPORT, 'native', 4, 4, { with_model: 4, with_tokens: 4, cost_given: 0, cost_computed: 4, cost_no_price: 0, cost_unknown: 0, with_session: 3, with_decision: 0 }, 0, 0],
      [BILLING, 'otlp', 2, 2, { with_model: 2, with_tokens: 2, cost_given: 0, cost_computed: 2, cost_no_price: 0, cost_unknown: 0, with_session: 2, with_decision: 2 }, 2, 0],
      ['agent batch-job', 'native', 1, 1, { with_model: 1, with_tokens: 1, cost_given: 0, cost_computed: 1, cost_no_price: 0, cost_unknown: 0, with_session: 0, with_decision: 0 }, 0, 0],
    ]);
    expect(report.sources[0]).toMatchObject({
      service: 'checkout',
      scope: { name: 'opentelemetry-instrumentation-openai', version: '0.3.0' },
      sdk: { name: 'opentelemetry', version: OTEL_SDK_VERSION },
    });
    expect(report.sources[1]).toMatchObject({ service: 'support', scope: null, sdk: { name: 'sightline-sdk-js', version: '0.1.0' } });
    expect(report.sources[3]).toMatchObject({ scope: null, sdk: null });
  });

  it('measures arrival against span end per source: late exporters and clocks running ahead', async () => {
    const report = await doctor(`${RANGE}&grace=0s`);
    expect(Object.fromEntries(report.sources.map((s) => [s.label, [s.arrival_ms, s.ended_after_arrival]]))).toEqual({
      // Ingested at NOW; chats end at BASE + i s + 0.5 s, the orphan at BASE + 20.25 s.
      [CHECKOUT]: [{ min: 39_750, median: 53_500, max: 58_500 }, 0],
      [SUPPORT]: [{ min: 4_897, median: 4_898, max: 4_900 }, 0],
      [BILLING]: [{ min: -1_200_502, median: -1_200_502, max: -1_200_501 }, 2],
      'agent batch-job': [{ min: 1_000, median: 1_000, max: 1_000 }, 0],
    });
  });

  it('lists models without a price, attributes no mapping reads, and the orphan', async () => {
    const report = await doctor(`${RANGE}&grace=0s`);
    expect(report.unpriced_models).toEqual([{ model: 'acme-finetune-v1', provider: 'openai', spans: 1, tokens_input: 50, tokens_output: 5 }]);
    expect(report.unread_attributes).toEqual([
      { source: CHECKOUT, attribute: 'server.address', spans: 10 },
      { source: CHECKOUT, attribute: 'llm.request.type', spans: 2 },
      { source: CHECKOUT, attribute: 'http.request.method', spans: 1 },
    ]);
    expect(report.orphans).toEqual({
      total: 1,
      examples: [{ service: 'checkout', trace_id: 'ab'.repeat(16), span_id: report.orphans.examples[0]!.span_id, parent_span_id: 'cd'.repeat(8), name: 'fetch cart', timestamp: BASE + 20_000 }],
    });
  });

  it('tells each source what to fix, in sentences', async () => {
    const report = await doctor(`${RANGE}&grace=0s`);
    expect(report.findings.map((f) => f.text)).toEqual([
      `50% of LLM calls from ${CHECKOUT} (5 calls of 10) have no session: set gen_ai.conversation.id (or session.id)`,
      `40% of LLM calls from ${CHECKOUT} have no cost, for want of a model or token counts to price: set gen_ai.request.model and the token counts, or set gen_ai.usage.cost`,
      `20% of LLM calls from ${CHECKOUT} (2 calls of 10) have no model: set gen_ai.request.model`,
      `20% of LLM calls from ${CHECKOUT} (2 calls of 10) have no token counts: set gen_ai.usage.input_tokens and gen_ai.usage.output_tokens`,
      `25% of LLM calls from ${SUPPORT} (1 call of 4) have no session: send session_id`,
      `100% of LLM calls from agent batch-job (1 call of 1) have no session: send session_id`,
      `2 spans from ${BILLING} ended after the server received them, by up to 20 min: its clock runs ahead; sync it with NTP`,
      `1 span from ${CHECKOUT} (9.1%) names a parent that never arrived (waited 0 ms): export the parent's service to Sightline too, or look for spans its exporter dropped`,
      'Model acme-finetune-v1 (openai) has no price, so 1 span with 55 tokens has no cost: add it under prices in the config file, or send the cost with each call',
      `Spans from ${CHECKOUT} carry attributes no mapping reads: server.address (10 spans), llm.request.type (2 spans), http.request.method (1 span); they stay plain attributes: if one holds a model, tokens, a session or a decision, send it under a name docs/otlp-mapping.md lists`,
      `No span from ${SUPPORT} records a decision (4 LLM calls in range): to see what your agent chose, send decision_made on the call that chooses`,
      'No span from agent batch-job records a decision (1 LLM call in range): to see what your agent chose, send decision_made on the call that chooses',
    ]);
  });

  it('calls a span an orphan only once its parent is a full grace period late', async () => {
    const orphans = async () => (await doctor(RANGE)).orphans.total;
    expect(await orphans()).toBe(0);
    now = NOW + 59_999;
    expect(await orphans()).toBe(0);
    now = NOW + 60_000;
    expect(await orphans()).toBe(1);
    expect((await doctor(`${RANGE}&grace=2m`)).orphans.total).toBe(0);
  });

  it('refuses bad parameters by name and other projects’ keys see nothing of this one', async () => {
    const bad = await request(`${server.url}/api/doctor?grace=soon`, { key: ADMIN });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { message: 'grace: "soon" is not a duration like 30s, 5m, 1h or 7d' } });
    const wide = await request(`${server.url}/api/doctor?range=40d`, { key: ADMIN });
    expect(wide.status).toBe(400);
    expect(await request(`${server.url}/api/doctor`)).toMatchObject({ status: 401 });
    const created = await request<{ key: string }>(`${server.url}/api/keys`, { key: ADMIN, body: { project: 'other', scopes: ['read'] } });
    expect(created.status).toBe(201);
    const other = await request<DoctorReport>(`${server.url}/api/doctor?${RANGE}`, { key: created.body.key });
    expect(other.status).toBe(200);
    expect(other.body).toMatchObject({ project: 'other', sources: [], findings: [], unpriced_models: [], unread_attributes: [], orphans: { total: 0, examples: [] } });
  });

  it('prints the same report in the terminal with `sightline doctor`, and as JSON', async () => {
    const env = plainEnv({ SIGHTLINE_API_KEY: ADMIN, NO_COLOR: '1' });
    const args = ['doctor', '--url', server.url, '--from', String(NOW - 3_600_000), '--to', String(NOW + 3_600_000), '--grace', '0s'];
    const json = await runCli([...args, '--json'], env);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(json.stdout)).toEqual(await doctor(`${RANGE}&grace=0s`));
    const text = await runCli(args, env);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(json.stdout) as DoctorReport;
    const marks = { problem: '✖', warning: '!', info: '·' };
    expect(text.stdout).toBe(
      [
        'Telemetry doctor · project default · 2026-06-01 11:00–13:00 UTC',
        '',
        'What to fix (12)',
        ...report.findings.map((f) => `  ${marks[f.severity]} ${f.text}`),
        '',
        'Sources (shares of LLM calls)',
        'source                                                         spans  LLM calls  model  tokens  cost given / computed / no price  session  decision  orphans  arrival (median)',
        'service checkout (opentelemetry-instrumentation-openai 0.3.0)  11     10         80%    80%     10% / 40% / 10%                   50%      10%       1        54 s',
        'agent support (sightline-sdk-js 0.1.0)                         4      4          100%   100%    0% / 100% / 0%                    75%      0%        0        4.9 s',
        'service billing (billing-instrumentation 1.0.0)                2      2          100%   100%    0% / 100% / 0%                    100%     100%      0        -20 min',
        'agent batch-job                                                1      1          100%   100%    0% / 100% / 0%                    0%       0%        0        1 s',
        '',
        'Models without a price',
        'model             provider  spans  tokens in  tokens out',
        'acme-finetune-v1  openai    1      50         5',
        '',
        'Attributes no mapping reads',
        'attribute            spans  source',
        'server.address       10     service checkout (opentelemetry-instrumentation-openai 0.3.0)',
        'llm.request.type     2      service checkout (opentelemetry-instrumentation-openai 0.3.0)',
        'http.request.method  1      service checkout (opentelemetry-instrumentation-openai 0.3.0)',
        '',
        'Orphan spans: 1 (parent not arrived after 0 ms)',
        '  2026-06-01T11:59:20.000Z  checkout  fetch cart  trace abababababababababababababababab  parent cdcdcdcdcdcdcdcd',
        '',
      ].join('\n'),
    );
    expect(report.findings.map((f) => f.severity)).toEqual([...Array(6).fill('problem'), ...Array(3).fill('warning'), ...Array(3).fill('info')]);
  });
});

