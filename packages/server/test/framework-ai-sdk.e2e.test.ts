// The Vercel AI SDK (`ai`, its own mock models from `ai/test`, no network) with telemetry on,
// exported by the stock OTLP exporters into the real server and read back through the API:
// roots, model calls, tool calls and embeddings get their span types, parents, model, tokens
// (the root's usage is never added a second time), cost, tool name, agent and session.

import { context, trace } from '@opentelemetry/api';
import { embed, embedMany, generateObject, generateText, simulateReadableStream, stepCountIs, streamText, tool } from 'ai';
import { MockEmbeddingModelV3, MockLanguageModelV3 } from 'ai/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { request } from './support/http.js';
import { byName, exportingTracer, readTrace, traceTotals, type ExportingTracer, type OtlpFormat } from './support/otlp-export.js';
import { startServer, type RunningServer } from './support/server.js';

let server: RunningServer;
const startedAt = Date.now();

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop({ remove: true });
});

/** gpt-4o-mini list prices (USD per million tokens): input 0.15, cached input 0.075, output 0.60. */
const miniCost = (input: number, cached: number, output: number) => ((input - cached) * 0.15 + cached * 0.075 + output * 0.6) / 1e6;

const usage = (input: number, cacheRead: number, output: number, reasoning = 0) => ({
  inputTokens: { total: input, noCache: input - cacheRead, cacheRead, cacheWrite: 0 },
  outputTokens: { total: output, text: output - reasoning, reasoning },
});

/** Runs `fn` under a request span of our own, so the test knows the trace id; returns it. */
async function underRequest(otel: ExportingTracer, fn: () => Promise<unknown>): Promise<{ traceId: string; requestSpanId: string }> {
  const span = otel.tracer.startSpan('POST /chat');
  await context.with(trace.setSpan(context.active(), span), fn);
  span.end();
  return { traceId: span.spanContext().traceId, requestSpanId: span.spanContext().spanId };
}

async function overviewTokens(agent: string): Promise<{ tokens: number; spans: number }> {
  const reply = await request(`${server.url}/api/overview?agent=${agent}&from=${startedAt - 60_000}&to=${Date.now() + 60_000}`, { key: server.adminKey });
  expect(reply.status).toBe(200);
  return { tokens: reply.body.current.tokens, spans: reply.body.current.spans };
}

describe.each<OtlpFormat>(['protobuf', 'json'])('Vercel AI SDK over OTLP %s', (format) => {
  it('generateText with a tool: root, two doGenerate calls and the tool call, usage counted once', async () => {
    const agent = `support-triage-${format}`;
    const otel = exportingTracer(server, format, 'vercel-app');
    let step = 0;
    const model = new MockLanguageModelV3({
      provider: 'openai.chat',
      modelId: 'gpt-4o-mini',
      doGenerate: async () => {
        step++;
        if (step === 1) {
          return {
            content: [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'lookup_order', input: JSON.stringify({ orderId: 'A-17' }) }],
            finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
            usage: usage(1200, 1000, 50, 10),
            warnings: [],
          };
        }
        return { content: [{ type: 'text', text: 'Order A-17 has shipped.' }], finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(1400, 1200, 80), warnings: [] };
      },
    });
    const { traceId, requestSpanId } = await underRequest(otel, () =>
      generateText({
        model,
        prompt: 'Where is order A-17?',
        tools: {
          lookup_order: tool({
            description: 'Looks an order up',
            inputSchema: z.object({ orderId: z.string() }),
            execute: async ({ orderId }) => ({ orderId, status: 'shipped' }),
          }),
        },
        stopWhen: stepCountIs(3),
        experimental_telemetry: { isEnabled: true, tracer: otel.tracer, functionId: agent, metadata: { sessionId: 'sess-ai-1', userId: 'user-7', tier: 'gold' } },
      }),
    );
    await otel.finish();
    expect(otel.results.every((r) => r.code === 0)).toBe(true);

    const spans = await readTrace(server, traceId);
    expect(spans.map((s) => s.name).sort()).toEqual(['POST /chat', 'ai.generateText', 'ai.generateText.doGenerate', 'ai.generateText.doGenerate', 'lookup_order']);
    const root = byName(spans, 'ai.generateText');
    expect(root).toMatchObject({
      span_type: 'agent_step',
      parent_span_id: requestSpanId,
      agent_id: agent,
      session_id: 'sess-ai-1',
      user_id: 'user-7',
      model: null,
      tokens_input: 0,
      tokens_output: 0,
      cost_usd: null,
    });
    // The root's totals stay readable as attributes, never as counted tokens.
    expect(root.attributes).toMatchObject({ 'ai.usage.inputTokens': 2600, 'ai.usage.outputTokens': 130, 'ai.model.id': 'gpt-4o-mini', 'ai.telemetry.metadata.tier': 'gold' });

    const calls = spans.filter((s) => s.name === 'ai.generateText.doGenerate').sort((a, b) => a.timestamp - b.timestamp || a.tokens_input - b.tokens_input);
    expect(calls.map((c) => [c.span_type, c.parent_span_id, c.model, c.provider, c.tokens_input, c.tokens_cache_read, c.tokens_output, c.tokens_reasoning, c.cost_source])).toEqual([
      ['llm_call', root.span_id, 'gpt-4o-mini', 'openai', 1200, 1000, 50, 10, 'computed'],
      ['llm_call', root.span_id, 'gpt-4o-mini', 'openai', 1400, 1200, 80, 0, 'computed'],
    ]);
    expect(calls[0]!.cost_usd).toBeCloseTo(miniCost(1200, 1000, 50), 12);
    expect(calls[1]!.cost_usd).toBeCloseTo(miniCost(1400, 1200, 80), 12);
    for (const call of calls) expect(call).toMatchObject({ agent_id: agent, session_id: 'sess-ai-1', user_id: 'user-7' });

    expect(byName(spans, 'lookup_order')).toMatchObject({
      span_type: 'tool_call',
      parent_span_id: root.span_id,
      decision_made: 'lookup_order',
      agent_id: agent,
      session_id: 'sess-ai-1',
      user_id: 'user-7',
      tokens_input: 0,
      attributes: expect.objectContaining({ 'ai.toolCall.name': 'lookup_order', 'ai.toolCall.id': 'call-1' }),
    });

    const totals = traceTotals(spans);
    expect(totals.input).toBe(2600);
    expect(totals.output).toBe(130);
    expect(totals.costUsd).toBeCloseTo(miniCost(1200, 1000, 50) + miniCost(1400, 1200, 80), 12);
    expect(await overviewTokens(agent)).toEqual({ tokens: 2600 + 130, spans: 4 });
  });

  it('a tool that throws: the tool_call carries the error, the run goes on', async () => {
    const agent = `refunder-${format}`;
    const otel = exportingTracer(server, format, 'vercel-app');
    const responses = [
      { content: [{ type: 'tool-call' as const, toolCallId: 'call-9', toolName: 'refund', input: '{"orderId":"A-17"}' }], finishReason: { unified: 'tool-calls' as const, raw: 'tool_calls' }, usage: usage(100, 0, 10), warnings: [] },
      { content: [{ type: 'text' as const, text: 'The refund failed; a human will follow up.' }], finishReason: { unified: 'stop' as const, raw: 'stop' }, usage: usage(150, 0, 12), warnings: [] },
    ];
    const model = new MockLanguageModelV3({ provider: 'openai.chat', modelId: 'gpt-4o-mini', doGenerate: async () => responses.shift()! });
    const { traceId } = await underRequest(otel, () =>
      generateText({
        model,
        prompt: 'Refund A-17',
        tools: {
          refund: tool({
            inputSchema: z.object({ orderId: z.string() }),
            execute: async ({ orderId }): Promise<string> => {
              throw new RangeError(`payment API timed out refunding ${orderId}`);
            },
          }),
        },
        stopWhen: stepCountIs(3),
        experimental_telemetry: { isEnabled: true, tracer: otel.tracer, functionId: agent },
      }),
    );
    await otel.finish();
    const spans = await readTrace(server, traceId);
    expect(byName(spans, 'refund')).toMatchObject({
      span_type: 'tool_call',
      decision_made: 'refund',
      agent_id: agent,
      error_type: 'RangeError',
      error_message: 'payment API timed out refunding A-17',
    });
    expect(spans.filter((s) => s.span_type === 'llm_call').map((s) => s.error_type)).toEqual([null, null]);
  });

  it('streamText and generateObject: doStream and doGenerate carry the usage, the roots none', async () => {
    const agent = `writer-${format}`;
    const otel = exportingTracer(server, format, 'vercel-app');
    const streaming = new MockLanguageModelV3({
      provider: 'anthropic.messages',
      modelId: 'claude-sonnet-4-5',
      doStream: async () => ({
        stream: simulateReadableStream({
          chunks: [
            { type: 'text-start', id: 't1' },
            { type: 'text-delta', id: 't1', delta: 'Dear customer, ' },
            { type: 'text-delta', id: 't1', delta: 'your refund is on its way.' },
            { type: 'text-end', id: 't1' },
            { type: 'finish', finishReason: { unified: 'stop', raw: 'end_turn' }, usage: usage(900, 0, 40) },
          ],
        }),
      }),
    });
    const objects = new MockLanguageModelV3({
      provider: 'openai.responses',
      modelId: 'gpt-4o-mini',
      doGenerate: async () => ({
        content: [{ type: 'text', text: '{"intent":"refund","priority":2}' }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: usage(300, 0, 20),
        warnings: [],
      }),
    });
    const telemetry = { isEnabled: true, tracer: otel.tracer, functionId: agent, metadata: { session_id: 'sess-ai-2' } };
    const { traceId } = await underRequest(otel, async () => {
      const result = streamText({ model: streaming, prompt: 'Write the refund email', experimental_telemetry: telemetry });
      expect(await result.text).toBe('Dear customer, your refund is on its way.');
      const { object } = await generateObject({ model: objects, schema: z.object({ intent: z.string(), priority: z.number() }), prompt: 'Classify', experimental_telemetry: telemetry });
      expect(object).toEqual({ intent: 'refund', priority: 2 });
    });
    await otel.finish();

    const spans = await readTrace(server, traceId);
    const streamRoot = byName(spans, 'ai.streamText');
    const objectRoot = byName(spans, 'ai.generateObject');
    for (const rootSpan of [streamRoot, objectRoot]) {
      expect(rootSpan).toMatchObject({ span_type: 'agent_step', agent_id: agent, session_id: 'sess-ai-2', tokens_input: 0, tokens_output: 0, model: null });
    }
    expect(byName(spans, 'ai.streamText.doStream')).toMatchObject({
      span_type: 'llm_call',
      parent_span_id: streamRoot.span_id,
      model: 'claude-sonnet-4-5',
      provider: 'anthropic',
      tokens_input: 900,
      tokens_output: 40,
      agent_id: agent,
      session_id: 'sess-ai-2',
    });
    expect(byName(spans, 'ai.generateObject.doGenerate')).toMatchObject({
      span_type: 'llm_call',
      parent_span_id: objectRoot.span_id,
      model: 'gpt-4o-mini',
      provider: 'openai',
      tokens_input: 300,
      tokens_output: 20,
      cost_source: 'computed',
    });
    expect(byName(spans, 'ai.generateObject.doGenerate').cost_usd).toBeCloseTo(miniCost(300, 0, 20), 12);
    expect(await overviewTokens(agent)).toEqual({ tokens: 900 + 40 + 300 + 20, spans: 4 });
  });

  it('embed and embedMany: doEmbed is the embedding call with its tokens', async () => {
    const agent = `indexer-${format}`;
    const otel = exportingTracer(server, format, 'vercel-app');
    const embedder = new MockEmbeddingModelV3({
      provider: 'openai.embedding',
      modelId: 'text-embedding-3-small',
      maxEmbeddingsPerCall: 16,
      doEmbed: async ({ values }) => ({ embeddings: values.map(() => [0.1, 0.2, 0.3]), usage: { tokens: 7 * values.length }, warnings: [] }),
    });
    const telemetry = { isEnabled: true, tracer: otel.tracer, functionId: agent };
    const { traceId } = await underRequest(otel, async () => {
      await embed({ model: embedder, value: 'refund policy', experimental_telemetry: telemetry });
      await embedMany({ model: embedder, values: ['a', 'b', 'c'], experimental_telemetry: telemetry });
    });
    await otel.finish();

    const spans = await readTrace(server, traceId);
    const one = byName(spans, 'ai.embed');
    const many = byName(spans, 'ai.embedMany');
    expect(one).toMatchObject({ span_type: 'agent_step', tokens_input: 0, agent_id: agent });
    expect(many).toMatchObject({ span_type: 'agent_step', tokens_input: 0, agent_id: agent });
    expect(byName(spans, 'ai.embed.doEmbed')).toMatchObject({
      span_type: 'embedding',
      parent_span_id: one.span_id,
      model: 'text-embedding-3-small',
      provider: 'openai',
      tokens_input: 7,
      agent_id: agent,
    });
    expect(byName(spans, 'ai.embedMany.doEmbed')).toMatchObject({ span_type: 'embedding', parent_span_id: many.span_id, tokens_input: 21 });
    expect(await overviewTokens(agent)).toEqual({ tokens: 28, spans: 4 });
  });
});

