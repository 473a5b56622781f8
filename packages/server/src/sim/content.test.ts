import { describe, expect, it } from 'vitest';
import { createFleet } from './fleet.js';
import { simulateToArray } from './simulate.js';

const T = Date.UTC(2025, 0, 6, 10);

describe('simulated content', () => {
  it('is off by default and changes no other field when on', () => {
    const plain = simulateToArray(createFleet({ seed: 3, agents: 4 }), { from: T, to: T + 120_000 });
    const rich = simulateToArray(createFleet({ seed: 3, agents: 4, content: true }), { from: T, to: T + 120_000 });
    expect(plain.some((e) => e.input !== undefined || e.output !== undefined)).toBe(false);
    expect(rich.map(({ input: _i, output: _o, ...rest }) => rest)).toEqual(plain);
  });

  it('gives the root the request and answer, model calls the conversation so far, tools their arguments and results', () => {
    const events = simulateToArray(createFleet({ seed: 3, agents: 1, content: true, baseErrorScale: 0 }), { from: T, to: T + 600_000 });
    const trace = events.filter((e) => e.trace_id === events.find((x) => x.name === 'lookup_order')!.trace_id);
    const [root] = trace;
    expect(root!.input).toBeTypeOf('string');
    expect(root!.output).toContain(root!.input!);
    const tool = trace.find((e) => e.name === 'lookup_order')!;
    expect(JSON.parse(tool.input!)).toEqual({ order_id: `ORD-${tool.trace_id.slice(0, 6).toUpperCase()}` });
    expect(JSON.parse(tool.output!)).toEqual({ status: 'delivered', items: 2, total_usd: 84.5 });
    const reply = trace.filter((e) => e.span_type === 'llm_call').at(-1)!;
    const messages = JSON.parse(reply.input!) as { role: string; tool_calls?: { function: { name: string } }[] }[];
    expect(messages.map((m) => m.role).slice(0, 2)).toEqual(['system', 'user']);
    expect(messages.filter((m) => m.role === 'assistant').map((m) => m.tool_calls![0]!.function.name)).toEqual(
      trace.filter((e) => e.span_type === 'tool_call').map((e) => e.name),
    );
    expect(JSON.parse(reply.output!)).toEqual([{ role: 'assistant', content: root!.output }]);
  });
});
