// Idempotency-Key under hostile input (issue 24, items 1 and 5): a reply listing a thousand
// problems with megabyte-long attribute paths is answered clipped and remembered as a short
// summary (bounded bytes per key, in the heap and in the store, also after a restart); a key reused
// with a different body is refused with 422 and stores nothing, while a true retry — gzipped again
// with another timestamp — is still replayed.

import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const NOW = Date.now();
const good = (agent: string, n: number) => Array.from({ length: n }, (_, i) => ({ agent_id: agent, trace_id: `${agent}-${i}`, timestamp: NOW }));

/** An event whose attributes nest a key of `keyChars` characters: rejected, its path named in the problem. */
const hostile = (keyChars: number) => ({ agent_id: 'bounds-bad', timestamp: NOW, attributes: { a: { ['k'.repeat(keyChars)]: { b: { c: { d: 1 } } } } } });

describe('Idempotency-Key bounds', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  const count = async (agent: string) =>
    (await request(`${server.url}/api/timeseries?metric=count&interval=1h&range=2h&agent=${agent}`, { key: server.adminKey })).body.series
      .flatMap((s: { points: [number, number | null][] }) => s.points)
      .reduce((n: number, [, v]: [number, number | null]) => n + (v ?? 0), 0);

  it('answers a thousand huge problems clipped and replays them as a summary of at most 16 KiB, also after a restart', async () => {
    const body = [...good('bounds-ok', 1), ...Array.from({ length: 1_000 }, () => hostile(4_000))];
    const post = () => request(`${server.url}/v1/events`, { key: server.adminKey, body, headers: { 'idempotency-key': 'bounds-1' } });
    const first = await post();
    expect(first.status).toBe(200);
    expect([first.body.accepted, first.body.rejected_events, first.body.rejected.length]).toEqual([1, 1_000, 1_000]);
    // Each problem's path is clipped in the middle and says how long it was.
    const problem = first.body.rejected[0] as { index: number; field: string; error: string };
    expect(problem.index).toBe(1);
    expect(problem.field).toBe(`attributes.a.${'k'.repeat(83)}…(4019 characters)…${'k'.repeat(122)}.b.c.d`);
    // The message keeps its end, which says what is wrong.
    expect(problem.error).toMatch(/^attributes\.a\.k{83}…\(\d+ characters\)…k+\.b\.c\.d: nesting depth 5 exceeds the limit of 4$/);
    expect(problem.error.length).toBeLessThan(260);

    const replay = await post();
    expect([replay.status, replay.headers.get('idempotent-replayed')]).toEqual([200, 'true']);
    const text = JSON.stringify(replay.body);
    expect(text.length).toBeLessThanOrEqual(16 * 1024);
    expect([replay.body.accepted, replay.body.rejected_events]).toEqual([1, 1_000]);
    const kept = replay.body.rejected.length as number;
    expect(kept).toBeGreaterThan(0);
    expect(replay.body.rejected).toEqual(first.body.rejected.slice(0, kept));
    expect(replay.body.rejected_note).toBe(
      `this replay keeps the first ${kept} of 1000 reported problems (replies are kept up to 16384 characters); the first attempt's answer listed them all`,
    );

    const { dataDir, adminKey } = server;
    await server.stop();
    server = await startServer({ dataDir, adminKey });
    const afterRestart = await post();
    expect([afterRestart.status, afterRestart.headers.get('idempotent-replayed')]).toEqual([200, 'true']);
    expect(afterRestart.body).toEqual(replay.body);
    expect(await count('bounds-ok')).toBe(1);
  });

  it('refuses a key reused with a different body with 422 and stores nothing of it', async () => {
    const first = await request(`${server.url}/v1/events`, { key: server.adminKey, body: good('reuse-a', 3), headers: { 'idempotency-key': 'reuse-1' } });
    expect([first.status, first.body.accepted]).toEqual([200, 3]);
    const reused = await request(`${server.url}/v1/events`, { key: server.adminKey, body: good('reuse-b', 5), headers: { 'idempotency-key': 'reuse-1' } });
    expect(reused.status).toBe(422);
    expect(reused.body.error).toEqual({
      code: 'idempotency_key_reused',
      message:
        'Idempotency-Key "reuse-1" was already used in the last 24 h for a request with a different body; nothing of this request was stored. ' +
        'A retry must send the same body; a new batch needs a new key',
    });
    expect([await count('reuse-a'), await count('reuse-b')]).toEqual([3, 0]);
  });

  it('tells a retry of a large body from a reused key (the body is hashed as it arrives and decoded in the worker)', async () => {
    // Over 1 MiB: read into a buffer of its own, hashed chunk by chunk, moved to the decode worker.
    const big = (agent: string) => JSON.stringify(good(agent, 2).concat(Array.from({ length: 300 }, () => hostile(4_000) as never)));
    const first = big('large-a');
    expect(first.length).toBeGreaterThan(1_048_576);
    const post = (raw: string) => request(`${server.url}/v1/events`, { key: server.adminKey, raw, headers: { 'content-type': 'application/json', 'idempotency-key': 'large-1' } });
    const answer = await post(first);
    expect([answer.status, answer.body.accepted, answer.body.rejected_events]).toEqual([200, 2, 300]);
    const retry = await post(first);
    expect([retry.status, retry.headers.get('idempotent-replayed'), retry.body.accepted]).toEqual([200, 'true', 2]);
    const reused = await post(big('large-b'));
    expect([reused.status, reused.body.error?.code]).toEqual([422, 'idempotency_key_reused']);
    expect([await count('large-a'), await count('large-b')]).toEqual([2, 0]);
  });

  it('replays a retry whose gzip body differs only in its timestamp', async () => {
    const json = Buffer.from(JSON.stringify(good('regzip', 2)));
    const gz = gzipSync(json);
    const later = Buffer.from(gz);
    later.writeUInt32LE(gz.readUInt32LE(4) + 60, 4);
    const post = (raw: Buffer) =>
      request(`${server.url}/v1/events`, { key: server.adminKey, raw, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'idempotency-key': 'regzip-1' } });
    expect((await post(gz)).status).toBe(200);
    const retry = await post(later);
    expect([retry.status, retry.headers.get('idempotent-replayed')]).toEqual([200, 'true']);
    expect(await count('regzip')).toBe(2);
  });

  it('rejects an event whose cost_usd is past the per-event limit, naming the field and the limit, and keeps the rest', async () => {
    const r = await request(`${server.url}/v1/events`, {
      key: server.adminKey,
      body: [{ agent_id: 'cost-bound', timestamp: NOW, cost_usd: 1e308 }, { agent_id: 'cost-bound', timestamp: NOW, cost_usd: 1e308 }, { agent_id: 'cost-bound', timestamp: NOW, cost_usd: 0.25 }],
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      accepted: 1,
      rejected_events: 2,
      rejected: [0, 1].map((index) => ({ index, field: 'cost_usd', error: 'cost_usd: 1e+308 exceeds the limit of 1000000 USD for one event' })),
    });
    const overview = await request(`${server.url}/api/overview?range=1h&agent=cost-bound`, { key: server.adminKey });
    expect(overview.body.current.cost_usd).toBe(0.25);
  });
});
