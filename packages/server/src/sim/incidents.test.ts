import { describe, expect, it } from 'vitest';
import { createFleet, type FleetConfig } from './fleet.js';
import type { Incident } from './incidents.js';
import { simulateToArray } from './simulate.js';
import type { SimEvent } from './trace.js';

const T0 = Date.UTC(2025, 0, 6, 12, 0, 0);
const MINUTE = 60_000;
const window = { from: T0, to: T0 + 40 * MINUTE };
const start = T0 + 10 * MINUTE;
const durationMs = 20 * MINUTE;
const inWindow = (e: SimEvent): boolean => e.timestamp >= start && e.timestamp < start + durationMs;

const runs = new Map<string, SimEvent[]>();

/** 40 minutes of 8 agents at 120 traces/min each (~240 000 events); runs are reused, never mutated. */
function run(incidents: Incident[], config: Partial<FleetConfig> = {}): SimEvent[] {
  const key = JSON.stringify([incidents, config]);
  let events = runs.get(key);
  if (events === undefined) {
    events = simulateToArray(createFleet({ seed: 21, agents: 8, tracesPerMinutePerAgent: 120, ...config, incidents }), window);
    runs.set(key, events);
  }
  return events;
}

function errorRate(events: SimEvent[]): { n: number; rate: number } {
  return { n: events.length, rate: events.filter((e) => e.error !== undefined).length / events.length };
}

/** Pairs each span of a run with an incident with the same span without it (same ids, same draws). */
function paired(withIncident: SimEvent[], baseline: SimEvent[]): [SimEvent, SimEvent][] {
  const byId = new Map(baseline.map((e) => [e.trace_id + e.span_id, e]));
  return withIncident.map((e) => [e, byId.get(e.trace_id + e.span_id)!]);
}

describe('incidents', () => {
  it('error_spike: the decision fails at the configured rate inside the window, never outside', () => {
    const events = run([{ kind: 'error_spike', decision: 'refund', start, durationMs, errorRate: 0.4 }]);
    const refunds = events.filter((e) => e.decision_made === 'refund');
    const inside = errorRate(refunds.filter(inWindow));
    const outside = errorRate(refunds.filter((e) => !inWindow(e)));
    // Binomial(n ≈ 940, 0.4): sd ≈ 0.016.
    expect(inside.n).toBeGreaterThan(800);
    expect(Math.abs(inside.rate - 0.4)).toBeLessThan(0.05);
    // refund has no base error rate, so outside the window it never fails.
    expect(outside.n).toBeGreaterThan(800);
    expect(outside.rate).toBe(0);
    // Other decisions are untouched (base errors off).
    const quiet = run([{ kind: 'error_spike', decision: 'refund', start, durationMs, errorRate: 0.4 }], { baseErrorScale: 0 });
    expect(quiet.filter((e) => e.error !== undefined && e.decision_made !== undefined).every((e) => e.decision_made === 'refund')).toBe(true);
    // The failing tool span and the root carry the same error.
    const failed = refunds.find((e) => e.error !== undefined)!;
    const trace = events.filter((e) => e.trace_id === failed.trace_id);
    expect(trace.filter((e) => e.error !== undefined).map((e) => e.span_type)).toEqual(['agent_step', 'decision', 'tool_call']);
  });

  it('error_spike on one agent leaves the same decision of other agents alone', () => {
    const events = run([{ kind: 'error_spike', agent: 'support-2', decision: 'refund', start, durationMs, errorRate: 0.5 }]);
    const refunds = events.filter((e) => e.decision_made === 'refund' && inWindow(e));
    expect(errorRate(refunds.filter((e) => e.agent_id === 'support-1')).rate).toBe(0);
    expect(Math.abs(errorRate(refunds.filter((e) => e.agent_id === 'support-2')).rate - 0.5)).toBeLessThan(0.07);
  });

  it('latency_regression multiplies the latency of that model inside the window only', () => {
    const model = 'claude-sonnet-4-20250514';
    const baseline = run([], { baseErrorScale: 0 });
    const slowed = run([{ kind: 'latency_regression', model, start, durationMs, factor: 3 }], { baseErrorScale: 0 });
    let inside = 0;
    const wrong: string[] = [];
    for (const [e, b] of paired(slowed, baseline)) {
      if (e.model === undefined) continue;
      // Latencies have 0.1 ms resolution: allow the rounding.
      if (e.model === model && inWindow(e)) {
        inside++;
        if (Math.abs(e.latency_ms - 3 * b.latency_ms) > 0.2) wrong.push(`${e.latency_ms} vs 3 × ${b.latency_ms}`);
      } else if (e.latency_ms !== b.latency_ms) {
        wrong.push(`${e.model} changed outside: ${e.latency_ms} vs ${b.latency_ms}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(inside).toBeGreaterThan(1000);
  });

  it('cost_drift multiplies tokens and cost of that model for that agent inside the window', () => {
    const model = 'gpt-4o';
    const baseline = run([], { baseErrorScale: 0 });
    const drifted = run([{ kind: 'cost_drift', agent: 'research-1', model, start, durationMs, factor: 2 }], { baseErrorScale: 0 });
    let costIn = 0;
    let costBase = 0;
    const wrong: string[] = [];
    for (const [e, b] of paired(drifted, baseline)) {
      if (e.model === undefined) continue;
      if (e.model === model && e.agent_id === 'research-1' && inWindow(e)) {
        costIn += e.cost_usd!;
        costBase += b.cost_usd!;
        // Tokens are rounded after scaling.
        if (Math.abs(e.tokens_input! - 2 * b.tokens_input!) > 1.5 || Math.abs(e.tokens_output! - 2 * b.tokens_output!) > 1.5) {
          wrong.push(`${e.tokens_input}/${e.tokens_output} vs 2 × ${b.tokens_input}/${b.tokens_output}`);
        }
      } else if (e.tokens_input !== b.tokens_input || e.cost_usd !== b.cost_usd) {
        wrong.push(`changed outside: ${e.agent_id} ${e.model}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(Math.abs(costIn / costBase - 2)).toBeLessThan(0.01);
  });

  it('token_efficiency_drop: input tokens × factor, output ÷ factor, for that agent only', () => {
    const baseline = run([], { baseErrorScale: 0 });
    const dropped = run([{ kind: 'token_efficiency_drop', agent: 'coding-1', start, durationMs, factor: 2 }], { baseErrorScale: 0 });
    let input = 0;
    let inputBase = 0;
    let output = 0;
    let outputBase = 0;
    let changedElsewhere = 0;
    for (const [e, b] of paired(dropped, baseline)) {
      if (e.model === undefined) continue;
      if (e.agent_id === 'coding-1' && inWindow(e)) {
        input += e.tokens_input!;
        inputBase += b.tokens_input!;
        output += e.tokens_output!;
        outputBase += b.tokens_output!;
      } else if (e.tokens_input !== b.tokens_input || e.tokens_output !== b.tokens_output) {
        changedElsewhere++;
      }
    }
    expect(changedElsewhere).toBe(0);
    expect(Math.abs(input / inputBase - 2)).toBeLessThan(0.01);
    expect(Math.abs(output / outputBase - 0.5)).toBeLessThan(0.01);
  });

  it('new_decision never appears before its start, then takes its share of the first decision', () => {
    const events = run([{ kind: 'new_decision', agent: 'support-1', decision: 'offer_store_credit', start, share: 0.2 }]);
    const novel = events.filter((e) => e.decision_made === 'offer_store_credit');
    expect(novel.every((e) => e.timestamp >= start && e.agent_id === 'support-1' && e.name === 'route')).toBe(true);
    const routesAfter = events.filter((e) => e.agent_id === 'support-1' && e.name === 'route' && e.timestamp >= start);
    expect(Math.abs(novel.length / routesAfter.length - 0.2)).toBeLessThan(0.03);
    // Its action is a tool call of the same name, under the decision span.
    const action = events.find((e) => e.parent_span_id === novel[0]!.span_id)!;
    expect([action.span_type, action.name]).toEqual(['tool_call', 'offer_store_credit']);
  });

  it('new_decision with a duration disappears again', () => {
    const events = run([{ kind: 'new_decision', agent: 'support-1', decision: 'offer_store_credit', start, durationMs }]);
    const times = events.filter((e) => e.decision_made === 'offer_store_credit').map((e) => e.timestamp);
    expect(times.length).toBeGreaterThan(100);
    expect(times.every((t) => t >= start && t < start + durationMs)).toBe(true);
  });

  it('cohort_failure: traces of the cohort fail at their first LLM call at the configured rate', () => {
    const events = run([{ kind: 'cohort_failure', attribute: 'input_category', value: 'returns', errorRate: 0.5, start, durationMs }], { baseErrorScale: 0 });
    const roots = events.filter((e) => e.parent_span_id === null);
    const cohort = roots.filter((e) => e.attributes['input_category'] === 'returns');
    const inside = errorRate(cohort.filter(inWindow));
    expect(inside.n).toBeGreaterThan(200);
    expect(Math.abs(inside.rate - 0.5)).toBeLessThan(0.07);
    expect(errorRate(cohort.filter((e) => !inWindow(e))).rate).toBe(0);
    expect(errorRate(roots.filter((e) => e.attributes['input_category'] !== 'returns')).rate).toBe(0);
    const failedLlm = events.filter((e) => e.span_type === 'llm_call' && e.error !== undefined);
    expect(new Set(failedLlm.map((e) => `${e.error!.type}:${e.name}`))).toEqual(new Set(['schema_validation:classify_intent']));
  });

  it('incidents() lists what was injected, with ids, labels and ends', () => {
    const fleet = createFleet({
      seed: 1,
      incidents: [
        { kind: 'error_spike', decision: 'refund', start, durationMs, errorRate: 0.4 },
        { kind: 'new_decision', id: 'novel', agent: 'support-1', decision: 'offer_store_credit', start },
        { kind: 'latency_regression', model: 'gpt-4o', start, durationMs: 60_000, factor: 2.5, label: 'slow gpt-4o' },
      ],
    });
    expect(fleet.incidents().map(({ id, label, end }) => ({ id, label, end }))).toEqual([
      { id: 'inc-1', label: "error spike: 40% of 'refund' decisions fail", end: start + durationMs },
      { id: 'novel', label: "new decision: 'offer_store_credit' appears (support-1)", end: null },
      { id: 'inc-3', label: 'slow gpt-4o', end: start + 60_000 },
    ]);
  });

  it('rejects incidents that name what does not exist', () => {
    const bad = (incident: Incident): (() => unknown) => () => createFleet({ seed: 1, incidents: [incident] });
    expect(bad({ kind: 'error_spike', decision: 'teleport', start, durationMs, errorRate: 0.1 })).toThrow(
      "sim config: incidents[0].decision no agent makes decision 'teleport'",
    );
    expect(bad({ kind: 'latency_regression', model: 'gpt-9', start, durationMs, factor: 2 })).toThrow(
      "sim config: incidents[0].model names unknown model 'gpt-9'",
    );
    expect(bad({ kind: 'new_decision', agent: 'support-1', decision: 'refund', start })).toThrow(
      "sim config: incidents[0].decision 'refund' is already made by support-1; a new decision must be new",
    );
    expect(bad({ kind: 'cost_drift', agent: 'nobody', model: 'gpt-4o', start, durationMs, factor: 2 })).toThrow(
      "sim config: incidents[0].agent names unknown agent 'nobody'",
    );
  });
});
