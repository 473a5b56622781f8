// OTLP/HTTP with real OpenTelemetry exporters (protobuf and JSON) against the real server:
// GenAI-convention and OpenInference-style agent traces are exported unmodified, then read back
// through the query API with exact values.

import { context, trace, SpanStatusCode, type Span as OtelSpan, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop({ remove: true });
});

/** Records every export result, so a refused export fails the test instead of only being logged. */
function recording(exporter: SpanExporter): SpanExporter & { results: { code: number; error?: Error }[] } {
  const results: { code: number; error?: Error }[] = [];
  return {
    results,
    export(spans: ReadableSpan[], done) {
      exporter.export(spans, (result) => {
        results.push({ code: result.code, ...(result.error && { error: result.error }) });
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}

type Format = 'protobuf' | 'json';

function providerFor(format: Format, headers: Record<string, string>, serviceName: string) {
  const options = { url: `${server.url}/v1/traces`, headers };
  const exporter = recording(format === 'protobuf' ? new ProtoExporter(options) : new JsonExporter(options));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return { provider, exporter, tracer: provider.getTracer('sightline-e2e', '1.0.0') };
}

function child(tracer: Tracer, parent: OtelSpan, name: string, attributes: Record<string, string | number | boolean>): OtelSpan {
  return tracer.startSpan(name, { attributes }, trace.setSpan(context.active(), parent));
}

/** invoke_agent → chat (tokens, cost) → execute_tool, in GenAI semantic conventions. */
function genAiTrace(tracer: Tracer): string {
  const agent = tracer.startSpan('invoke_agent triage', {
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'triage', 'gen_ai.conversation.id': 'conv-42' },
  });
  const chat = child(tracer, agent, 'chat gpt-4o', {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.response.model': 'gpt-4o-2024-08-06',
    'gen_ai.usage.input_tokens': 1200,
    'gen_ai.usage.output_tokens': 340,
    'gen_ai.usage.cache_read.input_tokens': 1000,
    'gen_ai.usage.cost': 0.00655,
    'gen_ai.agent.name': 'triage',
    'sightline.decision': 'call_tool',
    'sightline.confidence': 0.9,
  });
  chat.end();
  const tool = child(tracer, agent, 'execute_tool refund_order', {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': 'refund_order',
    'gen_ai.agent.name': 'triage',
  });
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'payment API timed out' });
  tool.setAttribute('error.type', 'timeout');
  tool.end();
  agent.end();
  return agent.spanContext().traceId;
}

/** AGENT → LLM → TOOL in OpenInference attributes. */
function openInferenceTrace(tracer: Tracer): string {
  const agent = tracer.startSpan('agent', { attributes: { 'openinference.span.kind': 'AGENT', 'session.id': 's-7', 'user.id': 'u-1' } });
  const llm = child(tracer, agent, 'ChatCompletion', {
    'openinference.span.kind': 'LLM',
    'llm.model_name': 'gpt-4o-mini',
    'llm.provider': 'openai',
    'llm.token_count.prompt': 800,
    'llm.token_count.completion': 120,
    'llm.token_count.total': 920,
    'llm.token_count.prompt_details.cache_read': 512,
    'llm.cost.total': 0.0002,
    'session.id': 's-7',
  });
  llm.end();
  const tool = child(tracer, agent, 'lookup_invoice', { 'openinference.span.kind': 'TOOL', 'tool.name': 'lookup_invoice', 'session.id': 's-7' });
  tool.end();
  agent.end();
  return agent.spanContext().traceId;
}

async function readTrace(traceId: string): Promise<Record<string, any>[]> {
  const reply = await request(`${server.url}/api/traces/${traceId}`, { key: server.adminKey });
  expect(reply.status).toBe(200);
  expect(reply.body.trace_id).toBe(traceId);
  return reply.body.spans as Record<string, any>[];
}

const byName = (spans: Record<string, any>[], name: string) => spans.find((s) => s.name === name)!;

describe.each<[Format, string]>([
  ['protobuf', 'authorization'],
  ['json', 'authorization'],
  ['protobuf', 'x-sightline-key'],
  ['json', 'x-sightline-key'],
])('OTLP/HTTP %s exporter, key in %s', (format, header) => {
  it('stores a GenAI agent trace with exact tokens, cost, model, decision and parent/child links', async () => {
    const headers: Record<string, string> = header === 'authorization' ? { authorization: `Bearer ${server.adminKey}` } : { 'x-sightline-key': server.adminKey };
    const { provider, exporter, tracer } = providerFor(format, headers, 'support-bot');
    const traceId = genAiTrace(tracer);
    await provider.forceFlush();
    await provider.shutdown();
    expect(exporter.results).toEqual([{ code: 0 }, { code: 0 }, { code: 0 }]);

    const spans = await readTrace(traceId);
    expect(spans.length).toBe(3);
    const agent = byName(spans, 'invoke_agent triage');
    const chat = byName(spans, 'chat gpt-4o');
    const tool = byName(spans, 'execute_tool refund_order');
    expect(agent).toMatchObject({ span_type: 'agent_step', agent_id: 'triage', parent_span_id: null, session_id: 'conv-42', error_type: null });
    expect(chat).toMatchObject({
      span_type: 'llm_call',
      agent_id: 'triage',
      parent_span_id: agent.span_id,
      model: 'gpt-4o-2024-08-06',
      provider: 'openai',
      tokens_input: 1200,
      tokens_output: 340,
      tokens_cache_read: 1000,
      tokens_cache_write: 0,
      cost_usd: 0.00655,
      cost_source: 'given',
      decision_made: 'call_tool',
      confidence: 0.9,
    });
    expect(chat.attributes).toMatchObject({ 'gen_ai.request.model': 'gpt-4o', 'resource.service.name': 'support-bot', 'otel.scope.name': 'sightline-e2e' });
    expect(tool).toMatchObject({
      span_type: 'tool_call',
      parent_span_id: agent.span_id,
      decision_made: 'refund_order',
      error_type: 'timeout',
      error_message: 'payment API timed out',
      tokens_input: 0,
    });
  });
});

describe.each<Format>(['protobuf', 'json'])('OpenInference attributes over %s', (format) => {
  it('maps kinds, llm.* tokens and cost, sessions and users', async () => {
    const { provider, exporter, tracer } = providerFor(format, { authorization: `Bearer ${server.adminKey}` }, 'rag-bot');
    const traceId = openInferenceTrace(tracer);
    await provider.forceFlush();
    await provider.shutdown();
    expect(exporter.results.map((r) => r.code)).toEqual([0, 0, 0]);

    const spans = await readTrace(traceId);
    const agent = byName(spans, 'agent');
    expect(agent).toMatchObject({ span_type: 'agent_step', agent_id: 'rag-bot', session_id: 's-7', user_id: 'u-1' });
    expect(byName(spans, 'ChatCompletion')).toMatchObject({
      span_type: 'llm_call',
      parent_span_id: agent.span_id,
      model: 'gpt-4o-mini',
      provider: 'openai',
      tokens_input: 800,
      tokens_output: 120,
      tokens_cache_read: 512,
      cost_usd: 0.0002,
      cost_source: 'given',
      session_id: 's-7',
    });
    expect(byName(spans, 'lookup_invoice')).toMatchObject({ span_type: 'tool_call', decision_made: 'lookup_invoice', parent_span_id: agent.span_id });
  });
});

describe('bad OTLP input over HTTP', () => {
  const post = (body: Buffer | string, contentType: string) =>
    request(`${server.url}/v1/traces`, { raw: body, key: server.adminKey, headers: { 'content-type': contentType } });

  it('answers 400 for random bytes and 415 for unknown types, and stays up', async () => {
    let seed = 99;
    const random = Buffer.from(Uint8Array.from({ length: 300 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24)));
    expect((await post(random, 'application/x-protobuf')).status).toBe(400);
    expect((await post('{}', 'text/plain')).status).toBe(415);
    expect((await post('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"abc","spanId":"0102030405060708"}]}]}]}', 'application/json')).body).toEqual({
      partialSuccess: { rejectedSpans: '1', errorMessage: '1 span rejected: span 0102030405060708: traceId "abc" must be 32 hex characters (16 bytes), got 3' },
    });
    expect((await request(`${server.url}/api/health`)).status).toBe(200);
  });
});
