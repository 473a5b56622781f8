// Rollups agree with aggregates computed from the raw events; data survives a restart; the
// live tail carries committed spans.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RELATIVE_ERROR } from '../src/store/latency-sketch.js';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);

/** A deterministic spread of events over 3 hours: 4 agents, 3 models, some errors. */
function makeEvents(n: number) {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, (_, i) => ({
    timestamp: T0 + Math.floor(rnd() * 3 * HOUR),
    agent_id: `agent-${i % 4}`,
    trace_id: `${(i + 1).toString(16).padStart(32, '0')}`,
    span_type: 'llm_call',
    model: ['m-small', 'm-large', 'm-mid'][i % 3],
    tokens_input: 50 + Math.floor(rnd() * 500),
    tokens_output: 5 + Math.floor(rnd() * 100),
    latency_ms: Math.round(20 + rnd() * rnd() * 3000),
    cost_usd: Math.round(rnd() * 1e6) / 1e9,
    ...(rnd() < 0.07 && { error: { type: 'Timeout', message: 'upstream timed out' } }),
  }));
}

function exactQuantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

describe('rollups, restart and live tail', () => {
  let server: RunningServer;
  const events = makeEvents(6000);

  beforeAll(async () => {
    server = await startServer();
    for (let i = 0; i < events.length; i += 1000) {
      const r = await request(`${server.url}/v1/events`, { key: server.adminKey, body: events.slice(i, i + 1000) });
      expect(r.body.accepted).toBe(1000);
    }
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  const series = async (s: RunningServer, params: string) =>
    (await request(`${s.url}/api/timeseries?from=${T0}&to=${T0 + 3 * HOUR}&${params}`, { key: s.adminKey })).body.series as {
      group: string;
      points: [number, number | null][];
    }[];

  it('counts, errors, tokens and cost per agent per hour equal sums over the raw events', async () => {
    for (const [metric, value] of [
      ['count', () => 1],
      ['errors', (e: (typeof events)[number]) => ('error' in e ? 1 : 0)],
      ['tokens', (e: (typeof events)[number]) => e.tokens_input + e.tokens_output],
      ['cost', (e: (typeof events)[number]) => e.cost_usd],
    ] as const) {
      const got = await series(server, `metric=${metric}&interval=1h&group_by=agent`);
      const expected = new Map<string, number[]>();
      for (const e of events) {
        const arr = expected.get(e.agent_id) ?? [0, 0, 0];
        arr[Math.floor((e.timestamp - T0) / HOUR)]! += value(e);
        expected.set(e.agent_id, arr);
      }
      expect(got.map((s) => s.group)).toEqual(['agent-0', 'agent-1', 'agent-2', 'agent-3']);
      for (const s of got) {
        expect(s.points.map((p) => p[0])).toEqual([T0, T0 + HOUR, T0 + 2 * HOUR]);
        s.points.forEach(([, v], i) => expect(v).toBeCloseTo(expected.get(s.group)![i]!, 9));
      }
    }
  });

  it('minute and hour rollups agree, and p95 from the sketch is within its documented error', async () => {
    const byMinute = await series(server, 'metric=count&interval=15m&model=m-large');
    const byHour = await series(server, 'metric=count&interval=1h&model=m-large');
    const sum = (s: typeof byMinute) => s[0]!.points.reduce((a, [, v]) => a + (v ?? 0), 0);
    expect(sum(byMinute)).toBe(events.filter((e) => e.model === 'm-large').length);
    expect(sum(byHour)).toBe(sum(byMinute));

    const p95 = await series(server, 'metric=latency_p95&interval=1h&group_by=model');
    for (const s of p95) {
      for (const [bucket, v] of s.points) {
        const vals = events.filter((e) => e.model === s.group && e.timestamp >= bucket && e.timestamp < bucket + HOUR).map((e) => e.latency_ms);
        const exact = exactQuantile(vals, 0.95);
        expect(Math.abs(v! - exact) / exact).toBeLessThanOrEqual(MAX_RELATIVE_ERROR);
      }
    }
  });

  it('keeps every span across a restart on the same data directory', async () => {
    const countAll = async (s: RunningServer) => (await series(s, 'metric=count&interval=1h'))[0]!.points.reduce((a, [, v]) => a + (v ?? 0), 0);
    expect(await countAll(server)).toBe(events.length);
    const { dataDir, adminKey } = server;
    expect(await server.stop()).toBe(0);
    server = await startServer({ dataDir, adminKey });
    expect(await countAll(server)).toBe(events.length);
    const t = await request(`${server.url}/api/traces/${events[123]!.trace_id}`, { key: adminKey });
    expect(t.body.spans[0]).toMatchObject({ agent_id: events[123]!.agent_id, tokens_input: events[123]!.tokens_input });
  });

  it('streams committed spans to a live tail, filtered by agent', async () => {
    const controller = new AbortController();
    const res = await fetch(`${server.url}/api/live?agent=live-agent`, { headers: { authorization: `Bearer ${server.adminKey}` }, signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const nextEvent = async (name: string): Promise<string> => {
      for (;;) {
        const m = new RegExp(`event: ${name}\\ndata: (.*)\\n`).exec(buffer);
        if (m) {
          buffer = buffer.slice(m.index + m[0].length);
          return m[1]!;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    };
    await nextEvent('ready');
    const now = Date.now();
    await request(`${server.url}/v1/events`, {
      key: server.adminKey,
      body: [
        { agent_id: 'other-agent', timestamp: now, span_type: 'tool_call', name: 'skip-me' },
        { agent_id: 'live-agent', timestamp: now, span_type: 'tool_call', name: 'lookup', latency_ms: 12 },
      ],
    });
    const span = JSON.parse(await nextEvent('span'));
    expect(span).toMatchObject({ agent_id: 'live-agent', name: 'lookup', span_type: 'tool_call', latency_ms: 12 });
    controller.abort();
  });
});
