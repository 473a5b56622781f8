import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { modelCallCost } from './catalog.js';
import { createFleet } from './fleet.js';
import { simulate, simulateToArray } from './simulate.js';
import type { SimEvent } from './trace.js';

const T0 = Date.UTC(2025, 0, 6, 12, 0, 0);
const HOUR = 3_600_000;

function hashOf(events: SimEvent[]): string {
  return createHash('sha256').update(JSON.stringify(events)).digest('hex');
}

describe('simulate', () => {
  it('is deterministic: same seed, same events (pinned hash)', () => {
    const window = { from: T0, to: T0 + 15 * 60_000 };
    const a = simulateToArray(createFleet({ seed: 7 }), window);
    const b = simulateToArray(createFleet({ seed: 7 }), window);
    expect(hashOf(b)).toBe(hashOf(a));
    expect(a.length).toMatchInlineSnapshot(`35565`);
    expect(hashOf(a)).toMatchInlineSnapshot(`"2191ca290b48aac0ad4580ea9f0e31eec2bddbf55f23055a9ef6e6cecf8a4a50"`);
    expect(hashOf(simulateToArray(createFleet({ seed: 8 }), window))).not.toBe(hashOf(a));
  });

  it('a window split anywhere gives the same traces as the whole window', () => {
    const fleet = createFleet({ seed: 3 });
    const whole = simulateToArray(fleet, { from: T0, to: T0 + 10 * 60_000 });
    const cut = T0 + 4 * 60_000 + 12_345;
    const parts = [
      ...simulateToArray(fleet, { from: T0, to: cut }),
      ...simulateToArray(fleet, { from: cut, to: T0 + 10 * 60_000 }),
    ];
    expect(hashOf(parts)).toBe(hashOf(whole));
  });

  it('yields traces ordered by start, each root first, with valid parents and increasing timestamps', () => {
    const fleet = createFleet({ seed: 11, agents: 20 });
    // Collected rather than asserted one by one: expect() on 300 000 spans is slow.
    const problems: string[] = [];
    const problem = (event: SimEvent, what: string): void => {
      if (problems.length < 10) problems.push(`${event.trace_id}/${event.span_id}: ${what}`);
    };
    let previousStart = -Infinity;
    let traces = 0;
    let completed = 0;
    const traceIds = new Set<string>();
    for (const trace of simulate(fleet, { from: T0, to: T0 + HOUR })) {
      traces++;
      const root = trace[0]!;
      if (root.span_type !== 'agent_step' || root.parent_span_id !== null) problem(root, 'root is not first');
      if (root.timestamp < previousStart) problem(root, 'trace out of order');
      if (traceIds.has(root.trace_id)) problem(root, 'duplicate trace id');
      previousStart = root.timestamp;
      traceIds.add(root.trace_id);
      const seen = new Map<string, SimEvent>();
      let lastTimestamp = -Infinity;
      for (const event of trace) {
        if (!/^[0-9a-f]{32}$/.test(event.trace_id) || !/^[0-9a-f]{16}$/.test(event.span_id)) problem(event, 'bad id');
        if (event.trace_id !== root.trace_id || event.agent_id !== root.agent_id) problem(event, 'mixed trace');
        if (event.timestamp <= lastTimestamp) problem(event, 'timestamp does not increase');
        lastTimestamp = event.timestamp;
        if (seen.has(event.span_id)) problem(event, 'duplicate span id');
        if (event !== root) {
          const parent = seen.get(event.parent_span_id!);
          if (parent === undefined) problem(event, 'parent missing or later');
          // A child ends before its parent does, and a failed child fails its parent.
          else if (event.timestamp + event.latency_ms > parent.timestamp + parent.latency_ms) problem(event, 'outlives parent');
          else if (event.error !== undefined && parent.error !== event.error) problem(event, 'error not propagated');
        }
        if (event.span_type === 'decision' && !(typeof event.decision_made === 'string' && event.confidence! > 0 && event.confidence! < 1)) {
          problem(event, 'decision without decision_made/confidence');
        }
        seen.set(event.span_id, event);
      }
      // A trace that did not fail ends with its final LLM call, after a decision path.
      if (root.error === undefined) {
        completed++;
        const last = trace[trace.length - 1]!;
        if (last.span_type !== 'llm_call' || last.parent_span_id !== root.span_id) problem(last, 'no final llm_call');
        if (!trace.some((e) => e.span_type === 'decision')) problem(root, 'no decision');
      }
    }
    expect(problems).toEqual([]);
    expect(traces).toBeGreaterThan(20 * 40 * 60 * 0.5);
    expect(completed / traces).toBeGreaterThan(0.9);
  });

  it('cost_usd equals tokens × the simulator price, exactly, on every model span', () => {
    const fleet = createFleet({ seed: 5 });
    const events = simulateToArray(fleet, { from: T0, to: T0 + HOUR });
    const modelSpans = events.filter((e) => e.model !== undefined);
    expect(modelSpans.length).toBeGreaterThan(10_000);
    let sum = 0;
    let expected = 0;
    const mismatches: SimEvent[] = [];
    for (const e of modelSpans) {
      const model = fleet.models.get(e.model!)!;
      const price =
        ((e.tokens_input! - e.tokens_cache_read!) * model.priceInputPerMtok +
          e.tokens_cache_read! * model.priceCacheReadPerMtok +
          e.tokens_output! * model.priceOutputPerMtok) /
        1e6;
      const consistent =
        e.provider === model.provider &&
        e.tokens_cache_read! <= e.tokens_input! &&
        e.tokens_reasoning! <= e.tokens_output! &&
        e.cost_usd === price &&
        e.cost_usd === modelCallCost(model, e.tokens_input!, e.tokens_output!, e.tokens_cache_read!);
      if (!consistent) mismatches.push(e);
      sum += e.cost_usd!;
      expected += price;
    }
    expect(mismatches).toEqual([]);
    expect(sum).toBe(expected);
    expect(events.filter((e) => e.model === undefined).every((e) => e.cost_usd === undefined && e.tokens_input === undefined)).toBe(true);
  });

  it('costPresence leaves cost_usd out of about that share of model spans', () => {
    const events = simulateToArray(createFleet({ seed: 5, costPresence: 0.7 }), { from: T0, to: T0 + HOUR });
    const modelSpans = events.filter((e) => e.model !== undefined);
    const withCost = modelSpans.filter((e) => e.cost_usd !== undefined).length / modelSpans.length;
    expect(Math.abs(withCost - 0.7)).toBeLessThan(0.01);
  });

  it('traceIdPrefix starts every trace id', () => {
    const events = simulateToArray(createFleet({ seed: 5, traceIdPrefix: 'C0FFEE01' }), { from: T0, to: T0 + 60_000 });
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => /^c0ffee01[0-9a-f]{24}$/.test(e.trace_id))).toBe(true);
  });

  it('trace rate follows the configuration and the daily cycle', () => {
    const fleet = createFleet({ seed: 9, agents: 4, tracesPerMinutePerAgent: 60, seasonalityAmplitude: 0.5, peakHourUtc: 12 });
    const count = (from: number): number => [...simulate(fleet, { from, to: from + HOUR })].length;
    const peak = count(Date.UTC(2025, 0, 6, 11, 30));
    const trough = count(Date.UTC(2025, 0, 6, 23, 30));
    // Expected: 4 × 60 × 60 × (1 ± 0.5 × ~0.99) ≈ 21 500 and 7 300.
    expect(Math.abs(peak / (14_400 * 1.5) - 1)).toBeLessThan(0.03);
    expect(Math.abs(trough / (14_400 * 0.5) - 1)).toBeLessThan(0.04);
  });

  it('rejects bad configuration naming the field', () => {
    expect(() => createFleet({ seed: 1, agents: 0 })).toThrow('sim config: agents must be an integer 1..10000, got 0');
    expect(() => createFleet({ seed: 1, costPresence: 2 })).toThrow('sim config: costPresence must be within 0..1, got 2');
    expect(() => createFleet({ seed: 1, traceIdPrefix: 'xyz' })).toThrow("sim config: traceIdPrefix must be at most 16 hex digits, got 'xyz'");
  });
});
