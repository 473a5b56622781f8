// The shared Store conformance suite against a real ClickHouse (Debian's 18.16 here), one fresh
// database per store, plus the ClickHouse-only guarantees: concurrent migrations and leases.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouse, type ClickHouseCluster } from '../../../test/support/clickhouse.js';
import { runStoreConformance } from '../store.case.js';
import type { Store } from '../store.js';
import { createClickHouseStore } from './clickhouse-store.js';
import { SCHEMA_VERSION } from './schema.js';

let ch: ClickHouseCluster;
beforeAll(async () => {
  ch = await startClickHouse();
});
afterAll(async () => {
  await ch?.stop();
});

let databases = 0;
const databaseOf = new WeakMap<Store, string>();
async function freshStore(): Promise<Store> {
  const database = `conformance_${++databases}`;
  const store = await createClickHouseStore({ url: ch.shards[0]!.url, database });
  databaseOf.set(store, database);
  return store;
}

runStoreConformance('clickhouse', freshStore, {
  reopen: (closed) => createClickHouseStore({ url: ch.shards[0]!.url, database: databaseOf.get(closed)! }),
});

describe('ClickHouse store: several nodes on one database', () => {
  const stores: Store[] = [];
  const nodes = async (database: string, n: number): Promise<Store[]> => {
    // Started together on purpose: concurrent migrations must not race.
    const opened = await Promise.all(
      Array.from({ length: n }, () => createClickHouseStore({ url: ch.shards[0]!.url, database, liveFollowIntervalMs: 100 })),
    );
    stores.push(...opened);
    return opened;
  };
  afterAll(async () => {
    for (const s of stores) await s.close();
  });

  it('migrates once when nodes start at the same time', async () => {
    const [a, b, c] = await nodes('concurrent_start', 3);
    await a!.createProject('p');
    expect(await b!.listProjects()).toEqual(['p']);
    expect(await c!.stats()).toMatchObject({ spans: 0 });
    const res = await fetch(`${ch.shards[0]!.url}/?query=${encodeURIComponent('SELECT max(version) FROM concurrent_start.schema_migrations')}`);
    expect((await res.text()).trim()).toBe(String(SCHEMA_VERSION));
  });

  it('grants a lease to one holder at a time and hands it over after expiry', async () => {
    const [a, b] = await nodes('leases', 2);
    const T = 1_000_000;
    expect(await a!.tryAcquireLease('alerts', 'node-a', 1000, T)).toBe(true);
    expect(await b!.tryAcquireLease('alerts', 'node-b', 1000, T + 10)).toBe(false);
    expect(await a!.tryAcquireLease('alerts', 'node-a', 1000, T + 500)).toBe(true);
    expect(await b!.tryAcquireLease('alerts', 'node-b', 1000, T + 1400)).toBe(false);
    // node-a stops renewing: node-b takes over once the renewed lease (T + 1500) expires.
    expect(await b!.tryAcquireLease('alerts', 'node-b', 1000, T + 1501)).toBe(true);
    expect(await a!.tryAcquireLease('alerts', 'node-a', 1000, T + 1600)).toBe(false);
    expect(await b!.tryAcquireLease('alerts', 'node-b', 1000, T + 1700)).toBe(true);
    expect(await a!.tryAcquireLease('other', 'node-a', 1000, T + 1700)).toBe(true);
  });

  it('never grants a contested lease to two holders', async () => {
    const racers = await nodes('lease_race', 4);
    let now = 5_000_000;
    for (let round = 0; round < 8; round++) {
      now += 2000; // every round starts with the previous lease expired
      const got = await Promise.all(racers.map((s, i) => s.tryAcquireLease('alerts', `node-${i}`, 1000, now)));
      expect(got.filter(Boolean).length).toBeLessThanOrEqual(1);
    }
  });

  it('delivers spans committed by another node to followOtherNodes, not its own', async () => {
    const [a, b] = await nodes('follow', 2);
    const seenByB: string[] = [];
    const seenByA: string[] = [];
    const stopB = b!.followOtherNodes!((spans) => seenByB.push(...spans.map((s) => s.span_id)));
    const stopA = a!.followOtherNodes!((spans) => seenByA.push(...spans.map((s) => s.span_id)));
    const now = Date.now();
    const { makeSpan } = await import('../store.case.js');
    await a!.append([makeSpan({ timestamp: now, span_id: 'from-a-1' }), makeSpan({ timestamp: now, span_id: 'from-a-2' })]);
    const deadline = Date.now() + 2000;
    while (seenByB.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(seenByB.sort()).toEqual(['from-a-1', 'from-a-2']);
    await new Promise((r) => setTimeout(r, 300));
    expect(seenByA).toEqual([]);
    expect(seenByB.length).toBe(2);
    stopA();
    stopB();
  });
});
