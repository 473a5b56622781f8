// The shared Store conformance suite against a two-shard cluster: local tables on each shard,
// Distributed tables over them, DDL and retention sent to every shard.

import { afterAll, beforeAll } from 'vitest';
import { startClickHouse, type ClickHouseCluster } from '../../../test/support/clickhouse.js';
import { runDoctorConformance } from '../doctor.case.js';
import { runStoreConformance } from '../store.case.js';
import type { Store } from '../store.js';
import { createClickHouseStore } from './clickhouse-store.js';

let ch: ClickHouseCluster;
beforeAll(async () => {
  ch = await startClickHouse({ shards: 2 });
});
afterAll(async () => {
  await ch?.stop();
});

let databases = 0;
const databaseOf = new WeakMap<Store, string>();
const open = (database: string, entry: number): Promise<Store> =>
  createClickHouseStore({ url: ch.shards[entry]!.url, database, cluster: ch.cluster, shards: ch.shards.map((s) => s.url) });

runStoreConformance(
  'clickhouse, two shards',
  async () => {
    const database = `cluster_${++databases}`;
    const store = await open(database, 0);
    databaseOf.set(store, database);
    return store;
  },
  // Reopening through the other shard must see the same data.
  { reopen: (closed) => open(databaseOf.get(closed)!, 1) },
);

// Parents are looked up in each shard's local table: a trace's spans share a shard.
runDoctorConformance('clickhouse, two shards', () => open('doctor', 0));
