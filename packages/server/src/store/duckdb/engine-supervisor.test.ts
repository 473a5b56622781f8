// The store worker's supervisor against a real DuckDB file on a small tmpfs this test mounts (root
// only): a full disk is reported by the readiness probe with its cause, rollups report their lag
// and catch up once space returns, and a fatal error (a checkpoint that finds the disk full)
// invalidates the database, which is reopened without a restart once the cause is gone, with the
// append answered with an error discarded rather than stored.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../model/span.js';
import { makeSpan } from '../store-fixtures.case.js';
import type { StoreHealth } from '../store.js';
import { EngineSupervisor, type StoreEvent } from './engine-supervisor.js';

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

/** Fills the file system of `path` until only `leave` bytes are free. */
function fillDisk(path: string, leave = 0): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1 << 20);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    for (let size = 1 << 19; size >= 1; size >>= 1) {
      try {
        for (;;) written += writeSync(fd, chunk, 0, size);
      } catch {
        // next smaller size
      }
    }
  }
  if (leave > 0) ftruncateSync(fd, Math.max(0, written - leave));
  closeSync(fd);
}

const spans = (prefix: string, n: number, random = false): Span[] =>
  Array.from({ length: n }, (_, i) =>
    makeSpan({ trace_id: `${prefix}-t`, span_id: `${prefix}-${i}`, attributes: { pad: random ? randomBytes(200).toString('hex') : 'x'.repeat(400) } }),
  );

/** Resolves once `check` passes, polling the supervisor (the reopen runs on its own backoff). */
async function until<T>(read: () => Promise<T>, check: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    await new Promise((r) => setImmediate(r));
  }
}

describe.skipIf(!canMount())('store supervisor on a full disk (tmpfs)', () => {
  let dir: string;
  let supervisor: EngineSupervisor;
  const events: StoreEvent[] = [];
  const health = () => supervisor.call('health', []) as Promise<StoreHealth>;
  const count = async (trace: string) => ((await supervisor.call('getTrace', ['alpha', trace])) as Span[]).length;
  const filler = () => join(dir, 'filler');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sightline-supervisor-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', dir]);
    supervisor = await EngineSupervisor.open({
      path: join(dir, 'sightline.duckdb'),
      // Rollups flush only when asked, so the test decides when they lag.
      flushIntervalMs: 0,
      // Every commit checkpoints: the checkpoint, not the WAL write, meets the full disk.
      checkpointThreshold: '1KB',
      firstBackoffMs: 20,
      maxBackoffMs: 200,
      report: (e) => events.push(e),
    });
  });
  afterAll(async () => {
    await supervisor?.call('close', []).catch(() => undefined);
    execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a full disk and lagging rollups with their cause, and catches up once space returns', async () => {
    await supervisor.call('append', [spans('a', 200)]);
    expect(await health()).toMatchObject({ writeError: null, rollupLagSpans: 200, rollupError: null });

    fillDisk(filler());
    await expect(supervisor.call('flushRollups', [])).rejects.toThrow(/No space left on device/);
    const sick = await health();
    expect(sick.writeError).toMatch(/^DuckDB store: .*No space left on device/);
    expect(sick.writeError).not.toContain(dir);
    expect(sick.diskFreeBytes).toBeLessThan(65_536);
    expect(sick.rollupLagSpans).toBe(200);
    expect(sick.rollupError).toMatch(/No space left on device/);
    expect(events.filter((e) => e.level === 'error').length).toBeGreaterThan(0);
    expect(events.every((e) => !e.message.includes(dir))).toBe(true);

    rmSync(filler());
    // The probe retries the failed flush: rollups catch up without a timer or a read.
    const healed = await until(health, (h) => h.writeError === null);
    expect(healed).toMatchObject({ writeError: null, rollupLagSpans: 0, rollupError: null });
    expect(await count('a-t')).toBe(200);
  });

  /** A second database on the same disk, in a state the fatal cases below were measured in. */
  async function freshDatabase(name: string): Promise<EngineSupervisor> {
    await supervisor.call('close', []);
    supervisor = await EngineSupervisor.open({
      path: join(dir, `${name}.duckdb`),
      flushIntervalMs: 0,
      checkpointThreshold: '1KB',
      firstBackoffMs: 20,
      maxBackoffMs: 200,
      report: (e) => events.push(e),
    });
    await supervisor.call('append', [spans(`${name}-a`, 200)]);
    await supervisor.call('append', [spans(`${name}-b`, 50)]);
    return supervisor;
  }

  it('acknowledges an append DuckDB reports durable although its checkpoint failed, then reopens the database', async () => {
    await freshDatabase('durable');
    events.length = 0;
    // Room for the append's WAL records, not for the checkpoint after its commit.
    fillDisk(filler(), 64 * 1024);
    await supervisor.call('append', [spans('durable-c', 5)]);
    // Invalidated: calls fail fast with the cause until the database is open again.
    expect((await health()).writeError).toMatch(/^the database is being reopened after a fatal error \(.*COMMIT succeeded and is durable/);
    await expect(supervisor.call('append', [spans('durable-d', 5)])).rejects.toThrow(/being reopened after a fatal error/);

    rmSync(filler());
    await until(health, (h) => h.writeError === null);
    expect(events.filter((e) => e.level === 'info').map((e) => e.message)).toEqual([expect.stringMatching(/^database reopened after \d+ attempts?$/)]);
    expect(await count('durable-c-t')).toBe(5);
    expect(await count('durable-d-t')).toBe(0);
  });

  it('discards an append whose commit failed fatally (answered with an error) when it reopens the database', async () => {
    await freshDatabase('doubt');
    events.length = 0;
    fillDisk(filler(), 64 * 1024);
    // Random attributes: the checkpoint must write new blocks, and fails before DuckDB can say whether the commit held.
    const failed = await supervisor.call('append', [spans('doubt-c', 500, true)]).then(() => 'stored', (err: Error) => err.message);
    expect(failed).toMatch(/^DuckDB store: FATAL Error: Failed to create checkpoint because of error: .*No space left on device/);
    expect((await health()).writeError).toMatch(/being reopened after a fatal error/);

    rmSync(filler());
    await until(health, (h) => h.writeError === null);
    expect(events.filter((e) => e.level === 'info').map((e) => e.message)).toEqual([
      expect.stringMatching(/^database reopened after \d+ attempts?; 1 append batch answered with an error discarded$/),
    ]);
    expect(await count('doubt-b-t')).toBe(50);
    expect(await count('doubt-c-t')).toBe(0);
    await supervisor.call('append', [spans('doubt-e', 5)]);
    expect(await count('doubt-e-t')).toBe(5);
  });

  it('answers an append queued behind the one whose commit invalidated the database, and appends once reopened', async () => {
    // The server pipelines appends (group commit hands the store two batches at once): the second
    // starts on the writer as soon as the first fails, before the supervisor lets go of the
    // database, which must wait for it to settle rather than close the connection under it.
    await freshDatabase('queued');
    events.length = 0;
    fillDisk(filler(), 64 * 1024);
    const outcome = (p: Promise<unknown>) => p.then(() => 'stored', (err: Error) => err.message);
    const [failed, queued] = await Promise.all([
      outcome(supervisor.call('append', [spans('queued-c', 500, true)])),
      outcome(supervisor.call('append', [spans('queued-d', 5)])),
    ]);
    expect(failed).toMatch(/^DuckDB store: FATAL Error: Failed to create checkpoint because of error: .*No space left on device/);
    expect(queued).toMatch(/^DuckDB store: .*database has been invalidated|^DuckDB store is closed$/);

    rmSync(filler());
    await until(health, (h) => h.writeError === null);
    expect(await count('queued-c-t')).toBe(0);
    expect(await count('queued-d-t')).toBe(0);
    await supervisor.call('append', [spans('queued-e', 5)]);
    expect(await count('queued-e-t')).toBe(5);
  });
});
