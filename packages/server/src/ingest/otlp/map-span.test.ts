import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../model/limits.js';
import { validateEvent } from '../../model/validate-event.js';
import { decodeOtlpTraces } from './handle.js';
import { chatSpan, T0, tracesJson, tracesProto, type RequestSpec, type SpanSpec, type Value } from './request-builder.js';

const NOW = Number(T0 / 1_000_000n) + 60_000;

function eventsOf(spec: RequestSpec, limits = DEFAULT_LIMITS): Record<string, unknown>[] {
  const decoded = decodeOtlpTraces(Buffer.from(tracesProto(spec)), 'application/x-protobuf', undefined, limits);
  if (!decoded.ok) throw new Error(decoded.message);
  expect(decoded.invalid).toEqual({ count: 0, messages: [] });
  return decoded.events as Record<string, unknown>[];
}

function one(span: SpanSpec, resource: Record<string, Value> = { 'service.name': 'support-bot' }, limits = DEFAULT_LIMITS) {
  const [event] = eventsOf({ resource, spans: [span] }, limits);
  return event!;
}

function spanOf(event: unknown, limits = DEFAULT_LIMITS) {
  const result = validateEvent(event, 0, { project: 'p', now: NOW, limits });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.span;
}

const base = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'x', startNanos: T0, endNanos: T0 + 2_000_000n };

describe('mapSpan: GenAI conventions', () => {
  it('maps a chat span to an llm_call event with exact fields', () => {
    expect(one(chatSpan())).toEqual({
      timestamp: 1_767_225_600_000,
      agent_id: 'support-bot',
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      span_id: 'b7ad6b7169203331',
      parent_span_id: '00f067aa0ba902b7',
      name: 'chat gpt-4o',
      latency_ms: 1250,
      span_type: 'llm_call',
      model: 'gpt-4o-2024-08-06',
      provider: 'openai',
      tokens_input: 1200,
      tokens_output: 300,
      tokens_cache_read: 1000,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.request.temperature': 0.2,
        'otel.scope.name': 'sightline-test',
        'otel.scope.version': '1.0.0',
        'resource.service.name': 'support-bot',
      },
    });
  });

  it('deprecated attribute names give the same native event as current ones', () => {
    const current = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4',
      'gen_ai.usage.input_tokens': 5000,
      'gen_ai.usage.output_tokens': 700,
      'gen_ai.usage.cache_read.input_tokens': 4000,
      'gen_ai.usage.cache_creation.input_tokens': 500,
      'gen_ai.conversation.id': 'conv-1',
    };
    const deprecated = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4',
      'gen_ai.usage.prompt_tokens': 5000,
      'gen_ai.usage.completion_tokens': 700,
      'gen_ai.usage.cache_read_input_tokens': 4000,
      'gen_ai.usage.cache_creation_input_tokens': 500,
      'session.id': 'conv-1',
    };
    const a = one({ ...base, attributes: current });
    const b = one({ ...base, attributes: deprecated });
    expect(b).toEqual(a);
    expect(spanOf(a)).toMatchObject({ provider: 'anthropic', tokens_input: 5000, tokens_cache_read: 4000, tokens_cache_write: 500, session_id: 'conv-1' });
  });

  it.each([
    ['chat', 'llm_call'],
    ['generate_content', 'llm_call'],
    ['text_completion', 'llm_call'],
    ['embeddings', 'embedding'],
    ['execute_tool', 'tool_call'],
    ['invoke_agent', 'agent_step'],
    ['create_agent', 'agent_step'],
    ['invoke_workflow', 'agent_step'],
    ['retrieval', 'retrieval'],
  ])('gen_ai.operation.name %s → %s', (operation, type) => {
    expect(one({ ...base, attributes: { 'gen_ai.operation.name': operation } }).span_type).toBe(type);
  });

  it('never double counts cached tokens; adds them only when input evidently excludes them', () => {
    const included = one({ ...base, attributes: { 'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.cache_read.input_tokens': 1000 } });
    expect([included.tokens_input, included.tokens_cache_read]).toEqual([1200, 1000]);
    // Anthropic's raw usage: input_tokens=200 excludes 1000 cache reads and 500 cache writes.
    const excluded = one({ ...base, attributes: { 'gen_ai.usage.input_tokens': 200, 'gen_ai.usage.cache_read.input_tokens': 1000, 'gen_ai.usage.cache_creation.input_tokens': 500 } });
    expect([excluded.tokens_input, excluded.tokens_cache_read, excluded.tokens_cache_write]).toEqual([1700, 1000, 500]);
    const reasoning = one({ ...base, attributes: { 'gen_ai.usage.output_tokens': 900, 'gen_ai.usage.reasoning.output_tokens': 600 } });
    expect([reasoning.tokens_output, reasoning.tokens_reasoning]).toEqual([900, 600]);
  });

  it('agent from gen_ai.agent.id, then gen_ai.agent.name, then service.name, then unknown_service', () => {
    expect(one({ ...base, attributes: { 'gen_ai.agent.id': 'asst_1', 'gen_ai.agent.name': 'Triage' } }).agent_id).toBe('asst_1');
    const byName = one({ ...base, attributes: { 'gen_ai.agent.name': 'Triage' } });
    expect(byName.agent_id).toBe('Triage');
    expect(one(base).agent_id).toBe('support-bot');
    expect(one(base, {}).agent_id).toBe('unknown_service');
  });

  it('decision and confidence from sightline.* attributes; tool name is the decision of a tool call', () => {
    const decided = one({ ...base, attributes: { 'sightline.decision': 'escalate', 'sightline.confidence': 0.82, 'sightline.span_type': 'decision' } });
    expect([decided.span_type, decided.decision_made, decided.confidence]).toEqual(['decision', 'escalate', 0.82]);
    const tool = one({ ...base, attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search_orders' } });
    expect([tool.span_type, tool.decision_made]).toEqual(['tool_call', 'search_orders']);
    expect((tool.attributes as Record<string, unknown>)['gen_ai.tool.name']).toBe('search_orders');
    const notTool = one({ ...base, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.tool.name': 'search_orders' } });
    expect(notTool.decision_made).toBeUndefined();
  });

  it('cost from llm.cost.total or gen_ai.usage.cost', () => {
    expect(one({ ...base, attributes: { 'gen_ai.usage.cost': 0.0125 } }).cost_usd).toBe(0.0125);
    expect(one({ ...base, attributes: { 'llm.cost.total': 0.5, 'gen_ai.usage.cost': 0.1 } }).cost_usd).toBe(0.5);
    expect(one({ ...base, attributes: { 'llm.cost.prompt': 0.25, 'llm.cost.completion': 0.5 } }).cost_usd).toBe(0.75);
  });

  it('errors from status ERROR, error.type and exception events', () => {
    expect(one({ ...base, status: { code: 2, message: 'rate limited' } }).error).toEqual({ type: null, message: 'rate limited' });
    expect(spanOf(one({ ...base, status: { code: 2, message: 'rate limited' } }))).toMatchObject({ error_type: 'error', error_message: 'rate limited' });
    expect(one({ ...base, attributes: { 'error.type': '429' }, status: { code: 2 } }).error).toEqual({ type: '429', message: null });
    const exception = one({
      ...base,
      events: [{ name: 'exception', timeNanos: T0, attributes: { 'exception.type': 'TimeoutError', 'exception.message': 'tool timed out after 30s' } }],
    });
    expect(exception.error).toEqual({ type: 'TimeoutError', message: 'tool timed out after 30s' });
    expect(one({ ...base, status: { code: 1 } }).error).toBeUndefined();
  });

  it('keeps content out of attributes; input/output only when content capture is on', () => {
    const attributes = {
      'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]',
      'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"hello"}]}]',
      'gen_ai.system_instructions': 'be brief',
    };
    const off = one({ ...base, attributes });
    expect([off.input, off.output, Object.keys(off.attributes as object).filter((k) => k.startsWith('gen_ai'))]).toEqual([undefined, undefined, []]);
    const limits = { ...DEFAULT_LIMITS, captureContent: true, maxContentBytes: 40 };
    const on = one({ ...base, attributes }, undefined, limits);
    expect([on.input, on.output]).toEqual([attributes['gen_ai.input.messages'], attributes['gen_ai.output.messages']]);
    expect(spanOf(on, limits).input).toBe('[{"role":"user","parts":[{…[truncated]');
  });

  it('prefixes resource attributes, never copies command lines, drops resource keys first at the attribute limit', () => {
    const resource = { 'service.name': 'svc', 'process.command_args': ['node', '--api-key=secret'], 'host.name': 'h1', 'deployment.environment.name': 'prod' };
    const attrs = one({ ...base, attributes: { a: 1 } }, resource, { ...DEFAULT_LIMITS, maxAttributes: 5 }).attributes;
    expect(attrs).toEqual({ a: 1, 'otel.scope.name': 'sightline-test', 'otel.scope.version': '1.0.0', 'resource.service.name': 'svc', 'sightline.resource_attributes_dropped': 2 });
  });
});

describe('mapSpan: OpenInference', () => {
  it('maps an LLM span with llm.* attributes and flattened messages', () => {
    const attributes = {
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4o-mini',
      'llm.provider': 'openai',
      'llm.token_count.prompt': 900,
      'llm.token_count.completion': 150,
      'llm.token_count.total': 1050,
      'llm.token_count.prompt_details.cache_read': 512,
      'llm.token_count.completion_details.reasoning': 64,
      'llm.cost.total': 0.00042,
      'llm.input_messages.0.message.role': 'system',
      'llm.input_messages.0.message.content': 'be brief',
      'llm.input_messages.1.message.role': 'user',
      'llm.input_messages.1.message.content': 'hi',
      'llm.output_messages.0.message.role': 'assistant',
      'llm.output_messages.0.message.content': 'hello',
      'session.id': 's-9',
      'user.id': 'u-3',
      'llm.invocation_parameters': '{"temperature":0}',
    };
    const event = one({ ...base, attributes }, { 'service.name': 'rag-bot' }, { ...DEFAULT_LIMITS, captureContent: true });
    expect(event).toMatchObject({
      span_type: 'llm_call',
      model: 'gpt-4o-mini',
      provider: 'openai',
      tokens_input: 900,
      tokens_output: 150,
      tokens_cache_read: 512,
      tokens_reasoning: 64,
      cost_usd: 0.00042,
      session_id: 's-9',
      user_id: 'u-3',
      input: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }],
      output: [{ role: 'assistant', content: 'hello' }],
    });
    expect(Object.keys(event.attributes as object).sort()).toEqual([
      'llm.invocation_parameters',
      'openinference.span.kind',
      'otel.scope.name',
      'otel.scope.version',
      'resource.service.name',
    ]);
  });

  it.each([
    ['LLM', 'llm_call'],
    ['TOOL', 'tool_call'],
    ['AGENT', 'agent_step'],
    ['CHAIN', 'agent_step'],
    ['RETRIEVER', 'retrieval'],
    ['EMBEDDING', 'embedding'],
    ['RERANKER', 'retrieval'],
  ])('openinference.span.kind %s → %s', (kind, type) => {
    expect(one({ ...base, attributes: { 'openinference.span.kind': kind } }).span_type).toBe(type);
  });

  it('a TOOL span takes tool.name as its decision', () => {
    const event = one({ ...base, attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': 'lookup_invoice' } });
    expect([event.span_type, event.decision_made]).toEqual(['tool_call', 'lookup_invoice']);
  });
});

describe('protobuf and JSON give the same events', () => {
  it('for a GenAI trace', () => {
    const spec: RequestSpec = {
      resource: { 'service.name': 'support-bot' },
      spans: [chatSpan(), chatSpan({ spanId: '1111111111111111', attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'refund' } })],
    };
    const json = decodeOtlpTraces(Buffer.from(JSON.stringify(tracesJson(spec))), 'application/json', undefined, DEFAULT_LIMITS);
    expect(json).toEqual({ ok: true, events: eventsOf(spec), invalid: { count: 0, messages: [] }, scores: [] });
  });
});
