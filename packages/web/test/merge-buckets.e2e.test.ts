// The live merge against the real server: a series loaded, spans committed (late ones into old
// buckets, new agents, new buckets), the buckets named by /api/live's `changed` event refetched and
// merged with the window slid on, equals a full fetch of the new window, bucket for bucket, for
// counts, costs and p95 latency.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Series } from '@sightline/api';
import { emptyValue, mergeBuckets, refetchFrom } from '../src/state/merge-buckets.js';
import { request } from '../../server/test/support/http.js';
import { startServer, type RunningServer } from '../../server/test/support/server.js';

const MIN = 60_000;

describe('merging changed buckets equals a full fetch', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  const post = async (body: unknown[]) => expect((await request(`${server.url}/v1/events`, { key: server.adminKey, body })).body).toMatchObject({ accepted: body.length });
  const series = async (metric: string, from: number, to: number) =>
    (await request<{ series: Series[] }>(`${server.url}/api/timeseries?metric=${metric}&group_by=agent&interval=1m&from=${from}&to=${to}`, { key: server.adminKey })).body.series;
  const span = (agent: string, timestamp: number, i: number) => ({ agent_id: agent, timestamp, latency_ms: 50 + ((i * 37) % 400), cost_usd: 0.001 * (1 + (i % 5)) });

  it('for count, cost and p95 by agent, with late spans, a new agent and an agent leaving the window', async () => {
    const t2 = Math.floor(Date.now() / MIN) * MIN;
    const t1 = t2 - 3 * MIN;
    const a1 = t1 - 30 * MIN;
    const a2 = a1 + 2 * MIN;
    const first = [];
    for (let i = 0; i < 60; i++) first.push(span(i % 2 ? 'steady-a' : 'steady-b', a1 + i * 30_000 + 1_000, i));
    first.push(span('leaving', a1 + 10_000, 1), span('leaving', a1 + 70_000, 2));
    await post(first);
    const held = new Map<string, Series[]>();
    for (const m of ['count', 'cost', 'latency_p95']) held.set(m, await series(m, a1, t1));

    const ctrl = new AbortController();
    const res = await fetch(`${server.url}/api/live?changes_ms=60000&spans=false`, { headers: { authorization: `Bearer ${server.adminKey}` }, signal: ctrl.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const nextEvent = async (name: string) => {
      for (;;) {
        const m = new RegExp(`event: ${name}\\ndata: (.*)\\n\\n`).exec(text);
        if (m) return JSON.parse(m[1]!) as { from: number; to: number; spans: number };
        text += decoder.decode((await reader.read()).value, { stream: true });
      }
    };
    await nextEvent('ready');
    const second = [span('steady-a', a1 + 20 * MIN + 5_000, 7), span('steady-b', t1 - 30_000, 8), span('newcomer', t1 + 10_000, 9), span('steady-a', t2 - 20_000, 10), span('newcomer', t2 - 5_000, 11)];
    await post(second);
    const changed = await nextEvent('changed');
    ctrl.abort();
    expect(changed).toEqual({ from: a1 + 20 * MIN + 5_000, to: t2 - 5_000, spans: 5 });

    for (const metric of ['count', 'cost', 'latency_p95']) {
      const old = held.get(metric)!;
      const from = refetchFrom(old, changed.from, MIN, a2);
      expect(from).toBe(a1 + 20 * MIN);
      const merged = mergeBuckets(old, await series(metric, from, t2), { from, windowStart: a2, intervalMs: MIN, empty: emptyValue(metric) });
      const full = await series(metric, a2, t2);
      expect(full.map((s) => s.group)).toEqual(['newcomer', 'steady-a', 'steady-b']);
      expect(merged, metric).toEqual(full);
    }
  });
});
