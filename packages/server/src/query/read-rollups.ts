// Reads rollups for an arbitrary range: hourly rows for whole hours, minute rows for the
// ragged edges, so a "last 24 h" view is exact to the minute yet reads few rows.

import type { RollupQuery, RollupRow } from '../store/store.js';
import type { SpanStore } from '../store/span-store.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;

/**
 * Rows covering [from, to) to minute precision. Each row's bucket is the start of the minute or
 * hour it covers; callers re-bucket as they need.
 */
export async function readRollupsExact(store: SpanStore, q: Omit<RollupQuery, 'bucketMs'>): Promise<RollupRow[]> {
  const from = Math.floor(q.from / MINUTE) * MINUTE;
  const to = Math.ceil(q.to / MINUTE) * MINUTE;
  const hourStart = Math.ceil(from / HOUR) * HOUR;
  const hourEnd = Math.floor(to / HOUR) * HOUR;
  if (hourEnd - hourStart < HOUR) {
    return store.rollup({ ...q, from, to, bucketMs: MINUTE });
  }
  const parts = await Promise.all([
    from < hourStart ? store.rollup({ ...q, from, to: hourStart, bucketMs: MINUTE }) : [],
    store.rollup({ ...q, from: hourStart, to: hourEnd, bucketMs: HOUR }),
    hourEnd < to ? store.rollup({ ...q, from: hourEnd, to, bucketMs: MINUTE }) : [],
  ]);
  return parts.flat();
}
