// A data directory that becomes unwritable under load: DuckDB's next checkpoint cannot remove its
// WAL, a fatal error that invalidates the database. The server stays up, /api/ready answers 503
// with the cause, the error is logged once, and once permissions return the store reopens itself
// without a restart: readiness is green again, ingest is accepted, and exactly the acknowledged
// events are stored (also after a restart). Root ignores directory permissions, so as root the
// server runs as uid 65534 (nobody).

import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const NOW = Date.now();
const NOBODY = 65_534;
const asRoot = process.getuid?.() === 0;

describe('store failures (data directory made unwritable)', () => {
  let server: RunningServer;
  let dataDir: string;
  let batch = 0;
  const user = asRoot ? { uid: NOBODY, gid: NOBODY } : {};

  /** A batch of `n` events of ~12 KB each (the WAL grows as much a span), trace ids unique to it. */
  async function post(n: number) {
    const b = batch++;
    const ids = Array.from({ length: n }, (_, i) => `unwr${String(b).padStart(6, '0')}${String(i).padStart(22, '0')}`);
    const events = ids.map((trace_id) => ({ agent_id: 'unwritable', trace_id, timestamp: NOW, attributes: { pad: 'x'.repeat(12_000) } }));
    const reply = await request(`${server.url}/v1/events`, { key: server.adminKey, body: events });
    return { reply, ids };
  }

  async function storedIds(): Promise<string[]> {
    const res = await fetch(`${server.url}/api/export?format=ndjson&agent=unwritable&from=${NOW - 60_000}&to=${NOW + 60_000}`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
    });
    return (await res.text())
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { trace_id: string }).trace_id);
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sightline-unwritable-'));
    if (asRoot) chownSync(dataDir, NOBODY, NOBODY);
    server = await startServer({ dataDir, ...user, env: { SIGHTLINE_MIN_FREE_DISK_BYTES: '0' } });
  });
  afterAll(async () => {
    chmodSync(dataDir, 0o700);
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Filling a 64 MB WAL and replaying it on reopen takes a while on a busy machine.
  it('reports the invalidated store, reopens it once permissions return, and stores exactly what it acknowledged', { timeout: 240_000 }, async () => {
    const acked: string[] = [];
    const refused: string[] = [];
    const first = await post(500);
    expect(first.reply.status).toBe(200);
    acked.push(...first.ids);

    chmodSync(dataDir, 0o500);
    // Appends go to the open WAL until it reaches 64 MB; the checkpoint then cannot remove it.
    let storeRefused = false;
    for (let i = 0; i < 40 && !storeRefused; i++) {
      const next = await post(1_200);
      if (next.reply.status === 200) acked.push(...next.ids);
      else if (next.reply.status === 429) {
        // On a busy machine the door may refuse first: the queue is behind the stalled store, or
        // reading and decoding the body alone took longer than the queue's limit (seen at 6 s)
        // while the WAL was still short of 64 MB. Either way, go on until the store refuses.
        expect(next.reply.body.error.code).toBe('overloaded');
        refused.push(...next.ids);
      } else {
        expect(next.reply.status).toBe(503);
        expect(next.reply.body.error.code).toBe('store_unavailable');
        refused.push(...next.ids);
        storeRefused = true;
      }
    }
    expect(storeRefused).toBe(true);
    // Once the failed batches have left the queue the door lets a request in, and the store says why it refuses.
    let after = await post(100);
    while (after.reply.status === 429) {
      refused.push(...after.ids);
      await new Promise((r) => setTimeout(r, Number(after.reply.headers.get('retry-after')) * 1_000));
      after = await post(100);
    }
    expect(after.reply.status).toBe(503);
    expect(after.reply.body.error.message).toMatch(/^DuckDB store is being reopened after a fatal error \(.*\); retry later$/);
    refused.push(...after.ids);

    expect((await request(`${server.url}/api/health`)).status).toBe(200);
    const notReady = await request(`${server.url}/api/ready`);
    expect(notReady.status).toBe(503);
    expect(notReady.body.reasons).toEqual([expect.stringMatching(/^store cannot write: the database is being reopened after a fatal error \(.+\)$/)]);
    expect(JSON.stringify(notReady.body)).not.toContain(dataDir);
    const invalidated = server.output().split('\n').filter((l) => l.startsWith('store error: database invalidated by a fatal error'));
    expect(invalidated).toHaveLength(1);
    expect(invalidated[0]).not.toContain(dataDir);

    chmodSync(dataDir, 0o700);
    // Ready again without a restart (the supervisor retries with backoff up to 5 s).
    for (;;) {
      const ready = await request(`${server.url}/api/ready`);
      if (ready.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(server.output()).toMatch(/^store: database reopened after \d+ attempts?/m);
    const healed = await post(200);
    expect(healed.reply.body).toEqual({ accepted: 200, rejected: [], rejected_events: 0 });
    acked.push(...healed.ids);

    const stored = await storedIds();
    expect(stored.length).toBe(acked.length);
    expect(new Set(stored)).toEqual(new Set(acked));

    // And after a restart on the same data.
    expect(await server.stop()).toBe(0);
    server = await startServer({ dataDir, ...user, adminKey: server.adminKey, env: { SIGHTLINE_MIN_FREE_DISK_BYTES: '0' } });
    const restarted = await storedIds();
    expect(restarted.length).toBe(acked.length);
    expect(refused.filter((id) => restarted.includes(id))).toEqual([]);
  });
});
