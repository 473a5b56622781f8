// Many SIGKILLs at seeded random points while clients stream batches that carry an
// Idempotency-Key, and retention runs every ~200 ms deleting old spans sent alongside. Clients
// retry every batch that did not get a 2xx (the response may have been lost to the kill after the
// commit) with the same key until it does. Afterwards every batch is stored exactly once — the key
// is committed in the span transaction, so a retry after a crash is answered, not stored again —
// rollups rebuilt after the crashes agree with the raw spans, and retention removed the old spans.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const NOW = Date.now();
const OLD = NOW - 2 * 86_400_000;
const FRESH_PER_BATCH = 40;
const OLD_PER_BATCH = 10;
const KILLS = 6;
let seed = 20261127;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

interface Batch {
  key: string;
  body: string;
  freshIds: string[];
}

function batch(worker: number, n: number): Batch {
  const id = (kind: string, i: number) => `${kind}${worker}${String(n).padStart(6, '0')}${String(i).padStart(20, '0')}`;
  const fresh = Array.from({ length: FRESH_PER_BATCH }, (_, i) => ({ agent_id: 'fresh', trace_id: id('f', i), timestamp: NOW, latency_ms: i * 3 }));
  const old = Array.from({ length: OLD_PER_BATCH }, (_, i) => ({ agent_id: 'old', trace_id: id('o', i), timestamp: OLD }));
  return { key: `batch-${worker}-${n}`, body: JSON.stringify([...fresh, ...old]), freshIds: fresh.map((e) => e.trace_id) };
}

describe('crash safety with idempotent retries and retention', () => {
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  it('stores every batch exactly once across many SIGKILLs at random points', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-crash-retry-'));
    const config = join(dir, 'sightline.yaml');
    // Retention every ~200 ms, so kills also land inside its DELETE transactions.
    writeFileSync(config, 'retention:\n  spansDays: 1\n  intervalMinutes: 0.0033\n');
    const dataDir = join(dir, 'data');
    server = await startServer({ dataDir, args: ['--config', config] });
    const adminKey = server.adminKey;

    const done: Batch[] = [];
    let issuing = true;
    let replays = 0;
    const worker = async (w: number) => {
      for (let n = 0; issuing; n++) {
        const b = batch(w, n);
        // Retry the same batch with the same key until it is acknowledged.
        for (;;) {
          const url = server!.url;
          try {
            const res = await fetch(`${url}/v1/events`, {
              method: 'POST',
              headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', 'idempotency-key': b.key },
              body: b.body,
            });
            const text = await res.text();
            if (res.ok) {
              expect(JSON.parse(text)).toEqual({ accepted: FRESH_PER_BATCH + OLD_PER_BATCH, rejected: [], rejected_events: 0 });
              if (res.headers.get('idempotent-replayed') === 'true') replays++;
              done.push(b);
              break;
            }
            expect([503]).toContain(res.status);
          } catch {
            // Connection refused or cut by the kill: the server is restarting.
          }
          await new Promise((r) => setTimeout(r, 30));
        }
      }
    };
    const workers = Promise.all([0, 1, 2].map(worker));

    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 150 + Math.floor(rnd() * 900)));
      await server.stop({ signal: 'SIGKILL' });
      server = await startServer({ dataDir, adminKey, args: ['--config', config] });
    }
    await new Promise((r) => setTimeout(r, 300));
    issuing = false;
    await workers;

    const res = await fetch(`${server.url}/api/export?format=ndjson&from=${OLD - 60_000}&to=${NOW + 60_000}`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    const stored = (await res.text())
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { trace_id: string; agent_id: string });
    const counts = new Map<string, number>();
    for (const s of stored.filter((s) => s.agent_id === 'fresh')) counts.set(s.trace_id, (counts.get(s.trace_id) ?? 0) + 1);
    const expected = done.flatMap((b) => b.freshIds);
    expect(done.length).toBeGreaterThan(KILLS);
    expect(expected.filter((id) => counts.get(id) !== 1)).toEqual([]);
    expect(counts.size).toBe(expected.length);

    const series = await request(
      `${server.url}/api/timeseries?metric=count&interval=1h&from=${NOW - 3_600_000}&to=${NOW + 3_600_000}&agent=fresh`,
      { key: adminKey },
    );
    const rolledUp = (series.body.series[0]?.points ?? []).reduce((sum: number, [, v]: [number, number]) => sum + v, 0);
    expect(rolledUp).toBe(expected.length);

    // Old spans were deleted by retention (it runs every ~200 ms; give the last run a moment).
    let old = stored.filter((s) => s.agent_id === 'old').length;
    for (let i = 0; i < 20 && old > 0; i++) {
      await new Promise((r) => setTimeout(r, 150));
      const again = await fetch(`${server.url}/api/export?format=ndjson&agent=old&from=${OLD - 60_000}&to=${NOW + 60_000}`, {
        headers: { authorization: `Bearer ${adminKey}` },
      });
      old = (await again.text()).split('\n').filter((l) => l !== '').length;
    }
    expect(old).toBe(0);
    console.log(`crash-retry: ${KILLS} kills, ${done.length} batches acknowledged, ${replays} answered as replays of a committed attempt`);
  });
});
