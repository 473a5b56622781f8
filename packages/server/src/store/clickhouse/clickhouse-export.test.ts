// Export on ClickHouse: the shared conformance suite (../export.case.ts) against a real server
// (Debian's 18.16 here). 18.16 has no Parquet output format, so the store declares it unsupported.

import { afterAll, beforeAll } from 'vitest';
import { startClickHouse, type ClickHouseCluster } from '../../../test/support/clickhouse.js';
import { runExportConformance } from '../export.case.js';
import { createClickHouseStore } from './clickhouse-store.js';

let ch: ClickHouseCluster;
beforeAll(async () => {
  ch = await startClickHouse();
}, 60_000);
afterAll(async () => {
  await ch?.stop();
});

let databases = 0;
runExportConformance('clickhouse', () => createClickHouseStore({ url: ch.shards[0]!.url, database: `export_${++databases}` }), { parquet: false });
