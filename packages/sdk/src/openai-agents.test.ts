import { describe, expect, it } from 'vitest';
import { memoryTransport } from '../test/support/memory-transport.js';
import { createSightline } from './client.js';
import type { SightlineOptions } from './config.js';
import { createOpenAIAgentsProcessor, type AgentsSpan, type AgentsSpanData } from './openai-agents.js';

function setup(over: SightlineOptions = {}) {
  const transport = memoryTransport();
  const sl = createSightline({ agentId: 'svc', transport, flushOnExit: false, logger: { warn: () => {} }, ...over });
  return { sl, transport, processor: createOpenAIAgentsProcessor(sl) };
}

let next = 0;
function span(traceId: string, parentId: string | null, spanData: AgentsSpanData, error: AgentsSpan['error'] = null): AgentsSpan {
  return { traceId, spanId: `span_${++next}`, parentId, spanData, startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.250Z', error };
}

describe('OpenAI Agents processor', () => {
  it('maps a function error, keeps content only with captureContent, and times spans from the SDK clock', async () => {
    for (const captureContent of [false, true]) {
      const { sl, transport, processor } = setup({ captureContent });
      await processor.onTraceStart({ traceId: 'trace_1', name: 'wf', groupId: 'g-1', metadata: { userId: 'u-2' } });
      const agent = span('trace_1', null, { type: 'agent', name: 'billing' });
      const fn = span('trace_1', agent.spanId, { type: 'function', name: 'charge', input: '{"amount":5}', output: 'declined' }, { message: 'Error running tool', data: { tool_name: 'charge' } });
      await processor.onSpanStart(agent);
      await processor.onSpanStart(fn);
      await processor.onSpanEnd(fn);
      await processor.onSpanEnd(agent);
      await processor.onTraceEnd({ traceId: 'trace_1', name: 'wf', groupId: 'g-1' });
      await sl.flush();
      const [tool, root] = transport.events;
      expect(tool).toMatchObject({
        span_type: 'tool_call',
        name: 'charge',
        decision_made: 'charge',
        agent_id: 'billing',
        session_id: 'g-1',
        user_id: 'u-2',
        trace_id: 'trace_1',
        parent_span_id: agent.spanId,
        timestamp: Date.parse('2026-01-01T00:00:00.000Z'),
        latency_ms: 1250,
        error: { type: 'function_error', message: 'Error running tool' },
      });
      expect([tool?.input, tool?.output]).toEqual(captureContent ? ['{"amount":5}', 'declined'] : [undefined, undefined]);
      expect(root).toMatchObject({ span_type: 'agent_step', name: 'billing', agent_id: 'billing' });
      expect(root?.parent_span_id).toBeUndefined();
    }
  });

  it('samples whole integration traces and still keeps a trace with an error', async () => {
    const { sl, transport, processor } = setup({ sampleRate: 0 });
    for (const [traceId, failing] of [['trace_ok', false], ['trace_bad', true]] as const) {
      const root = span(traceId, null, { type: 'task', name: 'wf' });
      const child = span(traceId, root.spanId, { type: 'generation', model: 'gpt-4o', usage: { input_tokens: 5, output_tokens: 1 } }, failing ? { message: 'rate limited' } : null);
      await processor.onSpanStart(root);
      await processor.onSpanStart(child);
      await processor.onSpanEnd(child);
      await processor.onSpanEnd(root);
    }
    await sl.flush();
    expect(transport.events.map((e) => [e.trace_id, e.span_type])).toEqual([
      ['trace_bad', 'llm_call'],
      ['trace_bad', 'agent_step'],
    ]);
    expect(sl.stats().sampledOut).toBe(2);
  });

  it('unknown span types become custom events with their data as attributes', async () => {
    const { sl, transport, processor } = setup();
    await processor.onSpanEnd(span('trace_2', null, { type: 'mcp_tools', server: 'docs', result: ['search'] }));
    await sl.flush();
    expect(transport.events[0]).toMatchObject({ span_type: 'custom', name: 'mcp_tools', agent_id: 'svc', attributes: { 'agents.span_type': 'mcp_tools', server: 'docs', result: ['search'] } });
  });
});
