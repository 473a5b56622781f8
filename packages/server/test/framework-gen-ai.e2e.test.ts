// The OpenTelemetry GenAI semantic conventions as they stand now (semantic-conventions-genai):
// a multi-agent trace with every `gen_ai.operation.name`, recorded by the OpenTelemetry SDK as an
// instrumentation following the conventions would (agent and conversation named only on the spans
// that own them), exported by the stock OTLP exporters into the real server and read back.

import { context, SpanKind, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byName, exportingTracer, readTrace, traceTotals, type OtlpFormat, type StoredSpan } from './support/otlp-export.js';
import { startServer, type RunningServer } from './support/server.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ args: ['--capture-content'] });
});

afterAll(async () => {
  await server?.stop({ remove: true });
});

const INPUT_MESSAGES = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Refund order A-17' }] }]);
const OUTPUT_MESSAGES = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Refunding.' }], finish_reason: 'stop' }]);
const GEMINI_INPUT = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Summarise the ticket' }] }]);
const GEMINI_OUTPUT = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Customer wants a refund.' }] }]);

function within(tracer: Tracer, parent: Span, name: string, kind: SpanKind, attributes: Attributes, body?: (span: Span) => void): Span {
  const span = tracer.startSpan(name, { kind, attributes }, trace.setSpan(context.active(), parent));
  body?.(span);
  span.end();
  return span;
}

/** invoke_workflow → create_agent, invoke_agent (plan, chat, execute_tool, generate_content), remote invoke_agent, text_completion, embeddings, retrieval. */
function recordMultiAgentTrace(tracer: Tracer): string {
  const workflow = tracer.startSpan('invoke_workflow support_flow', {
    kind: SpanKind.INTERNAL,
    attributes: { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.conversation.id': 'conv-77' },
  });
  within(tracer, workflow, 'create_agent support', SpanKind.CLIENT, {
    'gen_ai.operation.name': 'create_agent',
    'gen_ai.agent.name': 'support',
    'gen_ai.agent.description': 'Answers support tickets',
    'gen_ai.agent.version': '2.1',
  });
  const agent = tracer.startSpan(
    'invoke_agent support',
    {
      kind: SpanKind.INTERNAL,
      // An in-process agent may report the usage of its model calls: a sum of its children.
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support', 'gen_ai.request.model': 'claude-sonnet-4-5', 'gen_ai.usage.input_tokens': 2000, 'gen_ai.usage.output_tokens': 150 },
    },
    trace.setSpan(context.active(), workflow),
  );
  within(tracer, agent, 'plan support', SpanKind.INTERNAL, { 'gen_ai.operation.name': 'plan' });
  within(tracer, agent, 'chat claude-sonnet-4-5', SpanKind.CLIENT, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'anthropic',
    'gen_ai.request.model': 'claude-sonnet-4-5',
    'gen_ai.response.model': 'claude-sonnet-4-5',
    'gen_ai.usage.input_tokens': 1200,
    'gen_ai.usage.output_tokens': 100,
    'gen_ai.usage.cache_read.input_tokens': 800,
    'gen_ai.usage.cache_creation.input_tokens': 200,
    'gen_ai.input.messages': INPUT_MESSAGES,
    'gen_ai.output.messages': OUTPUT_MESSAGES,
  });
  within(
    tracer,
    agent,
    'execute_tool refund_order',
    SpanKind.INTERNAL,
    {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'refund_order',
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.call.id': 'call_9',
      'gen_ai.tool.call.arguments': '{"order":"A-17"}',
      'gen_ai.tool.call.result': '{"refunded":true}',
    },
  );
  within(
    tracer,
    agent,
    'generate_content gemini-2.5-flash',
    SpanKind.CLIENT,
    { 'gen_ai.operation.name': 'generate_content', 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.request.model': 'gemini-2.5-flash', 'gen_ai.usage.input_tokens': 800, 'gen_ai.usage.output_tokens': 50 },
    // Content recorded as the conventions' event instead of span attributes.
    (span) => span.addEvent('gen_ai.client.inference.operation.details', { 'gen_ai.input.messages': GEMINI_INPUT, 'gen_ai.output.messages': GEMINI_OUTPUT }),
  );
  agent.end();
  // A remote agent: its model calls happen elsewhere, so its usage is the only record of them.
  within(tracer, workflow, 'invoke_agent billing', SpanKind.CLIENT, {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': 'billing',
    'gen_ai.agent.id': 'billing',
    'gen_ai.provider.name': 'aws.bedrock',
    'gen_ai.request.model': 'anthropic.claude-3-haiku-20240307-v1:0',
    'gen_ai.usage.input_tokens': 500,
    'gen_ai.usage.output_tokens': 60,
  });
  within(tracer, workflow, 'text_completion gpt-3.5-turbo-instruct', SpanKind.CLIENT, {
    'gen_ai.operation.name': 'text_completion',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-3.5-turbo-instruct',
    'gen_ai.usage.input_tokens': 100,
    'gen_ai.usage.output_tokens': 20,
  });
  within(tracer, workflow, 'embeddings text-embedding-3-small', SpanKind.CLIENT, {
    'gen_ai.operation.name': 'embeddings',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'text-embedding-3-small',
    'gen_ai.usage.input_tokens': 30,
  });
  within(tracer, workflow, 'retrieval kb', SpanKind.CLIENT, { 'gen_ai.operation.name': 'retrieval', 'gen_ai.data_source.id': 'kb', 'gen_ai.retrieval.query.text': 'refund policy' });
  workflow.end();
  return workflow.spanContext().traceId;
}

describe.each<OtlpFormat>(['protobuf', 'json'])('OTel GenAI conventions over OTLP %s', (format) => {
  let spans: StoredSpan[];

  beforeAll(async () => {
    const otel = exportingTracer(server, format, 'support-svc');
    const traceId = recordMultiAgentTrace(otel.tracer);
    await otel.finish();
    expect(otel.results.every((r) => r.code === 0)).toBe(true);
    spans = await readTrace(server, traceId);
    expect(spans).toHaveLength(11);
  });

  it('types every operation and links every parent', () => {
    const workflow = byName(spans, 'invoke_workflow support_flow');
    const agent = byName(spans, 'invoke_agent support');
    const typed = (name: string) => [byName(spans, name).span_type, byName(spans, name).parent_span_id];
    expect(workflow).toMatchObject({ span_type: 'agent_step', parent_span_id: null });
    expect(typed('create_agent support')).toEqual(['agent_step', workflow.span_id]);
    expect(typed('invoke_agent support')).toEqual(['agent_step', workflow.span_id]);
    expect(typed('plan support')).toEqual(['agent_step', agent.span_id]);
    expect(typed('chat claude-sonnet-4-5')).toEqual(['llm_call', agent.span_id]);
    expect(typed('execute_tool refund_order')).toEqual(['tool_call', agent.span_id]);
    expect(typed('generate_content gemini-2.5-flash')).toEqual(['llm_call', agent.span_id]);
    expect(typed('invoke_agent billing')).toEqual(['agent_step', workflow.span_id]);
    expect(typed('text_completion gpt-3.5-turbo-instruct')).toEqual(['llm_call', workflow.span_id]);
    expect(typed('embeddings text-embedding-3-small')).toEqual(['embedding', workflow.span_id]);
    expect(typed('retrieval kb')).toEqual(['retrieval', workflow.span_id]);
  });

  it('counts each model call once: the in-process agent usage stays an attribute, the remote agent counts', () => {
    const agent = byName(spans, 'invoke_agent support');
    expect(agent).toMatchObject({ tokens_input: 0, tokens_output: 0, model: null, cost_usd: null });
    expect(agent.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 2000, 'gen_ai.usage.output_tokens': 150, 'gen_ai.request.model': 'claude-sonnet-4-5' });
    const chat = byName(spans, 'chat claude-sonnet-4-5');
    expect(chat).toMatchObject({ model: 'claude-sonnet-4-5', provider: 'anthropic', tokens_input: 1200, tokens_output: 100, tokens_cache_read: 800, tokens_cache_write: 200, cost_source: 'computed' });
    // Claude Sonnet 4.5 list prices per million tokens: input 3, cache read 0.30, cache write 3.75, output 15.
    expect(chat.cost_usd).toBeCloseTo((200 * 3 + 800 * 0.3 + 200 * 3.75 + 100 * 15) / 1e6, 12);
    expect(byName(spans, 'generate_content gemini-2.5-flash')).toMatchObject({ model: 'gemini-2.5-flash', provider: 'gcp.gemini', tokens_input: 800, tokens_output: 50 });
    expect(byName(spans, 'invoke_agent billing')).toMatchObject({ model: 'anthropic.claude-3-haiku-20240307-v1:0', provider: 'aws.bedrock', tokens_input: 500, tokens_output: 60 });
    expect(byName(spans, 'embeddings text-embedding-3-small')).toMatchObject({ model: 'text-embedding-3-small', tokens_input: 30, tokens_output: 0 });
    const totals = traceTotals(spans);
    expect([totals.input, totals.output, totals.cacheRead]).toEqual([1200 + 800 + 500 + 100 + 30, 100 + 50 + 60 + 20, 800]);
  });

  it('reads tool name, agent metadata and content from attributes and from the operation-details event', () => {
    expect(byName(spans, 'execute_tool refund_order')).toMatchObject({
      decision_made: 'refund_order',
      input: '{"order":"A-17"}',
      output: '{"refunded":true}',
      attributes: expect.objectContaining({ 'gen_ai.tool.name': 'refund_order', 'gen_ai.tool.type': 'function', 'gen_ai.tool.call.id': 'call_9' }),
    });
    expect(byName(spans, 'create_agent support').attributes).toMatchObject({ 'gen_ai.agent.description': 'Answers support tickets', 'gen_ai.agent.version': '2.1' });
    expect(byName(spans, 'chat claude-sonnet-4-5')).toMatchObject({ input: INPUT_MESSAGES, output: OUTPUT_MESSAGES });
    expect(byName(spans, 'generate_content gemini-2.5-flash')).toMatchObject({ input: GEMINI_INPUT, output: GEMINI_OUTPUT });
    expect(byName(spans, 'retrieval kb')).toMatchObject({ input: null });
    expect(byName(spans, 'retrieval kb').attributes).toEqual(expect.not.objectContaining({ 'gen_ai.retrieval.query.text': expect.anything() }));
    expect(byName(spans, 'retrieval kb').attributes).toMatchObject({ 'gen_ai.data_source.id': 'kb' });
  });

  it('carries agent and session from the span that names them to its descendants (attribution through the trace)', () => {
    const attribution = Object.fromEntries(spans.map((s) => [s.name, [s.agent_id, s.session_id]]));
    expect(attribution).toEqual({
      'invoke_workflow support_flow': ['support-svc', 'conv-77'],
      'create_agent support': ['support', 'conv-77'],
      'invoke_agent support': ['support', 'conv-77'],
      'plan support': ['support', 'conv-77'],
      'chat claude-sonnet-4-5': ['support', 'conv-77'],
      'execute_tool refund_order': ['support', 'conv-77'],
      'generate_content gemini-2.5-flash': ['support', 'conv-77'],
      'invoke_agent billing': ['billing', 'conv-77'],
      'text_completion gpt-3.5-turbo-instruct': ['support-svc', 'conv-77'],
      'embeddings text-embedding-3-small': ['support-svc', 'conv-77'],
      'retrieval kb': ['support-svc', 'conv-77'],
    });
  });
});
