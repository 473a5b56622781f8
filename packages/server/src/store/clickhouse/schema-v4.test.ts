// Upgrading a ClickHouse database from schema version 3 (rollup histograms in h0..h63, no trace
// index) to 4: rollups read the same figures as before, old and new rows add up, rows that a node on
// older code writes during the upgrade are folded in by the next start, and traces stored before
// the upgrade are found through the backfilled trace_index.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouse, type ClickHouseCluster } from '../../../test/support/clickhouse.js';
import type { Span } from '../../model/span.js';
import { HOUR_MS, MINUTE_MS, rollupDeltas } from '../rollup.js';
import { expectRowsEqual, expectedRollup, fleetSpans } from '../store.case.js';
import type { Store } from '../store.js';
import { createClickHouseStore } from './clickhouse-store.js';
import { createConnection, type Connection, type Row } from './connection.js';
import { migrateServer } from './migrate.js';
import { HIST_COLUMNS, NULLABLE_DIMENSIONS, ROLLUP_SUMS, SCHEMA_VERSION } from './schema.js';
import { spanRow } from './span-rows.js';

let ch: ClickHouseCluster;
let conn: Connection;
beforeAll(async () => {
  ch = await startClickHouse();
  conn = createConnection(ch.shards[0]!.url);
});
afterAll(async () => {
  await conn?.close();
  await ch?.stop();
});

/** Rollup rows as schema version 3 stored them: the histogram in h0..h63. */
function legacyRollupRows(spans: Span[], bucketMs: number): Row[] {
  return rollupDeltas(spans, bucketMs).map((d) => {
    const row: Row = { project: d.project, bucket: d.bucket, agent_id: d.agent_id, span_type: d.span_type };
    for (const dim of NULLABLE_DIMENSIONS) {
      row[`${dim}_key`] = d[dim] ?? '';
      row[`${dim}_null`] = d[dim] === null ? 1 : 0;
    }
    for (const [c] of ROLLUP_SUMS) row[c] = d[c];
    HIST_COLUMNS.forEach((h, i) => (row[h] = d.latency_hist[i]));
    return row;
  });
}

/** What a node on older code inserts for `spans`. */
async function appendLegacy(db: string, spans: Span[]): Promise<void> {
  await conn.insert(`${db}.spans`, spans.map((s) => spanRow(s, 'old-node', s.ingested_at)));
  await conn.insert(`${db}.rollup_minute`, legacyRollupRows(spans, MINUTE_MS));
  await conn.insert(`${db}.rollup_hour`, legacyRollupRows(spans, HOUR_MS));
}

async function expectRollups(store: Store, spans: Span[]): Promise<void> {
  const q = { project: 'alpha', from: spans[0]!.timestamp - HOUR_MS, to: spans.at(-1)!.timestamp + HOUR_MS, filter: {} };
  for (const bucketMs of [MINUTE_MS, HOUR_MS]) {
    expectRowsEqual(await store.rollup({ ...q, bucketMs, groupBy: ['model'] }), expectedRollup(spans, bucketMs, ['model']));
    expectRowsEqual(await store.rollup({ ...q, bucketMs, groupBy: [] }), expectedRollup(spans, bucketMs, []));
  }
}

describe('ClickHouse schema version 4 upgrade', () => {
  it('keeps rollups and traces written before it, and folds in what older nodes write during it', async () => {
    const db = 'upgrade_v3';
    await migrateServer(conn, { db, onCluster: false }, 'v3-node', () => 0, 3);
    const spans = fleetSpans('alpha', 400);
    const [before, during, after] = [spans.slice(0, 200), spans.slice(200, 300), spans.slice(300)];
    await appendLegacy(db, before);

    const store = await createClickHouseStore({ url: ch.shards[0]!.url, database: db });
    try {
      const version = await conn.rows<{ v: number }>(`SELECT max(version) AS v FROM ${db}.schema_migrations`);
      expect(Number(version[0]!.v)).toBe(SCHEMA_VERSION);
      await expectRollups(store, before);
      const trace = before.filter((s) => s.trace_id === before[0]!.trace_id);
      expect(await store.getTrace('alpha', trace[0]!.trace_id)).toEqual(trace);
      const indexed = await conn.rows<{ n: number }>(`SELECT uniqExact(trace_id) AS n FROM ${db}.trace_index`);
      expect(Number(indexed[0]!.n)).toBe(new Set(before.map((s) => s.trace_id)).size);

      // A node still on older code writes legacy rows into the same buckets: not read until folded.
      await appendLegacy(db, during);
      await store.append(after);
    } finally {
      await store.close();
    }
    // The next start folds them in; starting twice must not count them twice.
    for (let start = 0; start < 2; start++) {
      const again = await createClickHouseStore({ url: ch.shards[0]!.url, database: db });
      try {
        await expectRollups(again, spans);
        const legacy = await conn.rows<{ n: number }>(
          `SELECT count() AS n FROM ${db}.rollup_minute WHERE ${HIST_COLUMNS.map((h) => `${h} > 0`).join(' OR ')}`,
        );
        expect(Number(legacy[0]!.n)).toBe(0);
        const trace = during.filter((s) => s.trace_id === during[0]!.trace_id);
        expect(await again.getTrace('alpha', trace[0]!.trace_id)).toEqual(spans.filter((s) => s.trace_id === trace[0]!.trace_id));
      } finally {
        await again.close();
      }
    }
  });
});
