// Idempotency-Key across Sightline nodes sharing one ClickHouse: a retry that a load balancer sends
// to another node, or to a restarted one, gets the first attempt's response and stores nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouse, type ClickHouseCluster } from './support/clickhouse.js';
import { request } from './support/http.js';
import { genAiTracePayload } from './support/otlp.js';
import { startServer, type RunningServer } from './support/server.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);
const ADMIN_KEY = 'sl_admin_clickhouse_idempotency_0123456789abcdef';

const batch = (agent: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ timestamp: T0 + i * 1000, agent_id: agent, trace_id: `${agent}-trace-${i}`, span_type: 'llm_call', latency_ms: 10 }));

describe('Idempotency-Key on two nodes sharing one ClickHouse', () => {
  let ch: ClickHouseCluster;
  let a: RunningServer;
  let b: RunningServer;
  const args = (): string[] => ['--store', ch.storeUrl('idempotent')];

  beforeAll(async () => {
    ch = await startClickHouse();
    [a, b] = await Promise.all([startServer({ args: args(), adminKey: ADMIN_KEY }), startServer({ args: args(), adminKey: ADMIN_KEY })]);
  });
  afterAll(async () => {
    await a?.stop({ remove: true });
    await b?.stop({ remove: true });
    await ch?.stop();
  });

  const spansOf = async (s: RunningServer, agent: string): Promise<number> => {
    const r = await request(`${s.url}/api/timeseries?metric=count&interval=1h&from=${T0}&to=${T0 + HOUR}&agent=${agent}`, { key: ADMIN_KEY });
    return (r.body.series as { points: [number, number | null][] }[]).flatMap((x) => x.points).reduce((n, [, v]) => n + (v ?? 0), 0);
  };
  const postEvents = (s: RunningServer, body: unknown, key: string) => request(`${s.url}/v1/events`, { key: ADMIN_KEY, body, headers: { 'idempotency-key': key } });

  it('answers a retry sent to the other node with the first response and stores the batch once', async () => {
    const body = [...batch('cross', 40), { agent_id: 7 }];
    const first = await postEvents(a, body, 'cross-node-1');
    expect([first.status, first.headers.get('idempotent-replayed'), first.body.accepted, first.body.rejected_events]).toEqual([200, null, 40, 1]);
    const retry = await postEvents(b, body, 'cross-node-1');
    expect([retry.status, retry.headers.get('idempotent-replayed')]).toEqual([200, 'true']);
    expect(retry.body).toEqual(first.body);
    // Node B now holds the key in its cache too: a second retry there is answered the same way.
    expect((await postEvents(b, body, 'cross-node-1')).headers.get('idempotent-replayed')).toBe('true');
    expect(await spansOf(a, 'cross')).toBe(40);
    expect(await spansOf(b, 'cross')).toBe(40);
  });

  it('replays an OTLP protobuf response on the other node byte for byte, storing the trace once', async () => {
    const payload = await genAiTracePayload('protobuf', 'otlp-cross', T0);
    const post = (s: RunningServer) =>
      fetch(`${s.url}/v1/traces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': payload.contentType, 'idempotency-key': 'otlp-cross-1' },
        body: new Uint8Array(payload.body),
      });
    const first = await post(b);
    const retry = await post(a);
    expect([first.status, first.headers.get('idempotent-replayed'), retry.status, retry.headers.get('idempotent-replayed')]).toEqual([200, null, 200, 'true']);
    expect(retry.headers.get('content-type')).toBe('application/x-protobuf');
    expect(Buffer.from(await retry.arrayBuffer())).toEqual(Buffer.from(await first.arrayBuffer()));
    const trace = await request(`${a.url}/api/traces/${payload.traceId}`, { key: ADMIN_KEY });
    expect(trace.body.spans.map((s: { name: string }) => s.name).sort()).toEqual(['chat gpt-4o', 'execute_tool lookup', 'invoke_agent']);
  });

  it('still knows the key after the node that took the first attempt restarts', async () => {
    const body = batch('restart', 25);
    const first = await postEvents(a, body, 'restart-1');
    expect(first.body.accepted).toBe(25);
    await a.stop({ remove: true });
    a = await startServer({ args: args(), adminKey: ADMIN_KEY });
    const retry = await postEvents(a, body, 'restart-1');
    expect([retry.status, retry.headers.get('idempotent-replayed')]).toEqual([200, 'true']);
    expect(retry.body).toEqual(first.body);
    expect(await spansOf(b, 'restart')).toBe(25);
  });

  it('keeps keys per project and stores a new key normally', async () => {
    const other = (await request(`${a.url}/api/keys`, { key: ADMIN_KEY, body: { project: 'other', scopes: ['ingest', 'read'] } })).body.key as string;
    const r = await request(`${b.url}/v1/events`, { key: other, body: batch('other-project', 3), headers: { 'idempotency-key': 'cross-node-1' } });
    expect([r.status, r.headers.get('idempotent-replayed'), r.body.accepted]).toEqual([200, null, 3]);
    const fresh = await postEvents(b, batch('fresh', 5), 'fresh-1');
    expect([fresh.status, fresh.headers.get('idempotent-replayed'), fresh.body.accepted]).toEqual([200, null, 5]);
    expect(await spansOf(a, 'fresh')).toBe(5);
  });

  it('refuses a key reused with a different body with 422 on the other node, storing none of it', async () => {
    const first = await postEvents(a, batch('reuse-ch', 4), 'reuse-ch-1');
    expect([first.status, first.body.accepted]).toEqual([200, 4]);
    const reused = await postEvents(b, batch('reuse-ch-other', 6), 'reuse-ch-1');
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    expect(reused.body.error.message).toMatch(/^Idempotency-Key "reuse-ch-1" was already used in the last 24 h for a request with a different body/);
    expect((await postEvents(b, batch('reuse-ch', 4), 'reuse-ch-1')).headers.get('idempotent-replayed')).toBe('true');
    expect([await spansOf(a, 'reuse-ch'), await spansOf(a, 'reuse-ch-other')]).toEqual([4, 0]);
  });
});
