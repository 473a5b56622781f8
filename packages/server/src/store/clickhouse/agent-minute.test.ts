// The per-agent minute rollup (schema version 5) on a real ClickHouse, one server and two shards:
// rollups written before the upgrade are only in rollup_minute, reads split at the recorded start
// moment T and add up exactly across it, reads it cannot answer use rollup_minute, and retention
// trims both. Then the whole conformance suite with the new table complete from the start.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouse, type ClickHouseCluster } from '../../../test/support/clickhouse.js';
import { DEFAULT_LIMITS } from '../../model/limits.js';
import type { Span } from '../../model/span.js';
import { HOUR_MS, MINUTE_MS, rollupDeltas } from '../rollup.js';
import { expectRowsEqual, expectedRollup, fleetSpans, runStoreConformance } from '../store.case.js';
import type { RollupQuery, RollupRow, Store } from '../store.js';
import { CLOCK_DRIFT_MS, completeFrom } from './agent-minute.js';
import { createClickHouseStore } from './clickhouse-store.js';
import { createConnection, type Connection } from './connection.js';
import { migrateServer } from './migrate.js';
import { AGENT_MINUTE, AGENT_MINUTE_START, type Layout } from './schema.js';
import { rollupRow, spanRow } from './span-rows.js';

const T0 = Date.UTC(2025, 0, 6, 10, 0, 0);
/** T: 97 minutes into three hours of spans, inside the 15-minute bucket from minute 90. */
const T = T0 + 97 * MINUTE_MS;
/** The migrating node's clock when the view exists: T is the first minute no earlier write can reach. */
const VIEW_AT = T - MINUTE_MS - DEFAULT_LIMITS.maxFutureSkewMs - CLOCK_DRIFT_MS;
const END = T0 + 3 * HOUR_MS;

let single: ClickHouseCluster;
let sharded: ClickHouseCluster;
beforeAll(async () => {
  [single, sharded] = await Promise.all([startClickHouse(), startClickHouse({ shards: 2 })]);
});
afterAll(async () => {
  await Promise.all([single?.stop(), sharded?.stop()]);
});

const withoutHist = (rows: RollupRow[]): RollupRow[] => rows.map((r) => ({ ...r, latency_hist: [] }));

/** What rollup() must answer for `spans`, from the raw spans (store.case.ts). */
function expected(spans: Span[], q: Pick<RollupQuery, 'bucketMs' | 'groupBy' | 'histogram'>): RollupRow[] {
  const dims = q.groupBy.map((d) => (d === 'agent' ? 'agent_id' : d === 'decision' ? 'decision_made' : d)) as Parameters<typeof expectedRollup>[2];
  const rows = expectedRollup(spans, q.bucketMs, dims);
  return q.histogram === false ? withoutHist(rows) : rows;
}

interface Setup {
  name: string;
  cluster: () => ClickHouseCluster;
  sharded: boolean;
}

describe.each<Setup>([
  { name: 'one server', cluster: () => single, sharded: false },
  { name: 'two shards', cluster: () => sharded, sharded: true },
])('per-agent minute rollup, $name', ({ cluster, sharded: isSharded }) => {
  const db = 'agent_minute_split';
  let store: Store;
  let conn: Connection;
  const spans = fleetSpans('alpha', 900, T0);
  // Written by a node on schema version 4 before the upgrade: all before T, as ingest ensures.
  const before = spans.filter((s) => s.timestamp < T0 + 60 * MINUTE_MS);
  const after = spans.filter((s) => s.timestamp >= T0 + 60 * MINUTE_MS);

  beforeAll(async () => {
    const ch = cluster();
    const layout: Layout = { db, onCluster: false, ...(isSharded && { cluster: ch.cluster }) };
    conn = createConnection(ch.shards[0]!.url, isSharded ? { insert_distributed_sync: 1 } : {});
    for (const shard of ch.shards) {
      const c = createConnection(shard.url);
      await migrateServer(c, layout, 'v4-node', () => VIEW_AT - HOUR_MS, 4);
      await c.close();
    }
    await conn.insert(`${db}.spans`, before.map((s) => spanRow(s, 'v4-node', s.ingested_at)));
    await conn.insert(`${db}.rollup_minute`, rollupDeltas(before, MINUTE_MS).map(rollupRow));
    await conn.insert(`${db}.rollup_hour`, rollupDeltas(before, HOUR_MS).map(rollupRow));
    store = await createClickHouseStore({
      url: ch.shards[0]!.url,
      database: db,
      clock: () => VIEW_AT,
      ...(isSharded && { cluster: ch.cluster, shards: ch.shards.map((s) => s.url) }),
    });
    for (let i = 0; i < after.length; i += 100) await store.append(after.slice(i, i + 100));
  });
  afterAll(async () => {
    await store?.close();
    await conn?.close();
  });

  it('records T on every server and fills the new table only from the upgrade on', async () => {
    expect(completeFrom(VIEW_AT)).toBe(T);
    const starts = await conn.rows<{ t: number }>(`SELECT complete_from AS t FROM ${db}.${AGENT_MINUTE_START}`);
    expect(starts.map((r) => Number(r.t))).toEqual(isSharded ? [T, T] : [T]);
    const held = await conn.rows<{ n: number; first: number }>(`SELECT sum(count) AS n, min(bucket) AS first FROM ${db}.${AGENT_MINUTE}`);
    expect({ n: Number(held[0]!.n), first: Number(held[0]!.first) }).toEqual({ n: after.length, first: T0 + 60 * MINUTE_MS });
  });

  it('answers reads across T exactly: older buckets from rollup_minute, later ones from the new table', async () => {
    const range = { project: 'alpha', from: T0, to: END, filter: {} };
    const cases: Pick<RollupQuery, 'bucketMs' | 'groupBy' | 'histogram'>[] = [
      { bucketMs: MINUTE_MS, groupBy: ['agent'], histogram: false },
      { bucketMs: MINUTE_MS, groupBy: [] },
      // The bucket from minute 90 adds rows of both tables.
      { bucketMs: 15 * MINUTE_MS, groupBy: ['agent'] },
      { bucketMs: 7 * MINUTE_MS, groupBy: [], histogram: false },
      // Not answerable from the new table: grouped or filtered by another dimension.
      { bucketMs: MINUTE_MS, groupBy: ['model'] },
      { bucketMs: 15 * MINUTE_MS, groupBy: ['agent', 'decision'] },
    ];
    for (const q of cases) expectRowsEqual(await store.rollup({ ...range, ...q }), expected(spans, q));
    const agent2 = spans.filter((s) => s.agent_id === 'agent-2');
    expectRowsEqual(
      await store.rollup({ ...range, bucketMs: 5 * MINUTE_MS, groupBy: [], filter: { agent: 'agent-2' } }),
      expected(agent2, { bucketMs: 5 * MINUTE_MS, groupBy: [] }),
    );
    const gpt = spans.filter((s) => s.model === 'gpt-4o');
    expectRowsEqual(
      await store.rollup({ ...range, bucketMs: MINUTE_MS, groupBy: ['agent'], filter: { model: 'gpt-4o' } }),
      expected(gpt, { bucketMs: MINUTE_MS, groupBy: ['agent'] }),
    );
    // Ranges ending at T, starting at T, and one collapsed across it.
    const early = spans.filter((s) => s.timestamp < T);
    const late = spans.filter((s) => s.timestamp >= T);
    const q: Pick<RollupQuery, 'bucketMs' | 'groupBy'> = { bucketMs: MINUTE_MS, groupBy: ['agent'] };
    expectRowsEqual(await store.rollup({ ...range, ...q, to: T }), expected(early, q));
    expectRowsEqual(await store.rollup({ ...range, ...q, from: T }), expected(late, q));
    const mid = spans.filter((s) => s.timestamp >= T0 + 30 * MINUTE_MS && s.timestamp < T0 + 150 * MINUTE_MS);
    const collapsed = await store.rollup({ ...range, from: T0 + 30 * MINUTE_MS, to: T0 + 150 * MINUTE_MS, ...q, collapse: true });
    expectRowsEqual(collapsed, expected(mid, { bucketMs: 1e15, groupBy: ['agent'] }).map((r) => ({ ...r, bucket: T0 + 30 * MINUTE_MS })));
  });

  it('reads the minute before T from rollup_minute only and T itself from the new table only', async () => {
    // Rows only the new table holds: the one at T - 1 min must be ignored, the one at T read.
    const probe = { project: 'alpha', agent_id: 'probe', count: 1, errors: 0, latency_sum: 0, tokens_input: 0, tokens_output: 0,
      tokens_cache_read: 0, tokens_cache_write: 0, tokens_reasoning: 0, cost_usd: 0, confidence_sum: 0, confidence_count: 0,
      'histMap.bucket': [3], 'histMap.count': [1] };
    await conn.insert(`${db}.${AGENT_MINUTE}`, [{ ...probe, bucket: T - MINUTE_MS }, { ...probe, bucket: T }]);
    const around = { project: 'alpha', from: T - 2 * MINUTE_MS, to: T + 2 * MINUTE_MS, bucketMs: MINUTE_MS };
    const byAgent = await store.rollup({ ...around, groupBy: ['agent'], filter: { agent: 'probe' } });
    expect(byAgent.map((r) => [r.bucket, r.group, r.count, r.latency_hist[3]])).toEqual([[T, ['probe'], 1, 1]]);
    const window = spans.filter((s) => s.timestamp >= around.from && s.timestamp < around.to);
    const plusProbe = expected(window, { bucketMs: MINUTE_MS, groupBy: [] }).map((r) =>
      r.bucket === T ? { ...r, count: r.count + 1, latency_hist: r.latency_hist.map((n, i) => (i === 3 ? n + 1 : n)) } : r,
    );
    expectRowsEqual(await store.rollup({ ...around, groupBy: [], filter: {} }), plusProbe);
    // Grouped by model the new table is not read at all.
    expectRowsEqual(await store.rollup({ ...around, groupBy: ['model'], filter: {} }), expected(window, { bucketMs: MINUTE_MS, groupBy: ['model'] }));
  });

  it('trims the new table with the others', async () => {
    const cutoff = T + 23 * MINUTE_MS;
    await store.deleteBefore({ spansBefore: cutoff, rollupsBefore: cutoff });
    const left = await conn.rows<{ n: number }>(`SELECT count() AS n FROM ${db}.${AGENT_MINUTE} WHERE bucket < ${cutoff}`);
    expect(Number(left[0]!.n)).toBe(0);
    const kept = spans.filter((s) => s.timestamp >= cutoff);
    const range = { project: 'alpha', from: T0, to: END, filter: {} };
    expectRowsEqual(await store.rollup({ ...range, bucketMs: MINUTE_MS, groupBy: ['agent'] }), expected(kept, { bucketMs: MINUTE_MS, groupBy: ['agent'] }));
    expectRowsEqual(await store.rollup({ ...range, bucketMs: MINUTE_MS, groupBy: ['model'] }), expected(kept, { bucketMs: MINUTE_MS, groupBy: ['model'] }));
  });
});

// Migrated long before the suite's spans (2025): every read the new table answers comes from it.
let databases = 0;
runStoreConformance('clickhouse, per-agent minute rollup complete', () =>
  createClickHouseStore({ url: single.shards[0]!.url, database: `agent_minute_${++databases}`, clock: () => Date.UTC(2024, 0, 1) }),
);
