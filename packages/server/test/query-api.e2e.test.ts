// Overview KPIs and trace search through HTTP, checked against the events sent; and 429 with
// Retry-After once the commit queue is full.

import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const MIN = 60_000;
const NOW = Date.now();
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** Two traces per agent in the last 30 minutes, the same shape an hour earlier with half the traffic. */
function traces() {
  const events: Record<string, unknown>[] = [];
  let n = 0;
  const add = (start: number, agent: string, decision: string, failed: boolean) => {
    const trace = hex(++n, 32);
    events.push(
      { trace_id: trace, span_id: hex(n * 10 + 1, 16), agent_id: agent, span_type: 'agent_step', name: 'handle', timestamp: start, latency_ms: 900 },
      { trace_id: trace, span_id: hex(n * 10 + 2, 16), parent_span_id: hex(n * 10 + 1, 16), agent_id: agent, span_type: 'llm_call', model: 'm1', timestamp: start + 10, latency_ms: 500, tokens_input: 100, tokens_output: 20, cost_usd: 0.01 },
      { trace_id: trace, span_id: hex(n * 10 + 3, 16), parent_span_id: hex(n * 10 + 1, 16), agent_id: agent, span_type: 'decision', decision_made: decision, confidence: 0.9, timestamp: start + 600, latency_ms: 5, ...(failed && { error: { type: 'ToolError', message: 'refund API down' } }) },
    );
    return trace;
  };
  const recent: string[] = [];
  ['a1', 'a2', 'a3'].forEach((agent, i) => {
    recent.push(add(NOW - 20 * MIN + i * 1000, agent, 'search', false));
    recent.push(add(NOW - 10 * MIN + i * 1000, agent, agent === 'a3' ? 'refund' : 'search', agent === 'a3'));
    add(NOW - 70 * MIN + i * 1000, agent, 'search', false);
  });
  return { events, recent };
}

describe('overview and trace search', () => {
  let server: RunningServer;
  const { events, recent } = traces();
  beforeAll(async () => {
    server = await startServer();
    expect((await request(`${server.url}/v1/events`, { key: server.adminKey, body: events })).body.accepted).toBe(events.length);
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  it('reports KPIs for the last hour and the hour before', async () => {
    const r = await request(`${server.url}/api/overview?from=${NOW - 60 * MIN}&to=${NOW}`, { key: server.adminKey });
    expect(r.status).toBe(200);
    expect(r.body.current).toMatchObject({ spans: 18, errors: 1, cost_usd: expect.closeTo(0.06, 9), tokens: 720, active_agents: 3 });
    expect(r.body.current.error_rate).toBeCloseTo(1 / 18, 12);
    expect(r.body.current.spans_per_min).toBeCloseTo(18 / 60, 12);
    expect(r.body.previous).toMatchObject({ spans: 9, errors: 0, tokens: 360, active_agents: 3 });
    // The project's data began 70 minutes ago: the current hour is covered, the hour before only
    // from its first minute with data, and rates and changes are over those covered lengths.
    const firstMinute = Math.floor((NOW - 70 * MIN) / MIN) * MIN;
    expect([r.body.covered, r.body.previous_covered]).toEqual([{ from: NOW - 60 * MIN, to: NOW }, { from: firstMinute, to: NOW - 60 * MIN }]);
    const previousMinutes = (NOW - 60 * MIN - firstMinute) / MIN;
    expect(r.body.previous.spans_per_min).toBeCloseTo(9 / previousMinutes, 12);
    expect(r.body.change.spans).toBeCloseTo(18 / 60 / (9 / previousMinutes) - 1, 12);
    expect(r.body.change.spans_per_min).toBeCloseTo(r.body.change.spans, 12);
    expect(r.body.change.errors).toBeNull();
  });

  it('divides rates by the time that has data and says when there is no previous period', async () => {
    // A 7-day view of data that began 70 minutes ago is about those 70 minutes, with nothing before.
    const r = await request(`${server.url}/api/overview?from=${NOW - 7 * 24 * 60 * MIN}&to=${NOW}`, { key: server.adminKey });
    const firstMinute = Math.floor((NOW - 70 * MIN) / MIN) * MIN;
    expect([r.body.covered, r.body.previous_covered]).toEqual([{ from: firstMinute, to: NOW }, null]);
    expect(r.body.current.spans).toBe(27);
    expect(r.body.current.spans_per_min).toBeCloseTo(27 / ((NOW - firstMinute) / MIN), 12);
    expect(r.body.current.cost_per_hour).toBeCloseTo(0.09 / ((NOW - firstMinute) / (60 * MIN)), 12);
    expect(r.body.change).toMatchObject({ spans: null, spans_per_min: null, cost_per_hour: null, error_rate: null });
    // A range ending in the future is covered up to now, not to its end.
    const ahead = await request(`${server.url}/api/overview?from=${NOW - 60 * MIN}&to=${NOW + 60 * MIN}`, { key: server.adminKey });
    expect(ahead.body.covered.from).toBe(NOW - 60 * MIN);
    expect(ahead.body.covered.to).toBeLessThan(NOW + 60 * MIN);
    expect(ahead.body.current.spans_per_min).toBeCloseTo(18 / ((ahead.body.covered.to - ahead.body.covered.from) / MIN), 9);
  });

  it('lists traces newest first with their summaries, and filters them', async () => {
    const r = await request(`${server.url}/api/traces?from=${NOW - 60 * MIN}&to=${NOW}`, { key: server.adminKey });
    expect(r.body.traces.map((t: { trace_id: string }) => t.trace_id)).toEqual([recent[5], recent[3], recent[1], recent[4], recent[2], recent[0]]);
    expect(r.body.traces[0]).toEqual({
      trace_id: recent[5],
      agent_id: 'a3',
      root_name: 'handle',
      start: NOW - 10 * MIN + 2000,
      duration_ms: 900,
      span_count: 3,
      error_count: 1,
      cost_usd: 0.01,
      tokens: 120,
      decisions: ['refund'],
    });
    const errors = await request(`${server.url}/api/traces?from=${NOW - 60 * MIN}&to=${NOW}&errors=1`, { key: server.adminKey });
    expect(errors.body.traces.map((t: { trace_id: string }) => t.trace_id)).toEqual([recent[5]]);
    const byAgent = await request(`${server.url}/api/traces?from=${NOW - 60 * MIN}&to=${NOW}&agent=a1&limit=1`, { key: server.adminKey });
    expect(byAgent.body.traces.map((t: { trace_id: string }) => t.trace_id)).toEqual([recent[1]]);
    // A time hint (`at`) finds the same spans, and a wrong hint falls back to the full lookup.
    const plain = await request(`${server.url}/api/traces/${recent[0]}`, { key: server.adminKey });
    const hinted = await request(`${server.url}/api/traces/${recent[0]}?at=${NOW - 20 * MIN}`, { key: server.adminKey });
    const wrongHint = await request(`${server.url}/api/traces/${recent[0]}?at=${NOW - 3 * 86_400_000}`, { key: server.adminKey });
    expect(hinted.body).toEqual(plain.body);
    expect(wrongHint.body).toEqual(plain.body);
    expect((await request(`${server.url}/api/traces/${recent[0]}?at=yesterday`, { key: server.adminKey })).status).toBe(400);
    const tree = await request(`${server.url}/api/traces/${recent[0]}`, { key: server.adminKey });
    expect(tree.body.tree).toEqual([{ span_id: hex(11, 16), children: [{ span_id: hex(12, 16), children: [] }, { span_id: hex(13, 16), children: [] }] }]);
  });
});

describe('backpressure', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const cfg = join(mkdtempSync(join(tmpdir(), 'sightline-bp-')), 'c.json');
    writeFileSync(cfg, JSON.stringify({ limits: { maxQueuedSpans: 500 }, groupCommit: { maxDelayMs: 50 } }));
    server = await startServer({ args: ['--config', cfg] });
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  it('answers 429 with Retry-After when the commit queue is full, and stores what it acknowledged', async () => {
    const batch = (k: number) => Array.from({ length: 400 }, (_, i) => ({ agent_id: 'bp', trace_id: hex(k * 1000 + i + 1, 32), timestamp: NOW }));
    const replies = await Promise.all(Array.from({ length: 6 }, (_, k) => request(`${server.url}/v1/events`, { key: server.adminKey, body: batch(k) })));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    for (const r of replies.filter((x) => x.status === 429)) {
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.body.error.message).toContain('limit 500');
    }
    const acked = replies.filter((r) => r.status === 200).length * 400;
    const counts = await request(`${server.url}/api/overview?from=${NOW - MIN}&to=${NOW + MIN}`, { key: server.adminKey });
    expect(counts.body.current.spans).toBe(acked);
  });
});
