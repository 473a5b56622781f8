// Attribution through the trace, end to end: the real OpenTelemetry SDK exports an OTel GenAI
// agent trace through the stock OTLP/protobuf exporter, one span per request as each span ends,
// so the `chat` and `execute_tool` children arrive before their `invoke_agent support` parent. A
// real server (in process, so its clock is injected) must show them under agent `support` and
// session `conv-1` when the parent comes within the bound (60 s), and under the resource's
// service.name when it comes later. A child naming its own agent keeps it.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace, type Span as OtelSpan, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/cli/config.js';
import { startSightline, type RunningSightline } from '../src/server.js';
import { request } from './support/http.js';

const ADMIN = 'sl_admin_attribution_e2e_0123456789abcdef';
const HOUR = 3_600_000;
/** Where the traces start: well inside the accepted clock skew, on a whole hour. */
const T = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;

describe('trace attribution over OTLP, children first', () => {
  let now = T + 10 * 60_000;
  let dataDir: string;
  let sightline: RunningSightline;
  let exports: number[] = [];
  let provider: BasicTracerProvider;
  let tracer: Tracer;

  const api = (path: string) => request(`${sightline.url}${path}`, { key: ADMIN });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sightline-attribution-'));
    sightline = await startSightline(loadConfig({ flags: { port: 0, data: dataDir, adminKey: ADMIN } }), { clock: () => now, log: () => undefined });
    const exporter = new OTLPTraceExporter({ url: `${sightline.url}/v1/traces`, headers: { authorization: `Bearer ${ADMIN}` } });
    const counted: SpanExporter = {
      export(spans: ReadableSpan[], done) {
        exporter.export(spans, (r) => {
          exports.push(r.code);
          done(r);
        });
      },
      shutdown: () => exporter.shutdown(),
    };
    provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'support-svc' }), spanProcessors: [new SimpleSpanProcessor(counted)] });
    tracer = provider.getTracer('attribution-e2e', '1.0.0');
  });

  afterAll(async () => {
    await provider?.shutdown();
    await sightline?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const under = (parent: OtelSpan, name: string, start: number, attributes: Record<string, string | number>) =>
    tracer.startSpan(name, { startTime: start, attributes }, trace.setSpan(context.active(), parent));

  /**
   * invoke_agent support → chat, → execute_tool lookup_order → chat (inner), → chat naming agent
   * `billing`. The children end and are exported (one request each) first; the root `gapMs` later
   * on the server's clock.
   */
  async function agentTrace(start: number, gapMs: number): Promise<string> {
    const root = tracer.startSpan('invoke_agent support', {
      startTime: start,
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support', 'gen_ai.conversation.id': 'conv-1', 'user.id': 'u-9' },
    });
    const chat = under(root, 'chat gpt-4o', start + 5, { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 200 });
    chat.end(start + 805);
    const tool = under(root, 'execute_tool lookup_order', start + 810, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_order' });
    const inner = under(tool, 'chat gpt-4o-mini', start + 815, { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 300, 'gen_ai.usage.output_tokens': 20 });
    inner.end(start + 900);
    tool.end(start + 950);
    const billing = under(root, 'chat gpt-4o', start + 960, { 'gen_ai.operation.name': 'chat', 'gen_ai.agent.name': 'billing', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 50, 'gen_ai.usage.output_tokens': 5 });
    billing.end(start + 990);
    await provider.forceFlush();
    expect(exports).toEqual([0, 0, 0, 0]);
    now += gapMs;
    root.end(start + 1000);
    await provider.forceFlush();
    expect(exports).toEqual([0, 0, 0, 0, 0]);
    exports = [];
    return root.spanContext().traceId;
  }

  /** name → [agent, session, user] of each span of the trace, read back through the API. */
  async function attributed(traceId: string): Promise<Record<string, [string, string | null, string | null]>> {
    const r = await api(`/api/traces/${traceId}`);
    expect(r.status).toBe(200);
    const spans = r.body.spans as { name: string; agent_id: string; session_id: string | null; user_id: string | null; model: string | null }[];
    return Object.fromEntries(spans.map((s) => [`${s.name}${s.model === 'gpt-4o' && s.agent_id === 'billing' ? ' (billing)' : ''}`, [s.agent_id, s.session_id, s.user_id]]));
  }

  it('gives children their ancestor agent, session and user when it arrives within 60 s, keeps an explicit agent, and falls back after', async () => {
    const inside = await agentTrace(T, 59_000);
    expect(await attributed(inside)).toEqual({
      'invoke_agent support': ['support', 'conv-1', 'u-9'],
      'chat gpt-4o': ['support', 'conv-1', 'u-9'],
      'execute_tool lookup_order': ['support', 'conv-1', 'u-9'],
      'chat gpt-4o-mini': ['support', 'conv-1', 'u-9'],
      'chat gpt-4o (billing)': ['billing', 'conv-1', 'u-9'],
    });

    const outside = await agentTrace(T + 10 * 60_000, 61_000);
    expect(await attributed(outside)).toEqual({
      'invoke_agent support': ['support', 'conv-1', 'u-9'],
      'chat gpt-4o': ['support-svc', null, null],
      'execute_tool lookup_order': ['support-svc', null, null],
      'chat gpt-4o-mini': ['support-svc', null, null],
      'chat gpt-4o (billing)': ['billing', null, null],
    });

    // Per-agent rollups (what the agent pages, overview and per-agent alerts read) agree.
    const series = await api(`/api/timeseries?metric=count&group_by=agent&from=${T}&to=${T + HOUR}&interval=1h`);
    expect(series.status).toBe(200);
    const counts = Object.fromEntries((series.body.series as { group: string; points: [number, number][] }[]).map((s) => [s.group, s.points.reduce((n, p) => n + p[1], 0)]));
    expect(counts).toEqual({ support: 5, billing: 2, 'support-svc': 3 });
    const tokens = await api(`/api/timeseries?metric=tokens_input&group_by=agent&from=${T}&to=${T + HOUR}&interval=1h`);
    const input = Object.fromEntries((tokens.body.series as { group: string; points: [number, number][] }[]).map((s) => [s.group, s.points.reduce((n, p) => n + p[1], 0)]));
    expect(input).toEqual({ support: 1300, billing: 100, 'support-svc': 1300 });
    const bySupport = await api(`/api/traces?agent=support-svc&from=${T}&to=${T + HOUR}`);
    expect(bySupport.body.traces.map((t: { trace_id: string }) => t.trace_id)).toEqual([outside]);
  });
});
