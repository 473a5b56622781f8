import { describe, expect, it } from 'vitest';
import { createManualClock } from '../test/support/manual-clock.js';
import { memoryTransport } from '../test/support/memory-transport.js';
import { createSightline } from './client.js';
import type { SightlineOptions } from './config.js';

function setup(over: SightlineOptions = {}) {
  const transport = memoryTransport();
  const clock = createManualClock(1_700_000_000_000);
  const warnings: string[] = [];
  const sl = createSightline({ agentId: 'bot', transport, clock, flushOnExit: false, logger: { warn: (m) => warnings.push(m) }, ...over });
  return { sl, transport, clock, warnings };
}

describe('tracing', () => {
  it('nests spans through async context and times them', async () => {
    const { sl, transport, clock } = setup();
    const result = await sl.trace('handle ticket', { sessionId: 's1', userId: 'u1' }, async () => {
      await clock.advance(5);
      await sl.span('tool_call', 'search', async (s) => {
        s.setAttribute('query', 'refund policy');
        await clock.advance(20);
      });
      sl.span('llm_call', 'plan', (s) => s.set({ model: 'gpt-4o', provider: 'openai', tokensInput: 120, tokensOutput: 30 }));
      return 42;
    });
    expect(result).toBe(42);
    await sl.flush();
    const [search, plan, root] = transport.events;
    expect(root).toMatchObject({ span_type: 'agent_step', name: 'handle ticket', agent_id: 'bot', latency_ms: 25, session_id: 's1', user_id: 'u1', timestamp: 1_700_000_000_000 });
    expect(root?.parent_span_id).toBeUndefined();
    expect(root?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(root?.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(search).toMatchObject({ span_type: 'tool_call', name: 'search', trace_id: root?.trace_id, parent_span_id: root?.span_id, latency_ms: 20, attributes: { query: 'refund policy' }, session_id: 's1' });
    expect(plan).toMatchObject({ span_type: 'llm_call', parent_span_id: root?.span_id, model: 'gpt-4o', provider: 'openai', tokens_input: 120, tokens_output: 30, latency_ms: 0 });
    expect(transport.events).toHaveLength(3);
  });

  it('records errors and rethrows the very same error, sync and async', async () => {
    const { sl, transport } = setup();
    const boom = new TypeError('bad tool input');
    expect(() => sl.span('tool_call', 'sync', () => { throw boom; })).toThrow(boom);
    await expect(sl.trace('async', async () => { throw boom; })).rejects.toBe(boom);
    await sl.flush();
    expect(transport.events.map((e) => e.error)).toEqual([
      { type: 'TypeError', message: 'bad tool input' },
      { type: 'TypeError', message: 'bad tool input' },
    ]);
  });

  it('records explicit llm calls, tool calls and decisions as children of the current span', async () => {
    const { sl, transport } = setup();
    sl.trace('step', () => {
      sl.llmCall({ model: 'claude-sonnet-4', provider: 'anthropic', tokensInput: 1000, tokensOutput: 200, tokensCacheRead: 800, latencyMs: 900 });
      sl.toolCall('lookup_order', { latencyMs: 12, error: new Error('timeout') });
      sl.decision('route', { chosen: 'refund', confidence: 0.82, options: ['refund', 'escalate'] });
    });
    await sl.flush();
    const [llm, tool, decision, root] = transport.events;
    expect(llm).toMatchObject({ span_type: 'llm_call', name: 'claude-sonnet-4', tokens_input: 1000, tokens_cache_read: 800, latency_ms: 900, timestamp: 1_700_000_000_000 - 900, parent_span_id: root?.span_id });
    expect(tool).toMatchObject({ span_type: 'tool_call', name: 'lookup_order', latency_ms: 12, error: { type: 'Error', message: 'timeout' } });
    expect(decision).toMatchObject({ span_type: 'decision', name: 'route', decision_made: 'refund', confidence: 0.82, attributes: { options: ['refund', 'escalate'] } });
  });

  it('sends content only when captureContent is on, capped', async () => {
    const off = setup();
    off.sl.llmCall({ model: 'm', input: 'secret prompt', output: 'answer' });
    await off.sl.flush();
    expect(off.transport.events[0]?.input).toBeUndefined();
    const on = setup({ captureContent: true, maxContentChars: 6 });
    on.sl.llmCall({ model: 'm', input: [{ role: 'user' }], output: 'answer!!' });
    await on.sl.flush();
    expect(on.transport.events[0]).toMatchObject({ input: '[{"rol', output: 'answer' });
  });
});

describe('startSpan', () => {
  it('is a child of the current span but does not become current', async () => {
    const { sl, transport, clock } = setup();
    await sl.trace('root', async (root) => {
      const manual = sl.startSpan('retrieval', 'vector search', { attributes: { k: 5 } });
      expect(sl.currentSpan()?.spanId).toBe(root.spanId);
      await clock.advance(7);
      manual.end();
      manual.end();
    });
    await sl.flush();
    const [manual, root] = transport.events;
    expect(manual).toMatchObject({ span_type: 'retrieval', name: 'vector search', parent_span_id: root?.span_id, latency_ms: 7, attributes: { k: 5 } });
    expect(transport.events).toHaveLength(2);
  });
});

describe('sampling', () => {
  it('keeps whole traces at the sampled fraction and always keeps traces with errors', async () => {
    const draws = [0.9, 0.1, 0.9];
    const { sl, transport } = setup({ sampleRate: 0.5, random: () => draws.shift() ?? 0 });
    sl.trace('dropped', () => sl.span('tool_call', 'child', () => 1));
    sl.trace('kept', () => sl.span('tool_call', 'child', () => 1));
    try {
      sl.trace('failed', () => {
        sl.span('tool_call', 'ok-child', () => 1);
        sl.span('tool_call', 'bad-child', () => { throw new Error('x'); });
      });
    } catch {
      // expected
    }
    await sl.flush();
    expect(transport.events.map((e) => e.name)).toEqual(['child', 'kept', 'ok-child', 'bad-child', 'failed']);
    expect(sl.stats()).toMatchObject({ sent: 5, sampledOut: 2 });
  });
});

describe('never breaks the agent', () => {
  it('survives cyclic attributes, a throwing logger and calls after shutdown', async () => {
    const transport = memoryTransport();
    const sl = createSightline({ transport, flushOnExit: false, logger: { warn: () => { throw new Error('logger down'); } } });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    sl.span('custom', 'cyclic', (s) => s.set({ attributes: cyclic }));
    sl.span('custom', 'fine', () => 1);
    await sl.flush();
    expect(transport.events.map((e) => e.name)).toEqual(['fine']);
    expect(sl.stats()).toMatchObject({ sent: 1, failed: 1 });
    await sl.shutdown();
    expect(sl.span('custom', 'late', () => 'still runs')).toBe('still runs');
    sl.llmCall({ model: 'x' });
    expect(sl.stats()).toMatchObject({ dropped: 2 });
  });

  it('replaces invalid options by defaults instead of throwing', () => {
    const warnings: string[] = [];
    createSightline({ sampleRate: 7, maxBatchSize: -1, flushOnExit: false, transport: memoryTransport(), logger: { warn: (m) => warnings.push(m) } });
    expect(warnings).toEqual(['option maxBatchSize=-1 must be a number in [1, 100000]; using 500', 'option sampleRate=7 must be a number in [0, 1]; using 1']);
  });
});
