// Latency histograms in the rollup tables (schema version 4): each row's non-empty buckets as the
// nested map histMap (schema.ts), written from rollup.ts deltas, read back dense with sumMap, and
// the legacy h0..h63 columns of rows written before (or by older nodes) folded into the map.

import { LATENCY_BUCKETS } from '../latency-sketch.js';
import type { Connection, Row } from './connection.js';
import { waitForMutations } from './retention.js';
import { HIST_COLUMNS, HIST_MAP, ROLLUP_TABLES, localName, tableName, type Layout, type RollupTable } from './schema.js';

/** The map columns of one rollup row: the non-zero buckets of `hist`, in bucket order. */
export function histogramColumns(hist: readonly number[]): Row {
  const buckets: number[] = [];
  const counts: number[] = [];
  hist.forEach((n, i) => {
    if (n === 0) return;
    buckets.push(i);
    counts.push(n);
  });
  return { [HIST_MAP.bucket]: buckets, [HIST_MAP.count]: counts };
}

/** Aggregate over rollup rows: ([bucket…], [count…]) with each bucket once. */
export const SUM_HISTOGRAM = `sumMap(${HIST_MAP.bucket}, ${HIST_MAP.count})`;

/** SUM_HISTOGRAM's result as LATENCY_BUCKETS counts. */
export function denseHistogram(summed: unknown): number[] {
  const hist = new Array<number>(LATENCY_BUCKETS).fill(0);
  const [buckets, counts] = summed as [number[], number[]];
  buckets.forEach((b, i) => (hist[Number(b)] = Number(counts[i])));
  return hist;
}

/** Bucket i of a row: its legacy column plus what its map already holds. */
function denseExpression(): string {
  const legacy = `[${HIST_COLUMNS.join(', ')}]`;
  const mapped = (i: string) => `if(indexOf(${HIST_MAP.bucket}, ${i}) = 0, 0, ${HIST_MAP.count}[indexOf(${HIST_MAP.bucket}, ${i})])`;
  return `arrayMap(i -> ${legacy}[i + 1] + ${mapped('i')}, range(${LATENCY_BUCKETS}))`;
}

function onCluster(layout: Layout): string {
  return layout.onCluster && layout.cluster !== undefined ? ` ON CLUSTER ${layout.cluster}` : '';
}

/**
 * Moves histogram counts still in h0..h63 into histMap and zeroes the columns, on one server (or, with
 * ON CLUSTER, on all). Runs at every start and does nothing once no row has legacy counts; rows that
 * nodes on older code insert during an upgrade are folded by the next node that starts. Idempotent
 * and safe next to new inserts: a mutation only rewrites parts older than itself, and adds a row's
 * legacy counts to its map, so two nodes starting at once cannot count a bucket twice.
 */
export async function foldLegacyHistograms(conn: Connection, layout: Layout): Promise<void> {
  for (const t of Object.keys(ROLLUP_TABLES) as RollupTable[]) {
    const local = localName(layout, t);
    const read = layout.onCluster ? tableName(layout, t) : local;
    const legacy = await conn.rows(`SELECT 1 FROM ${read} WHERE ${HIST_COLUMNS.map((h) => `${h} > 0`).join(' OR ')} LIMIT 1`);
    if (legacy.length === 0) continue;
    const dense = denseExpression();
    await conn.command(
      `ALTER TABLE ${local}${onCluster(layout)} UPDATE
        \`${HIST_MAP.bucket}\` = arrayFilter((i, c) -> c > 0, range(${LATENCY_BUCKETS}), ${dense}),
        \`${HIST_MAP.count}\` = arrayFilter(c -> c > 0, ${dense}),
        ${HIST_COLUMNS.map((h) => `${h} = 0`).join(', ')}
      WHERE ${HIST_COLUMNS.map((h) => `${h} > 0`).join(' OR ')}`,
    );
    await waitForMutations(conn, local);
  }
}
