// A two-shard ClickHouse cluster (two clickhouse-server processes on loopback, each with its own
// data dir and a remote_servers config naming both) behind two Sightline nodes, one entering
// through each shard. Spans spread over both shards; every query returns the exact totals.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouse, type ClickHouseCluster } from './support/clickhouse.js';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);
const ADMIN_KEY = 'sl_admin_clickhouse_cluster_0123456789abcdef';

function batch(tag: string, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    timestamp: T0 + ((i * 7919) % (3 * HOUR)),
    agent_id: `agent-${i % 4}`,
    trace_id: `${tag}-trace-${Math.floor(i / 5)}`,
    span_type: 'llm_call',
    model: 'm-1',
    tokens_input: 100,
    tokens_output: 7,
    latency_ms: 40,
  }));
}

async function shardCount(url: string): Promise<number> {
  const res = await fetch(`${url}/?query=${encodeURIComponent('SELECT count() FROM clustered.spans_local')}`);
  return Number((await res.text()).trim());
}

describe('two Sightline nodes on a two-shard ClickHouse cluster', () => {
  let ch: ClickHouseCluster;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    ch = await startClickHouse({ shards: 2 });
    [a, b] = await Promise.all([
      startServer({ args: ['--store', ch.storeUrl('clustered', 0)], adminKey: ADMIN_KEY }),
      startServer({ args: ['--store', ch.storeUrl('clustered', 1)], adminKey: ADMIN_KEY }),
    ]);
  });
  afterAll(async () => {
    await a?.stop({ remove: true });
    await b?.stop({ remove: true });
    await ch?.stop();
  });

  const total = async (s: RunningServer, metric: string) => {
    const r = await request(`${s.url}/api/timeseries?from=${T0}&to=${T0 + 3 * HOUR}&metric=${metric}&interval=1h`, { key: ADMIN_KEY });
    return (r.body.series as { points: [number, number | null][] }[]).flatMap((s) => s.points).reduce((n, [, v]) => n + (v ?? 0), 0);
  };

  it('spreads spans over both shards and returns exact totals from either node', async () => {
    expect((await request(`${a.url}/v1/events`, { key: ADMIN_KEY, body: batch('a', 1500) })).body.accepted).toBe(1500);
    expect((await request(`${b.url}/v1/events`, { key: ADMIN_KEY, body: batch('b', 1000) })).body.accepted).toBe(1000);
    const perShard = await Promise.all(ch.shards.map((s) => shardCount(s.url)));
    expect(perShard.every((n) => n > 0)).toBe(true);
    expect(perShard[0]! + perShard[1]!).toBe(2500);
    for (const s of [a, b]) {
      expect(await total(s, 'count')).toBe(2500);
      expect(await total(s, 'tokens')).toBe(2500 * 107);
    }
    const trace = await request(`${a.url}/api/traces/b-trace-17`, { key: ADMIN_KEY });
    expect(trace.body.spans.length).toBe(5);
  });

  it('keeps serving from one node while the other stops mid-ingest', async () => {
    const before = await total(b, 'count');
    let acked = 0;
    const ingest = async (s: RunningServer, tag: string, rounds: number) => {
      for (let i = 0; i < rounds; i++) {
        const r = await request(`${s.url}/v1/events`, { key: ADMIN_KEY, body: batch(`${tag}-${i}`, 100) }).catch(() => null);
        if (r !== null && r.status < 300) acked += r.body.accepted as number;
        else if (s === a) return;
      }
    };
    const fromA = ingest(a, 'stop-a', 1000);
    const fromB = ingest(b, 'stop-b', 30);
    await new Promise((r) => setTimeout(r, 300));
    expect(await a.stop()).toBe(0);
    await Promise.all([fromA, fromB]);
    expect(acked).toBeGreaterThanOrEqual(3000);
    expect(await total(b, 'count')).toBe(before + acked);
    expect((await request(`${b.url}/v1/events`, { key: ADMIN_KEY, body: batch('after', 10) })).body.accepted).toBe(10);
    expect(await total(b, 'count')).toBe(before + acked + 10);
  });
});
