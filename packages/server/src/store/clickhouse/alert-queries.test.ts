// Alert persistence on ClickHouse: the shared conformance suite (../alert-store.case.ts) against a
// real server (Debian's 18.16 here), one fresh database per store; reopen is a new connection.

import { afterAll, beforeAll } from 'vitest';
import { startClickHouse, type ClickHouseCluster } from '../../../test/support/clickhouse.js';
import { runAlertStoreConformance } from '../alert-store.case.js';
import { createClickHouseStore } from './clickhouse-store.js';

let ch: ClickHouseCluster;
beforeAll(async () => {
  ch = await startClickHouse();
}, 60_000);
afterAll(async () => {
  await ch?.stop();
});

let databases = 0;
runAlertStoreConformance('clickhouse', async () => {
  const open = (database: string) => createClickHouseStore({ url: ch.shards[0]!.url, database });
  const database = `alerts_${++databases}`;
  return { store: await open(database), reopen: () => open(database) };
});
