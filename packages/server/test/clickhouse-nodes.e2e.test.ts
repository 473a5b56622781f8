// Two real `sightline serve --store clickhouse://…` processes share one ClickHouse: ingest to
// either, query from either with identical results, live tail crosses nodes within 2 s.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouse, type ClickHouseCluster } from './support/clickhouse.js';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);
const ADMIN_KEY = 'sl_admin_clickhouse_nodes_0123456789abcdef';

function makeEvents(n: number, agentPrefix: string) {
  return Array.from({ length: n }, (_, i) => ({
    timestamp: T0 + Math.floor((i * 3 * HOUR) / n),
    agent_id: `${agentPrefix}-${i % 3}`,
    trace_id: `${agentPrefix}-trace-${Math.floor(i / 4)}`,
    span_type: 'llm_call',
    model: ['m-small', 'm-large'][i % 2],
    tokens_input: 10 + (i % 97),
    tokens_output: 1 + (i % 13),
    latency_ms: 5 + (i % 400),
    cost_usd: (i % 10) / 1000,
    ...(i % 9 === 4 && { error: { type: 'Timeout', message: 'upstream timed out' } }),
  }));
}

async function openLiveTail(s: RunningServer, agent: string) {
  const controller = new AbortController();
  const res = await fetch(`${s.url}/api/live?agent=${agent}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` }, signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next(name: string): Promise<string> {
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
    },
    close: () => controller.abort(),
  };
}

describe('two Sightline nodes on one ClickHouse', () => {
  let ch: ClickHouseCluster;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    ch = await startClickHouse();
    const args = ['--store', ch.storeUrl('shared')];
    [a, b] = await Promise.all([startServer({ args, adminKey: ADMIN_KEY }), startServer({ args, adminKey: ADMIN_KEY })]);
  });
  afterAll(async () => {
    await a?.stop({ remove: true });
    await b?.stop({ remove: true });
    await ch?.stop();
  });

  const series = async (s: RunningServer, params: string) =>
    (await request(`${s.url}/api/timeseries?from=${T0}&to=${T0 + 3 * HOUR}&${params}`, { key: ADMIN_KEY })).body.series as {
      group: string;
      points: [number, number | null][];
    }[];

  it('answers the same queries from either node with the totals of both', async () => {
    const toA = makeEvents(1200, 'a');
    const toB = makeEvents(800, 'b');
    expect((await request(`${a.url}/v1/events`, { key: ADMIN_KEY, body: toA })).body.accepted).toBe(1200);
    expect((await request(`${b.url}/v1/events`, { key: ADMIN_KEY, body: toB })).body.accepted).toBe(800);
    const all = [...toA, ...toB];
    for (const params of ['metric=count&interval=1h&group_by=model', 'metric=errors&interval=15m', 'metric=tokens&interval=1h&group_by=agent']) {
      const fromA = await series(a, params);
      expect(await series(b, params)).toEqual(fromA);
      expect(fromA.length).toBeGreaterThan(0);
    }
    const counts = await series(b, 'metric=count&interval=1h&group_by=model');
    expect(Object.fromEntries(counts.map((s) => [s.group, s.points.reduce((n, [, v]) => n + (v ?? 0), 0)]))).toEqual({
      'm-large': all.filter((e) => e.model === 'm-large').length,
      'm-small': all.filter((e) => e.model === 'm-small').length,
    });
    const trace = await request(`${b.url}/api/traces/${toA[8]!.trace_id}`, { key: ADMIN_KEY });
    expect(trace.body.spans.map((s: { agent_id: string }) => s.agent_id)).toEqual(toA.slice(8, 12).map((e) => e.agent_id));
  });

  it('refuses Parquet export with 501 naming the format, without a Retry-After, and exports ndjson', async () => {
    const parquet = await request(`${a.url}/api/export?format=parquet&from=${T0}&to=${T0 + 3 * HOUR}`, { key: ADMIN_KEY });
    expect([parquet.status, parquet.headers.get('retry-after'), parquet.body]).toEqual([
      501,
      null,
      {
        error: {
          code: 'not_implemented',
          message: 'Parquet export is not available on the ClickHouse store: ClickHouse 18.16 has no Parquet output format; export as csv or ndjson instead',
        },
      },
    ]);
    const ndjson = await request<string>(`${b.url}/api/export?format=ndjson&from=${T0}&to=${T0 + 3 * HOUR}&agent=a-0`, { key: ADMIN_KEY });
    expect([ndjson.status, ndjson.body.trim().split('\n').length]).toEqual([200, 400]);
  });

  it('streams spans ingested on one node to a live tail on the other within 2 s', async () => {
    const tail = await openLiveTail(b, 'cross-node');
    await tail.next('ready');
    const sent = Date.now();
    await request(`${a.url}/v1/events`, {
      key: ADMIN_KEY,
      body: [{ agent_id: 'cross-node', timestamp: sent, span_type: 'tool_call', name: 'lookup', latency_ms: 12 }],
    });
    const span = JSON.parse(await tail.next('span'));
    const delay = Date.now() - sent;
    expect(span).toMatchObject({ agent_id: 'cross-node', name: 'lookup', span_type: 'tool_call', latency_ms: 12 });
    expect(delay).toBeLessThan(2000);
    tail.close();
  });
});
