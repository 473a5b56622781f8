// The insight primitives on ClickHouse: the shared conformance suite (../insight.case.ts) against a
// real server (Debian's 18.16 here), one fresh database per store.

import { afterAll, beforeAll } from 'vitest';
import { startClickHouse, type ClickHouseCluster } from '../../../test/support/clickhouse.js';
import { runInsightConformance } from '../insight.case.js';
import { createClickHouseStore } from './clickhouse-store.js';

let ch: ClickHouseCluster;
beforeAll(async () => {
  ch = await startClickHouse();
}, 60_000);
afterAll(async () => {
  await ch?.stop();
});

let databases = 0;
runInsightConformance('clickhouse', () => createClickHouseStore({ url: ch.shards[0]!.url, database: `insights_${++databases}` }));
