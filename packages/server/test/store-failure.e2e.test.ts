// Store failures answer 503 with Retry-After and recover: the data dir is a small tmpfs this test
// mounts (root only) and fills to the last byte. Throughout, the server stays up and keeps serving
// reads; ingest works again as soon as the disk has room, a refused batch retried with its
// Idempotency-Key is stored once, and after a restart exactly the acknowledged events are stored.
// (A read-only remount is refused while DuckDB holds its files open, so disk full stands for both.)

import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, rmdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const NOW = Date.now();

function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'sightline-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmdirSync(probe);
  }
}

/** Writes zeros to `path` until the file system has no byte left. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1 << 20);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    // Top up byte by byte ranges so not even a WAL page fits.
    for (let size = 1 << 19; size >= 1; size >>= 1) {
      try {
        for (;;) writeSync(fd, chunk, 0, size);
      } catch {
        // next smaller size
      }
    }
  } finally {
    closeSync(fd);
  }
}

const mountable = canMount();

interface DiskEvent {
  agent_id: string;
  trace_id: string;
  timestamp: number;
  attributes: { pad: string };
}

describe.skipIf(!mountable)('store failures (disk full)', () => {
  let server: RunningServer;
  let dataDir: string;
  let batch = 0;

  /** One batch of `n` events with trace ids unique to the batch; returns the reply and the ids. */
  async function post(n: number, idempotencyKey?: string, resend?: DiskEvent[]) {
    const b = batch++;
    const events: DiskEvent[] = resend ?? Array.from({ length: n }, (_, i) => ({
      agent_id: 'disk',
      trace_id: `disk${String(b).padStart(6, '0')}${String(i).padStart(22, '0')}`,
      timestamp: NOW,
      attributes: { pad: 'x'.repeat(400) },
    }));
    const headers = idempotencyKey === undefined ? undefined : { 'idempotency-key': idempotencyKey };
    const reply = await request(`${server.url}/v1/events`, { key: server.adminKey, body: events, ...(headers && { headers }) });
    return { reply, events, ids: events.map((e) => e.trace_id) };
  }

  function expectRefused(reply: Awaited<ReturnType<typeof post>>['reply']) {
    expect(reply.status).toBe(503);
    expect(reply.body.error.code).toBe('store_unavailable');
    // The cause reaches the client, not a follow-on error about the failed transaction.
    expect(reply.body.error.message).not.toContain('no transaction is active');
    expect(Number(reply.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sightline-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', dataDir]);
    // The 24 MB disk is below the 64 MB default: readiness fails on free space only when it is nearly gone.
    server = await startServer({ dataDir, env: { SIGHTLINE_MIN_FREE_DISK_BYTES: String(1 << 20) } });
  });
  afterAll(async () => {
    await server?.stop();
    try {
      execFileSync('umount', [dataDir]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('answers 503 with Retry-After while the disk is full, stays up, and recovers without loss or duplicates', async () => {
    const acked: string[] = [];
    const refused: string[] = [];
    const first = await post(200);
    expect(first.reply.status).toBe(200);
    acked.push(...first.ids);

    const filler = join(dataDir, 'filler');
    fillDisk(filler);
    let full!: Awaited<ReturnType<typeof post>>;
    for (let i = 0; i < 3; i++) {
      full = await post(2_000);
      expectRefused(full.reply);
      expect(full.reply.body.error.message).toMatch(/space/i);
      refused.push(...full.ids);
    }
    // Still up (liveness) but not ready, and readiness says why; no reply names the data directory.
    expect((await request(`${server.url}/api/health`)).status).toBe(200);
    const notReady = await request(`${server.url}/api/ready`);
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get('retry-after')).toBe('5');
    expect(notReady.body.status).toBe('not_ready');
    const reasons = notReady.body.reasons as string[];
    expect(reasons).toContain('disk is full: 0.0 MiB free for the data directory, below the 1.0 MiB minimum');
    // Depending on what the disk filled up during: the probe write, and rollups the timer had not flushed yet.
    for (const other of reasons.filter((r) => !r.startsWith('disk is full'))) {
      expect(other).toMatch(/^(store cannot write:|rollups lag \d+ spans behind the stored spans: the last rollup flush failed) \(?DuckDB store: .*Could not write file "sightline\.duckdb\.wal": No space left on device\)?$/);
    }
    expect(JSON.stringify(notReady.body)).not.toContain(dataDir);
    expect(JSON.stringify(full.reply.body)).not.toContain(dataDir);
    // Every refusal had the same cause: logged once, with it, and without the data directory.
    const logged = server.output().split('\n').filter((l) => l.startsWith('store error:'));
    expect(logged).toEqual([expect.stringMatching(/^store error: DuckDB store: .*No space left on device$/)]);
    const read = await request(`${server.url}/api/traces/${acked[0]}`, { key: server.adminKey });
    expect(read.status).toBe(200);
    expect(read.body.spans).toHaveLength(1);

    rmSync(filler);
    // Ready again without a restart once the disk has room.
    expect((await request(`${server.url}/api/ready`)).body).toEqual({ status: 'ready', checks: { disk_free_bytes: expect.any(Number), rollup_lag_spans: expect.any(Number) } });
    for (let i = 0; i < 3; i++) {
      const ok = await post(200);
      expect(ok.reply.body).toEqual({ accepted: 200, rejected: [], rejected_events: 0 });
      acked.push(...ok.ids);
    }

    // A batch refused while full and retried with its Idempotency-Key once the disk has room is
    // stored once; a further retry is answered with the first response.
    fillDisk(filler);
    const retried = await post(300, 'retry-after-disk-full');
    expectRefused(retried.reply);
    rmSync(filler);
    const second = await post(300, 'retry-after-disk-full', retried.events);
    expect(second.reply.status).toBe(200);
    const third = await post(300, 'retry-after-disk-full', retried.events);
    expect(third.reply.headers.get('idempotent-replayed')).toBe('true');
    expect(third.reply.body).toEqual(second.reply.body);
    acked.push(...retried.ids);

    // Restart on the same data: exactly the acknowledged events, once each.
    expect(await server.stop()).toBe(0);
    server = await startServer({ dataDir, adminKey: server.adminKey });
    const res = await fetch(`${server.url}/api/export?format=ndjson&agent=disk&from=${NOW - 60_000}&to=${NOW + 60_000}`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
    });
    const stored = (await res.text())
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { trace_id: string }).trace_id);
    expect(stored.length).toBe(acked.length);
    expect(new Set(stored)).toEqual(new Set(acked));
    expect(refused.filter((id) => stored.includes(id))).toEqual([]);
  });
});
