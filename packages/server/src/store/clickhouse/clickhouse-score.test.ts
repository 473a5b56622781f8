// Scores on ClickHouse: the shared conformance suite (../score.case.ts) against a real server
// (Debian's 18.16 here), on one server and on a two-shard cluster (Distributed tables, retention
// sent to every shard).

import { afterAll, beforeAll } from 'vitest';
import { startClickHouse, type ClickHouseCluster } from '../../../test/support/clickhouse.js';
import { runScoreConformance } from '../score.case.js';
import { createClickHouseStore } from './clickhouse-store.js';

let ch: ClickHouseCluster;
beforeAll(async () => {
  ch = await startClickHouse({ shards: 2 });
}, 60_000);
afterAll(async () => {
  await ch?.stop();
});

let databases = 0;
runScoreConformance('clickhouse', () => createClickHouseStore({ url: ch.shards[0]!.url, database: `scores_${++databases}` }));
runScoreConformance('clickhouse, two shards', () =>
  createClickHouseStore({ url: ch.shards[0]!.url, database: `scores_cluster_${++databases}`, cluster: ch.cluster, shards: ch.shards.map((s) => s.url) }),
);
