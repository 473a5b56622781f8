// Faults with the ClickHouse store, against real processes: a Sightline node SIGKILLed mid-stream
// and restarted on the same database keeps every acknowledged event exactly once; a ClickHouse
// server SIGKILLed under a running node turns ingest into 503 + Retry-After (never 2xx, never a
// hang) while the node stays up, and once ClickHouse is back on its data dir ingest answers 2xx
// again with everything acknowledged before the crash still there.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouse, type ClickHouseCluster } from './support/clickhouse.js';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const NOW = Date.now();
const ADMIN_KEY = 'sl_admin_clickhouse_faults_0123456789abcdef';
const BATCH = 200;

function events(agent: string, prefix: string, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    agent_id: agent,
    trace_id: `${prefix}${String(Math.floor(i / 4)).padStart(28, '0')}`,
    span_id: `${prefix}${String(i).padStart(12, '0')}`,
    timestamp: NOW,
    latency_ms: (i % 50) * 7,
  }));
}

/** Posts batches from `workers` concurrent clients until stopped; returns the acknowledged span ids. */
function stream(server: RunningServer, agent: string, workers = 4) {
  const acked: string[] = [];
  let stopped = false;
  let seq = 0;
  const worker = async () => {
    while (!stopped) {
      const batch = events(agent, `${agent}-${String(seq++).padStart(5, '0')}-`, BATCH);
      try {
        const res = await fetch(`${server.url}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(batch),
        });
        await res.text();
        if (res.ok) acked.push(...batch.map((e) => e.span_id));
      } catch {
        return; // connection cut by the kill: not acknowledged
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, worker));
  return {
    acked,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

/** Resolves once `condition` holds, checking every 10 ms. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

/** Rows per span id of one agent, read from ClickHouse itself (not through Sightline). */
async function storedSpanIds(ch: ClickHouseCluster, database: string, agent: string): Promise<Map<string, number>> {
  const sql = `SELECT span_id, count() FROM ${database}.spans WHERE agent_id = '${agent}' GROUP BY span_id FORMAT TabSeparated`;
  const res = await fetch(`${ch.shards[0]!.url}/?query=${encodeURIComponent(sql)}`);
  expect(res.status).toBe(200);
  const counts = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (line === '') continue;
    const [id, n] = line.split('\t') as [string, string];
    counts.set(id, Number(n));
  }
  return counts;
}

describe('ClickHouse store under crashes', () => {
  let ch: ClickHouseCluster;
  const servers: RunningServer[] = [];
  const start = async (database: string, options = '') => {
    const s = await startServer({ args: ['--store', `${ch.storeUrl(database)}${options}`], adminKey: ADMIN_KEY });
    servers.push(s);
    return s;
  };

  beforeAll(async () => {
    ch = await startClickHouse();
  });
  afterAll(async () => {
    for (const s of servers) await s.stop({ remove: true });
    await ch?.stop();
  });

  it('keeps every acknowledged event exactly once when a Sightline node is SIGKILLed mid-stream', async () => {
    let server = await start('kill_node');
    // Killed once a few batches are acknowledged (a condition, not a delay: on a busy machine 500 ms
    // could pass before the first answer), the second time later in the stream.
    for (const [run, killAfterAcked] of [['k1', 2 * BATCH], ['k2', 8 * BATCH]] as const) {
      const s = stream(server, run);
      await until(() => s.acked.length >= killAfterAcked);
      await server.stop({ signal: 'SIGKILL' });
      await s.stop();
      expect(s.acked.length).toBeGreaterThan(0);
      server = await start('kill_node');
      const counts = await storedSpanIds(ch, 'kill_node', run);
      expect(s.acked.filter((id) => counts.get(id) !== 1)).toEqual([]);
      // Batches whose response the kill cut off may be stored too (inserted, not acknowledged), but never twice.
      expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
      // The restarted node serves exactly those spans. (Rollups are not compared: ClickHouse has no
      // multi-table transaction, so a kill between the span and rollup inserts may leave them apart.)
      const exported = await fetch(`${server.url}/api/export?format=ndjson&agent=${run}&from=${NOW - 60_000}&to=${NOW + 60_000}`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      const ids = (await exported.text()).split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { span_id: string }).span_id);
      expect(ids.sort()).toEqual([...counts.keys()].sort());
    }
  });

  it('answers 503 with Retry-After while ClickHouse is down, stays up, and ingests again once it is back', async () => {
    const server = await start('kill_clickhouse');
    const post = (prefix: string, n: number) => request(`${server.url}/v1/events`, { key: ADMIN_KEY, body: events('chk', prefix, n) });
    const before = await post('before-', 500);
    expect(before.status).toBe(200);
    expect(before.body).toEqual({ accepted: 500, rejected: [], rejected_events: 0 });

    await ch.kill();
    // Both while the node's API key lookup is cached (5 s) and after it expired.
    for (const [i, waitMs] of [[0, 0], [1, 0], [2, 5_500]] as const) {
      await new Promise((r) => setTimeout(r, waitMs));
      const started = Date.now();
      const down = await post(`down${i}-`, 100);
      // No hang: the request would otherwise wait for a server that never answers. The bound is
      // loose so that a busy machine cannot fail it; the 503 itself is the point.
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(down.status).toBe(503);
      expect(down.body.error.code).toBe('store_unavailable');
      expect(down.body.error.message).toMatch(/^ClickHouse at http:\/\/127\.0\.0\.1:\d+ is unreachable/);
      expect(Number(down.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect((await request(`${server.url}/api/health`)).status).toBe(200);
    const read = await request(`${server.url}/api/traces?agent=chk`, { key: ADMIN_KEY });
    expect(read.status).toBe(503);
    expect(read.body.error.code).toBe('store_unavailable');

    await ch.restart();
    const after = await post('after-', 300);
    expect(after.status).toBe(200);
    expect(after.body).toEqual({ accepted: 300, rejected: [], rejected_events: 0 });

    const counts = await storedSpanIds(ch, 'kill_clickhouse', 'chk');
    const expected = [...events('chk', 'before-', 500), ...events('chk', 'after-', 300)].map((e) => e.span_id);
    expect([...counts.keys()].sort()).toEqual(expected.sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(server.process.exitCode).toBe(null);
  });

  it('answers 503 within its timeout while ClickHouse hangs (SIGSTOP), and 2xx once it resumes', async () => {
    const server = await start('hung_clickhouse', '?timeout_ms=1500');
    const post = (prefix: string, n: number) => request(`${server.url}/v1/events`, { key: ADMIN_KEY, body: events('hung', prefix, n) });
    expect((await post('before-', 400)).status).toBe(200);
    const clickhouse = ch.shards[0]!.process;
    clickhouse.kill('SIGSTOP');
    try {
      // The insert (key lookup cached), then the key lookup itself (cache expired after 5 s).
      // The first post's commit inserts spans and rollups side by side: whichever insert the stop caught
      // is named (on a busy machine one may have finished before the stop).
      for (const [i, waitMs, what] of [[0, 0, /did not answer an insert into hung_clickhouse\.\w+/], [1, 5_500, /did not answer "SELECT project, id/]] as const) {
        await new Promise((r) => setTimeout(r, waitMs));
        const started = Date.now();
        const hung = await post(`hung${i}-`, 100);
        const took = Date.now() - started;
        expect(took).toBeGreaterThanOrEqual(1_400);
        expect(took).toBeLessThan(15_000); // no hang; loose so that load cannot fail it
        expect(hung.status).toBe(503);
        expect(hung.body.error.code).toBe('store_unavailable');
        expect(hung.body.error.message).toMatch(what);
        expect(hung.body.error.message).toMatch(/within 1500 ms$/);
        expect(Number(hung.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
      expect((await request(`${server.url}/api/health`)).status).toBe(200);
    } finally {
      clickhouse.kill('SIGCONT');
    }
    expect((await post('after-', 300)).status).toBe(200);
    const counts = await storedSpanIds(ch, 'hung_clickhouse', 'hung');
    const acked = [...events('hung', 'before-', 400), ...events('hung', 'after-', 300)].map((e) => e.span_id);
    expect(acked.filter((id) => counts.get(id) !== 1)).toEqual([]);
    // A refused batch may have reached ClickHouse before the deadline (stored, not acknowledged), never twice.
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    expect(counts.size - acked.length).toBeLessThanOrEqual(200);
  });
});
