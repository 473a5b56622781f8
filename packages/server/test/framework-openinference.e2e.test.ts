// OpenInference instrumentations driven for real, no network: LangChain.js
// (@arizeai/openinference-instrumentation-langchain with @langchain/core's fake chat model and a
// real tool) and the OpenAI client (@arizeai/openinference-instrumentation-openai with the
// `openai` package pointed at a local fake HTTP server). Spans go through the stock OTLP
// exporters into the real server and are read back through the API.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context } from '@opentelemetry/api';
import { setAttributes, setSession, setUser } from '@arizeai/openinference-core';
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { RunnableLambda } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { byName, exportingTracer, readTrace, type OtlpFormat } from './support/otlp-export.js';
import { startServer, type RunningServer } from './support/server.js';

let server: RunningServer;
let fakeOpenAi: Server;
let fakeOpenAiUrl: string;

/** A stand-in for api.openai.com: answers chat completions and embeddings like the real API does. */
function startFakeOpenAi(): Promise<Server> {
  const fake = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.endsWith('/embeddings')) {
        res.end(JSON.stringify({ object: 'list', model: 'text-embedding-3-small', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], usage: { prompt_tokens: 8, total_tokens: 8 } }));
        return;
      }
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1_767_225_600,
          model: 'gpt-4o-mini-2024-07-18',
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Refund issued.' } }],
          usage: { prompt_tokens: 1200, completion_tokens: 80, total_tokens: 1280, prompt_tokens_details: { cached_tokens: 1024 }, completion_tokens_details: { reasoning_tokens: 16 } },
        }),
      );
    });
  });
  return new Promise((resolve) => fake.listen(0, '127.0.0.1', () => resolve(fake)));
}

beforeAll(async () => {
  server = await startServer();
  fakeOpenAi = await startFakeOpenAi();
  fakeOpenAiUrl = `http://127.0.0.1:${(fakeOpenAi.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  await server?.stop({ remove: true });
  await new Promise((resolve) => fakeOpenAi?.close(resolve));
});

/** gpt-4o-mini list prices (USD per million tokens): input 0.15, cached input 0.075, output 0.60. */
const miniCost = (input: number, cached: number, output: number) => ((input - cached) * 0.15 + cached * 0.075 + output * 0.6) / 1e6;

/**
 * LangChain's fake chat model, reporting usage and LangSmith parameters the way ChatOpenAI does
 * (the stock fakes report neither), so the instrumentation has tokens and a provider to record.
 */
class FakeOpenAiChat extends FakeListChatModel {
  override async _generate(messages: BaseMessage[], options?: this['ParsedCallOptions']): Promise<ChatResult> {
    const result = await super._generate(messages, options);
    const text = String(result.generations[0]!.message.content);
    const message = new AIMessage({
      content: text,
      usage_metadata: { input_tokens: 640, output_tokens: 25, total_tokens: 665, input_token_details: { cache_read: 512 } },
    });
    return { generations: [{ text, message }] };
  }

  override getLsParams(options: this['ParsedCallOptions']) {
    return { ...super.getLsParams(options), ls_provider: 'openai', ls_model_name: 'gpt-4o-mini' };
  }
}

describe.each<OtlpFormat>(['protobuf', 'json'])('OpenInference over OTLP %s', (format) => {
  it('LangChain.js: chain → LLM → tool with session, user, agent and graph node; provider from metadata.ls_provider', async () => {
    const otel = exportingTracer(server, format, 'langchain-app');
    const instrumentation = new LangChainInstrumentation();
    instrumentation.setTracerProvider(otel.provider);
    instrumentation.manuallyInstrument(CallbackManagerModule);
    const model = new FakeOpenAiChat({ responses: ['Order A-17 shipped yesterday.'] });
    const lookup = tool(async ({ orderId }: { orderId: string }) => `order ${orderId}: shipped`, {
      name: 'lookup_order',
      description: 'Looks an order up',
      schema: z.object({ orderId: z.string() }),
    });
    const agent = `support-lc-${format}`;
    const chain = RunnableLambda.from(async (question: string, config) => {
      const answer = await model.invoke(question, config);
      const status = await lookup.invoke({ orderId: 'A-17' }, config);
      return `${String(answer.content)} (${status})`;
    }).withConfig({ runName: 'support_chain', metadata: { session_id: `thread-${format}`, user_id: 'user-lc' } });
    // OpenInference's documented way to name the agent and graph node for everything inside.
    const scope = setAttributes(context.active(), { 'agent.name': agent, 'graph.node.id': 'answer', 'graph.node.name': 'Answer question' });
    expect(await context.with(scope, () => chain.invoke('Where is order A-17?'))).toBe('Order A-17 shipped yesterday. (order A-17: shipped)');
    await otel.finish();
    instrumentation.disable();
    expect(otel.results.every((r) => r.code === 0)).toBe(true);

    const roots = await request(`/api/traces?agent=${agent}`);
    expect(roots).toHaveLength(1);
    const spans = await readTrace(server, roots[0]!.trace_id as string);
    expect(spans.map((s) => s.name).sort()).toEqual(['FakeOpenAiChat', 'lookup_order', 'support_chain']);
    const chainSpan = byName(spans, 'support_chain');
    const shared = { agent_id: agent, session_id: `thread-${format}`, user_id: 'user-lc' };
    expect(chainSpan).toMatchObject({ span_type: 'agent_step', parent_span_id: null, ...shared });
    expect(chainSpan.attributes).toMatchObject({ 'graph.node.id': 'answer', 'graph.node.name': 'Answer question', 'openinference.span.kind': 'CHAIN' });
    const llm = byName(spans, 'FakeOpenAiChat');
    expect(llm).toMatchObject({
      span_type: 'llm_call',
      parent_span_id: chainSpan.span_id,
      model: 'gpt-4o-mini',
      provider: 'openai',
      tokens_input: 640,
      tokens_output: 25,
      tokens_cache_read: 512,
      cost_source: 'computed',
      ...shared,
    });
    expect(llm.cost_usd).toBeCloseTo(miniCost(640, 512, 25), 12);
    expect(byName(spans, 'lookup_order')).toMatchObject({ span_type: 'tool_call', parent_span_id: chainSpan.span_id, decision_made: 'lookup_order', tokens_input: 0, ...shared });
  });

  it('OpenAI client: chat completion and embedding with tokens, cache, reasoning, cost, session and user', async () => {
    const otel = exportingTracer(server, format, 'openai-app');
    const instrumentation = new OpenAIInstrumentation();
    instrumentation.setTracerProvider(otel.provider);
    instrumentation.manuallyInstrument(OpenAI);
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: fakeOpenAiUrl });
    const agent = `billing-oai-${format}`;
    const scope = setAttributes(setUser(setSession(context.active(), { sessionId: `conv-${format}` }), { userId: 'user-oai' }), { 'agent.name': agent });
    await context.with(scope, async () => {
      const reply = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Refund order A-17' }] });
      expect(reply.choices[0]!.message.content).toBe('Refund issued.');
      await client.embeddings.create({ model: 'text-embedding-3-small', input: 'refund policy' });
    });
    await otel.finish();
    instrumentation.disable();

    const found = await request(`/api/traces?agent=${agent}`);
    expect(found).toHaveLength(2);
    const spans = (await Promise.all(found.map((t) => readTrace(server, t.trace_id as string)))).flat();
    const shared = { agent_id: agent, session_id: `conv-${format}`, user_id: 'user-oai', parent_span_id: null };
    const chat = byName(spans, 'OpenAI Chat Completions');
    expect(chat).toMatchObject({
      span_type: 'llm_call',
      model: 'gpt-4o-mini-2024-07-18',
      provider: 'openai',
      tokens_input: 1200,
      tokens_output: 80,
      tokens_cache_read: 1024,
      tokens_reasoning: 16,
      cost_source: 'computed',
      ...shared,
    });
    expect(chat.cost_usd).toBeCloseTo(miniCost(1200, 1024, 80), 12);
    // The instrumentation records no usage for embeddings: the span is typed and attributed, with no tokens.
    expect(byName(spans, 'OpenAI Embeddings')).toMatchObject({ span_type: 'embedding', model: 'text-embedding-3-small', provider: 'openai', tokens_input: 0, cost_source: 'none', ...shared });
  });
});

async function request(path: string): Promise<Record<string, unknown>[]> {
  const reply = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.adminKey}` } });
  expect(reply.status).toBe(200);
  const body = (await reply.json()) as { traces: Record<string, unknown>[] };
  return body.traces;
}
