// Trace viewer and session reads on ClickHouse: the shared conformance suite (../trace-reads.case.ts)
// against a real server.

import { afterAll, beforeAll } from 'vitest';
import { startClickHouse, type ClickHouseCluster } from '../../../test/support/clickhouse.js';
import { runTraceReadConformance } from '../trace-reads.case.js';
import { createClickHouseStore } from './clickhouse-store.js';

let ch: ClickHouseCluster;
beforeAll(async () => {
  ch = await startClickHouse();
}, 60_000);
afterAll(async () => {
  await ch?.stop();
});

runTraceReadConformance('clickhouse', () => createClickHouseStore({ url: ch.shards[0]!.url, database: 'trace_reads' }));
