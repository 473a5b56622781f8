// The insight engine through HTTP, on eleven simulated hours with labelled incidents: each test
// asserts the exact finding, and figures that can be recomputed from the raw events are.
//
//   00:00–06:00  normal traffic (baseline; no cohort may be flagged here)
//   06:00–06:30  latency of gpt-4o ×4 and 60% of `refund` decisions fail (the correlated pair)
//   07:00–08:00  cost drift: research-1's gpt-4o calls use ×3 tokens
//   08:00–09:00  cohort failure: 40% of input_category=returns traces fail
//   09:00–10:00  token efficiency drop of coding-1 (input ×2.5, output ÷2.5)
//   10:00–11:00  support-2 starts choosing the new decision offer_store_credit 90% of the time

import { formatMs } from '@sightline/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleet, simulateToArray, type SimEvent } from '../src/sim/index.js';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';
import { expectSameFigures } from './support/figures.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2025, 2, 3, 0, 0, 0);
const at = (h: number, m = 0) => T0 + h * HOUR + m * MIN;

const fleet = createFleet({
  seed: 5,
  agents: 8,
  tracesPerMinutePerAgent: 6,
  incidents: [
    { kind: 'latency_regression', model: 'gpt-4o', start: at(6), durationMs: 30 * MIN, factor: 4 },
    { kind: 'error_spike', decision: 'refund', start: at(6), durationMs: 30 * MIN, errorRate: 0.6 },
    { kind: 'cost_drift', agent: 'research-1', model: 'gpt-4o', start: at(7), durationMs: HOUR, factor: 3 },
    { kind: 'cohort_failure', attribute: 'input_category', value: 'returns', start: at(8), durationMs: HOUR, errorRate: 0.4 },
    { kind: 'token_efficiency_drop', agent: 'coding-1', start: at(9), durationMs: HOUR, factor: 2.5 },
    { kind: 'new_decision', agent: 'support-2', decision: 'offer_store_credit', start: at(10), durationMs: HOUR, share: 0.9 },
  ],
});
const events: SimEvent[] = simulateToArray(fleet, { from: T0, to: at(11) });

let server: RunningServer;
const get = async (path: string) => {
  const r = await request(`${server.url}${path}`, { key: server.adminKey });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};

/** Traces of the raw events, spans in time order. */
function tracesOf(list: SimEvent[]): SimEvent[][] {
  const byId = new Map<string, SimEvent[]>();
  for (const e of list) byId.set(e.trace_id, [...(byId.get(e.trace_id) ?? []), e]);
  return [...byId.values()].map((t) => t.sort((a, b) => a.timestamp - b.timestamp));
}
const traces = tracesOf(events);

function entropy(counts: Map<string, number>): number {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return -[...counts.values()].reduce((h, c) => h + (c / total) * Math.log2(c / total), 0);
}

beforeAll(async () => {
  server = await startServer();
  for (let i = 0; i < events.length; i += 5000) {
    const r = await request(`${server.url}/v1/events`, { key: server.adminKey, body: events.slice(i, i + 5000) });
    expect(r.status).toBe(200);
  }
}, 180_000);

afterAll(async () => {
  await server?.stop({ remove: true });
});

describe('insights over HTTP', () => {
  it('ranks paths by spend, equal to sums over the raw events, before and after materialization', async () => {
    const path = `/api/insights/paths?from=${at(7)}&to=${at(8)}`;
    const live = await get(path);
    const report = await request(`${server.url}/api/insights/materialize`, { method: 'POST', key: server.adminKey });
    expect(report.status).toBe(200);
    expect(report.body.hours).toContain(at(7));
    const materialized = await get(path);
    expectSameFigures(materialized, live);

    const expected = new Map<string, { cost: number; traces: number }>();
    for (const t of traces) {
      if (t[0]!.timestamp < at(7) || t[0]!.timestamp >= at(8)) continue;
      const decisions = t.filter((e) => e.decision_made !== undefined).map((e) => e.decision_made);
      const key = decisions.length > 0 ? decisions.join(' → ') : '(no decision)';
      const acc = expected.get(key) ?? { cost: 0, traces: 0 };
      acc.cost += t.reduce((s, e) => s + (e.cost_usd ?? 0), 0);
      acc.traces++;
      expected.set(key, acc);
    }
    const [topPath, top] = [...expected].sort((a, b) => b[1].cost - a[1].cost)[0]!;
    expect(materialized.paths[0].path).toBe(topPath);
    expect(materialized.paths[0].cost_usd).toBeCloseTo(top.cost, 9);
    expect(materialized.paths[0].traces).toBe(top.traces);
    expect(materialized.paths.length).toBe(Math.min(50, expected.size));
    for (const p of materialized.paths) expect(p.cost_usd).toBeCloseTo(expected.get(p.path)!.cost, 9);
    // The cost drift makes research paths (gpt-4o) dearer than the hour before.
    expect(topPath).toMatch(/^(web_search|query_internal_docs|answer_directly)$/);
    expect(materialized.paths[0].agents).toEqual(['research-1', 'research-2']);
    expect(materialized.paths[0].cost_change).toBeGreaterThan(0.5);
    expect(materialized.by_model[0].name).toBe('gpt-4o');
  });

  it('finds the latency regression of gpt-4o, upwards, outside its baseline band', async () => {
    const r = await get(`/api/insights/regressions?metric=latency_p95&group_by=model&interval=10m&from=${at(5)}&to=${at(7)}&baseline=previous&baseline_buckets=6`);
    const top = r.regressions[0];
    expect(top).toMatchObject({ group: 'gpt-4o', direction: 'up', worse: true });
    expect(top.bucket).toBeGreaterThanOrEqual(at(6));
    expect(top.bucket).toBeLessThan(at(6, 30));
    expect(top.value / top.expected).toBeGreaterThan(2);
    expect(new Set(r.regressions.filter((x: { worse: boolean; sigma: number }) => x.worse && x.sigma > 5).map((x: { group: string }) => x.group))).toEqual(new Set(['gpt-4o']));
    const series = r.series.find((s: { group: string }) => s.group === 'gpt-4o');
    const statuses = series.points.filter((p: { bucket: number }) => p.bucket >= at(6) && p.bucket < at(6, 30)).map((p: { status: string }) => p.status);
    expect(statuses).toEqual(['above', 'above', 'above']);
    expect(series.points[0].method).toBe('order_statistic');

    const cost = await get(`/api/insights/regressions?metric=cost_per_call&group_by=model&interval=1h&from=${at(7)}&to=${at(8)}&baseline=previous&baseline_buckets=6`);
    expect(cost.regressions[0]).toMatchObject({ group: 'gpt-4o', direction: 'up', bucket: at(7), worse: true });
  });

  it('correlates the latency of gpt-4o with the error rate of `refund` in one sentence', async () => {
    const r = await get(`/api/insights/correlations?from=${at(6)}&to=${at(6, 30)}&interval=10m&baseline_buckets=12`);
    const top = r.findings[0];
    const pair = new Set([`${top.a.dimension}:${top.a.group}:${top.a.metric}`, `${top.b.dimension}:${top.b.group}:${top.b.metric}`]);
    expect(pair).toEqual(new Set(['model:gpt-4o:latency_p95', 'decision:refund:error_rate']));
    expect(top.from).toBe(at(6));
    expect([at(6, 20), at(6, 30)]).toContain(top.to);
    const refund = events.filter((e) => e.decision_made === 'refund');
    const rate = (inside: (t: number) => boolean) => {
      const xs = refund.filter((e) => inside(e.timestamp));
      return xs.filter((e) => e.error !== undefined).length / xs.length;
    };
    const errors = top.a.metric === 'error_rate' ? top.a : top.b;
    // The error rate is pooled over the anomalous 10-minute buckets, the baseline over the 2 h before.
    expect(errors.value).toBeCloseTo(rate((t) => errors.buckets.includes(Math.floor(t / (10 * MIN)) * 10 * MIN)), 12);
    expect(errors.expected).toBeCloseTo(rate((t) => t >= at(4) && t < at(6)), 12);
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    const latency = top.a.metric === 'error_rate' ? top.b : top.a;
    const opening = `p95 latency of model gpt-4o +${formatMs(latency.value - latency.expected)} (${formatMs(latency.expected)} → ${formatMs(latency.value)}, ${Math.abs(latency.sigma).toFixed(1)}σ) while `;
    expect(top.sentence.slice(0, opening.length)).toBe(opening);
    expect(top.sentence).toContain(`error rate of decision refund rose ${pct(errors.expected)} → ${pct(errors.value)} (p<0.001)`);
    expect(top.sentence.endsWith(`, 2025-03-03 06:00–${new Date(top.to).toISOString().slice(11, 16)} UTC`)).toBe(true);
  });

  it('flags input_category=returns as the one failing cohort, and no cohort in normal hours', async () => {
    const r = await get(`/api/insights/cohorts?from=${at(8)}&to=${at(9)}`);
    expect(r.failing.map((c: { key: string; value: string }) => `${c.key}=${c.value}`)).toEqual(['input_category=returns']);
    const returns = r.failing[0];
    const roots = events.filter((e) => e.parent_span_id === null && e.timestamp >= at(8) && e.timestamp < at(9) && e.agent_id.startsWith('support'));
    const inCohort = roots.filter((e) => e.attributes.input_category === 'returns');
    const rest = roots.filter((e) => e.attributes.input_category !== 'returns');
    expect(returns).toMatchObject({ unit: 'trace', agents: ['support-1', 'support-2'], n: inCohort.length, errors: inCohort.filter((e) => e.error).length, rest_n: rest.length });
    expect(returns.q).toBeLessThan(0.001);
    expect(returns.lift).toBeGreaterThan(3);

    const quiet = await get(`/api/insights/cohorts?from=${at(1)}&to=${at(5)}`);
    expect(quiet.tested).toBeGreaterThan(20);
    expect(quiet.failing).toEqual([]);
  });

  it('reports the new decision with its first minute, and the entropy drop of support-2', async () => {
    const r = await get(`/api/insights/decisions?from=${at(10)}&to=${at(11)}&interval=10m`);
    const first = Math.min(...events.filter((e) => e.decision_made === 'offer_store_credit').map((e) => e.timestamp));
    expect(r.new_decisions.map((d: { agent: string; decision: string; first_seen: number }) => [d.agent, d.decision, d.first_seen])).toEqual([
      ['support-2', 'offer_store_credit', Math.floor(first / MIN) * MIN],
    ]);
    const counts = (from: number, to: number) => {
      const m = new Map<string, number>();
      for (const e of events) {
        if (e.agent_id === 'support-2' && e.decision_made !== undefined && e.timestamp >= from && e.timestamp < to) m.set(e.decision_made, (m.get(e.decision_made) ?? 0) + 1);
      }
      return m;
    };
    expect(r.entropy_drops.map((d: { agent: string }) => d.agent)).toEqual(['support-2']);
    const drop = r.entropy_drops[0];
    expect(drop.current_bits).toBeCloseTo(entropy(counts(at(10), at(11))), 9);
    expect(drop.baseline_bits).toBeCloseTo(entropy(counts(T0, at(10))), 9);
    expect(drop.change_bits).toBeLessThan(-1);
    const support2 = r.agents.find((a: { agent: string }) => a.agent === 'support-2');
    expect(support2.decisions[0]).toMatchObject({ decision: 'offer_store_credit', baseline_share: 0 });
    expect(support2.decisions[0].confidence_avg).toBeCloseTo(0.6, 1);
  });

  it('finds the token efficiency drop of coding-1 against the previous hours', async () => {
    const r = await get(`/api/insights/tokens?from=${at(9)}&to=${at(10)}&group_by=agent`);
    expect(r.drops.map((g: { group: string }) => g.group)).toEqual(['coding-1']);
    const ratio = (from: number, to: number) => {
      const xs = events.filter((e) => e.agent_id === 'coding-1' && e.timestamp >= from && e.timestamp < to);
      return xs.reduce((s, e) => s + (e.tokens_output ?? 0), 0) / xs.reduce((s, e) => s + (e.tokens_input ?? 0), 0);
    };
    const g = r.drops[0];
    expect(g.current.output_per_input).toBeCloseTo(ratio(at(9), at(10)), 12);
    expect(g.baseline.output_per_input).toBeCloseTo(ratio(at(3), at(9)), 12);
    expect(g.change.output_per_input).toBeLessThan(-0.8);
    expect(g.output_per_input_sigma).toBeLessThan(-3);
  });

  it('requires the read scope and checks its parameters', async () => {
    expect((await request(`${server.url}/api/insights/paths`)).status).toBe(401);
    const bad = await request(`${server.url}/api/insights/regressions?metric=nope`, { key: server.adminKey });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^metric: "nope" is not one of error_rate, /);
  });
});
