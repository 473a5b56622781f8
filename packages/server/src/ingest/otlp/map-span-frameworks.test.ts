// Golden tests: spans exactly as other frameworks document and emit them (attribute names and
// span names from their source and docs), mapped to native events. Frameworks we can drive for
// real from npm are tested end to end in packages/server/test/framework-*.e2e.test.ts.

import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../model/limits.js';
import { validateEvent } from '../../model/validate-event.js';
import { decodeOtlpTraces } from './handle.js';
import { T0, tracesProto, type SpanSpec, type Value } from './request-builder.js';

const NOW = Number(T0 / 1_000_000n) + 60_000;
const CAPTURE = { ...DEFAULT_LIMITS, captureContent: true };
const CLIENT = 3;
const SERVER = 2;

function one(attributes: Record<string, Value>, extra: Partial<SpanSpec> = {}, limits = DEFAULT_LIMITS): Record<string, any> {
  const span: SpanSpec = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'x', startNanos: T0, endNanos: T0 + 2_000_000n, attributes, ...extra };
  const decoded = decodeOtlpTraces(Buffer.from(tracesProto({ resource: { 'service.name': 'svc' }, spans: [span] })), 'application/x-protobuf', undefined, limits);
  if (!decoded.ok) throw new Error(decoded.message);
  return decoded.events[0] as Record<string, any>;
}

describe('Mastra (@mastra/otel-exporter)', () => {
  it('model generation: cached_input_tokens, cache_write_tokens and reasoning_tokens', () => {
    const event = one(
      {
        'gen_ai.operation.name': 'chat',
        'mastra.span.type': 'model_generation',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 1000,
        'gen_ai.usage.output_tokens': 200,
        'gen_ai.usage.cached_input_tokens': 600,
        'gen_ai.usage.cache_write_tokens': 100,
        'gen_ai.usage.reasoning_tokens': 40,
        'gen_ai.agent.id': 'supportAgent',
        'gen_ai.agent.name': 'Support Agent',
      },
      { name: 'chat gpt-4o' },
    );
    expect(event).toMatchObject({
      span_type: 'llm_call',
      agent_id: 'supportAgent',
      model: 'gpt-4o',
      provider: 'openai',
      tokens_input: 1000,
      tokens_output: 200,
      tokens_cache_read: 600,
      tokens_cache_write: 100,
      tokens_reasoning: 40,
    });
  });

  it('agent run and tool call', () => {
    expect(one({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.id': 'supportAgent', 'mastra.span.type': 'agent_run' }, { name: 'invoke_agent Support Agent' })).toMatchObject({
      span_type: 'agent_step',
      agent_id: 'supportAgent',
    });
    const tool = one({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookupOrder', 'gen_ai.tool.call.id': 'c1', 'gen_ai.tool.call.arguments': '{"id":1}' }, { name: 'execute_tool lookupOrder' }, CAPTURE);
    expect(tool).toMatchObject({ span_type: 'tool_call', decision_made: 'lookupOrder', input: '{"id":1}' });
  });
});

describe('Pydantic AI / Logfire (span names before the GenAI agent spans)', () => {
  it('"agent run" is the agent step; its run usage is the sum of its chat spans and is not counted again', () => {
    const event = one(
      {
        agent_name: 'support_agent',
        model_name: 'gpt-4o',
        'logfire.msg': 'support_agent run',
        'gen_ai.usage.input_tokens': 2100,
        'gen_ai.usage.output_tokens': 90,
        final_result: 'Refund issued',
        all_messages_events: '[{"role":"user","content":"refund"}]',
      },
      { name: 'agent run' },
      CAPTURE,
    );
    expect(event).toMatchObject({ span_type: 'agent_step', agent_id: 'support_agent', output: 'Refund issued' });
    expect(event.tokens_input).toBeUndefined();
    expect(event.model).toBeUndefined();
    expect(event.attributes).toEqual({
      model_name: 'gpt-4o',
      'logfire.msg': 'support_agent run',
      'gen_ai.usage.input_tokens': 2100,
      'gen_ai.usage.output_tokens': 90,
      'otel.scope.name': 'sightline-test',
      'otel.scope.version': '1.0.0',
      'resource.service.name': 'svc',
    });
  });

  it('"running tool" becomes a tool call named after its tool, with its arguments and response as content', () => {
    const event = one(
      { 'gen_ai.tool.name': 'get_order', 'gen_ai.tool.call.id': 'call_1', tool_arguments: '{"id":17}', tool_response: 'shipped', 'logfire.msg': 'running tool: get_order' },
      { name: 'running tool' },
      CAPTURE,
    );
    expect(event).toMatchObject({ span_type: 'tool_call', name: 'get_order', decision_made: 'get_order', input: '{"id":17}', output: 'shipped' });
  });
});

describe('Pydantic AI 1.x (GenAI span names, no gen_ai.operation.name)', () => {
  it('"invoke_agent {name}" is a roll-up agent step; "execute_tool {name}" a tool call', () => {
    const run = one(
      {
        'gen_ai.agent.name': 'support_agent',
        agent_name: 'support_agent',
        model_name: 'gpt-4o',
        'logfire.msg': 'support_agent run',
        'gen_ai.usage.input_tokens': 2100,
        'gen_ai.usage.output_tokens': 90,
        'pydantic_ai.all_messages': '[]',
      },
      { name: 'invoke_agent support_agent', kind: 1 },
    );
    expect([run.span_type, run.agent_id, run.tokens_input, run.attributes['gen_ai.usage.input_tokens']]).toEqual(['agent_step', 'support_agent', undefined, 2100]);
    expect(Object.keys(run.attributes)).not.toContain('pydantic_ai.all_messages');
    expect(one({ 'gen_ai.tool.call.id': 'c' }, { name: 'execute_tool get_order' })).toMatchObject({ span_type: 'tool_call', decision_made: 'get_order' });
  });
});

describe('Google ADK (gcp.vertex.agent)', () => {
  it('call_llm: model call with the ADK session; gen_ai.system names the framework, not a provider', () => {
    const event = one(
      {
        'gen_ai.system': 'gcp.vertex.agent',
        'gen_ai.request.model': 'gemini-2.5-flash',
        'gcp.vertex.agent.invocation_id': 'e-1',
        'gcp.vertex.agent.session_id': 'sess-adk',
        'gcp.vertex.agent.event_id': 'ev-1',
        'gcp.vertex.agent.llm_request': '{"model":"gemini-2.5-flash","contents":[]}',
        'gcp.vertex.agent.llm_response': '{"content":{"parts":[{"text":"sunny"}]}}',
        'gen_ai.usage.input_tokens': 400,
        'gen_ai.usage.output_tokens': 30,
        'gen_ai.response.finish_reasons': ['stop'],
      },
      { name: 'call_llm' },
      CAPTURE,
    );
    expect(event).toMatchObject({
      span_type: 'llm_call',
      model: 'gemini-2.5-flash',
      session_id: 'sess-adk',
      tokens_input: 400,
      tokens_output: 30,
      input: '{"model":"gemini-2.5-flash","contents":[]}',
      output: '{"content":{"parts":[{"text":"sunny"}]}}',
    });
    expect(event.provider).toBeUndefined();
    expect(event.attributes).toMatchObject({ 'gen_ai.system': 'gcp.vertex.agent', 'gcp.vertex.agent.invocation_id': 'e-1' });
  });

  it('invoke_agent and execute_tool', () => {
    expect(one({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'weather_agent', 'gen_ai.conversation.id': 'sess-adk' }, { name: 'invoke_agent weather_agent' })).toMatchObject({
      span_type: 'agent_step',
      agent_id: 'weather_agent',
      session_id: 'sess-adk',
    });
    const tool = one(
      { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.type': 'FunctionTool', 'gcp.vertex.agent.tool_call_args': '{"city":"Paris"}', 'gcp.vertex.agent.tool_response': '{"result":"sunny"}' },
      { name: 'execute_tool get_weather' },
      CAPTURE,
    );
    expect(tool).toMatchObject({ span_type: 'tool_call', decision_made: 'get_weather', input: '{"city":"Paris"}', output: '{"result":"sunny"}' });
  });
});

describe('MCP (semantic-conventions-genai mcp spans)', () => {
  it('tools/call on the client is a tool call with the MCP session', () => {
    const event = one(
      { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'get_weather', 'mcp.session.id': 'mcp-sess-1', 'jsonrpc.request.id': '5', 'gen_ai.tool.call.arguments': '{"city":"Oslo"}' },
      { name: 'tools/call get_weather', kind: CLIENT },
      CAPTURE,
    );
    expect(event).toMatchObject({ span_type: 'tool_call', decision_made: 'get_weather', session_id: 'mcp-sess-1', input: '{"city":"Oslo"}' });
  });

  it('the tool name comes from the span name when no attribute carries it; other methods stay custom', () => {
    expect(one({ 'mcp.method.name': 'tools/call', 'mcp.session.id': 's' }, { name: 'tools/call search_docs', kind: SERVER })).toMatchObject({ span_type: 'tool_call', decision_made: 'search_docs' });
    const list = one({ 'mcp.method.name': 'tools/list', 'mcp.session.id': 's' }, { name: 'tools/list', kind: CLIENT });
    expect(list.span_type).toBeUndefined();
    expect(list.decision_made).toBeUndefined();
  });
});

describe('Vercel AI SDK names', () => {
  it('doGenerate from AI SDK 4 (promptTokens/completionTokens, no gen_ai.usage) with the provider reduced to its first part', () => {
    const event = one(
      {
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.id': 'gpt-4o-mini',
        'ai.model.provider': 'openai.chat',
        'ai.usage.promptTokens': 300,
        'ai.usage.completionTokens': 40,
        'ai.telemetry.functionId': 'triage',
        'ai.telemetry.metadata.sessionId': 's-1',
        'ai.telemetry.metadata.userId': 'u-1',
        'ai.telemetry.metadata.plan': 'pro',
        'ai.prompt.messages': '[{"role":"user","content":"hi"}]',
        'ai.response.text': 'hello',
      },
      { name: 'ai.generateText.doGenerate' },
      CAPTURE,
    );
    expect(event).toMatchObject({
      span_type: 'llm_call',
      agent_id: 'triage',
      model: 'gpt-4o-mini',
      provider: 'openai',
      tokens_input: 300,
      tokens_output: 40,
      session_id: 's-1',
      user_id: 'u-1',
      input: '[{"role":"user","content":"hi"}]',
      output: 'hello',
    });
    expect(event.attributes).toMatchObject({ 'ai.operationId': 'ai.generateText.doGenerate', 'ai.telemetry.metadata.plan': 'pro' });
    expect(Object.keys(event.attributes)).not.toContain('ai.prompt.messages');
  });

  it('ai.toolCall without content capture keeps neither arguments nor result', () => {
    const event = one({ 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'search', 'ai.toolCall.id': 't1', 'ai.toolCall.args': '{"q":"x"}', 'ai.toolCall.result': '[]' }, { name: 'ai.toolCall' });
    expect(event).toMatchObject({ span_type: 'tool_call', name: 'search', decision_made: 'search' });
    expect(event.input).toBeUndefined();
    expect(Object.keys(event.attributes)).toEqual(['ai.operationId', 'ai.toolCall.name', 'ai.toolCall.id', 'otel.scope.name', 'otel.scope.version', 'resource.service.name']);
  });
});

describe('GenAI conventions: roll-ups', () => {
  it('invoke_agent counts its usage only as a CLIENT span (a remote agent)', () => {
    const attributes = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'a', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 2 };
    expect(one(attributes, { kind: CLIENT })).toMatchObject({ span_type: 'agent_step', model: 'gpt-4o', tokens_input: 10, tokens_output: 2 });
    const internal = one(attributes, { kind: 1 });
    expect([internal.span_type, internal.model, internal.tokens_input]).toEqual(['agent_step', undefined, undefined]);
    expect(internal.attributes['gen_ai.usage.input_tokens']).toBe(10);
  });

  it('invoke_workflow never counts usage; plan is an agent step; search_memory a retrieval', () => {
    expect(one({ 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.usage.input_tokens': 10 }, { kind: CLIENT }).tokens_input).toBeUndefined();
    expect(one({ 'gen_ai.operation.name': 'plan' }).span_type).toBe('agent_step');
    expect(one({ 'gen_ai.operation.name': 'search_memory', 'gen_ai.memory.query.text': 'prefs' }).span_type).toBe('retrieval');
  });
});

describe('OpenInference run metadata', () => {
  it('provider, model and user from LangChain metadata when no attribute names them; attributes win', () => {
    const metadata = '{"ls_provider":"anthropic","ls_model_name":"claude-3-5-haiku","user_id":"u-7","thread_id":"t-1"}';
    expect(one({ 'openinference.span.kind': 'LLM', metadata })).toMatchObject({ provider: 'anthropic', model: 'claude-3-5-haiku', user_id: 'u-7', session_id: 't-1' });
    expect(one({ 'openinference.span.kind': 'LLM', metadata, 'llm.provider': 'openai', 'llm.model_name': 'gpt-4o', 'user.id': 'u-1' })).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o',
      user_id: 'u-1',
    });
  });

  it('metadata that is not a JSON object is kept as an attribute and read for nothing', () => {
    for (const metadata of ['{not json', '["a"]', 'plain']) {
      const event = one({ 'openinference.span.kind': 'LLM', metadata });
      expect([event.provider, event.user_id, event.attributes.metadata]).toEqual([undefined, undefined, metadata]);
    }
  });

  it('embedding.model_name is the model of an EMBEDDING span', () => {
    expect(one({ 'openinference.span.kind': 'EMBEDDING', 'embedding.model_name': 'text-embedding-3-small', 'llm.system': 'openai' })).toMatchObject({
      span_type: 'embedding',
      model: 'text-embedding-3-small',
      provider: 'openai',
    });
  });
});

describe('bad framework input', () => {
  it('a non-numeric token count rejects that span by name, as for any span', () => {
    const event = one({ 'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'gpt-4o-mini', 'ai.usage.inputTokens': 'lots' });
    const result = validateEvent(event, 0, { project: 'p', now: NOW, limits: DEFAULT_LIMITS });
    expect(result).toEqual({ ok: false, problems: [{ index: 0, field: 'tokens_input', error: 'tokens_input: must be a non-negative integer, got "lots"' }] });
  });
});
