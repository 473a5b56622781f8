// The doctor's store read on ClickHouse: the shared conformance suite (../doctor.case.ts) against a
// real server (Debian's 18.16 here), and against a two-shard cluster, where parents are looked up
// on each shard.

import { afterAll, beforeAll } from 'vitest';
import { startClickHouse, type ClickHouseCluster } from '../../../test/support/clickhouse.js';
import { runDoctorConformance } from '../doctor.case.js';
import { createClickHouseStore } from './clickhouse-store.js';

let ch: ClickHouseCluster;
beforeAll(async () => {
  ch = await startClickHouse();
}, 60_000);
afterAll(async () => {
  await ch?.stop();
});

runDoctorConformance('clickhouse', () => createClickHouseStore({ url: ch.shards[0]!.url, database: 'doctor' }));
