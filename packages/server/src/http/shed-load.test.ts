// Shedding at the door on a real HTTP server: while the bodies of ingest requests already let in
// add up to the byte budget, the next request gets 429 with Retry-After before its body is
// decoded; one request is always let in, and the budget frees as requests are answered.

import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbStore } from '../store/duckdb/duckdb-store.js';
import { createGroupCommit } from '../store/group-commit.js';
import type { Store } from '../store/store.js';
import type { AppEnv } from './context.js';
import { shedWhenOverloaded } from './shed-load.js';

describe('shedWhenOverloaded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-shed-'));
  let store: Store;
  let server: Server;
  let url: string;
  const gates: (() => void)[] = [];
  beforeAll(async () => {
    store = await createDuckDbStore({ path: join(dir, 'sightline.duckdb') });
    const commits = createGroupCommit(store, { maxBatchSpans: 1_000, maxDelayMs: 0, maxQueuedSpans: 10_000, maxQueueDelayMs: 5_000 });
    const app = new Hono<AppEnv>();
    app.use('/v1/*', shedWhenOverloaded(commits, { maxBytesInFlight: 100 }));
    // Reads the body, then holds the request until the test lets it go.
    app.post('/v1/events', async (c) => {
      const body = await c.req.text();
      await new Promise<void>((resolve) => gates.push(resolve));
      return c.json({ bytes: body.length });
    });
    server = createAdaptorServer({ fetch: app.fetch }) as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/events`;
  });
  afterAll(async () => {
    server?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (bytes: number) => fetch(url, { method: 'POST', body: 'x'.repeat(bytes) });
  const held = async (n: number) => {
    while (gates.length < n) await new Promise((r) => setImmediate(r));
  };

  it('refuses past the byte budget with 429 and Retry-After, always lets one in, and frees the budget as answers go out', async () => {
    const big = post(150);
    await held(1);
    const refused = await post(10);
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, '1']);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
      'the server is decoding 1 ingest requests (0 MiB, limit 0 MiB: limits.maxIngestBytesInFlight); retry later',
    );
    gates.shift()!();
    const answered = await big;
    expect(await answered.json()).toEqual({ bytes: 150 });
    // The time the server held it, from its headers to the answer; a refusal at the door has none.
    expect(answered.headers.get('server-timing')).toMatch(/^ingest;dur=\d+$/);
    expect(refused.headers.get('server-timing')).toBe(null);
    const a = post(60);
    await held(1);
    const b = post(40);
    await held(2);
    expect((await post(1)).status).toBe(429);
    for (const g of gates.splice(0)) g();
    expect([(await a).status, (await b).status]).toEqual([200, 200]);
  });
});
