// Covered time: the part of a period that has data. A chart or KPI of a project that began an
// hour ago, viewed over 7 days, is about one hour; its "previous period" is the hour before that
// (none). Rates divide by covered time and changes compare rates over equal covered lengths.

import type { SpanStore } from '../store/span-store.js';
import type { SpanFilter } from '../store/store.js';
import { HOUR, MINUTE, readRollupsExact } from './read-rollups.js';

/** [from, to) in epoch ms. */
export interface Covered {
  from: number;
  to: number;
}

/** The first minute in [from, to) with a span matching `filter`, or null. */
export async function firstDataMinute(store: SpanStore, project: string, from: number, to: number, filter: SpanFilter): Promise<number | null> {
  const rows = await readRollupsExact(store, { project, from, to, groupBy: [], filter, histogram: false });
  let first: number | null = null;
  for (const r of rows) if (r.count > 0 && (first === null || r.bucket < first)) first = r.bucket;
  if (first === null || first % HOUR !== 0) return first;
  // Possibly an hourly row: find the minute inside it.
  const minutes = await store.rollup({ project, from: first, to: Math.min(first + HOUR, to), bucketMs: MINUTE, groupBy: [], filter, histogram: false });
  const m = minutes.filter((r) => r.count > 0).map((r) => r.bucket);
  return m.length > 0 ? Math.min(...m) : first;
}

export interface CoveredPeriods {
  /** Data in [from, min(to, now)), from its first minute; null when there is none. */
  covered: Covered | null;
  /** The period of equal length right before `start`, from its first minute with data; null when it has none. */
  previous: Covered | null;
  /** Where the current period starts (its first data, or `from`) and ends (`to`, or now when earlier). */
  start: number;
  end: number;
  /** Length of the current period's covered time (of [from, end) when it has no data). */
  length: number;
}

/**
 * The covered part of [from, to) and of the period of equal length before it. Only the start of
 * data counts: a quiet stretch after the first span is time with no traffic, not missing time.
 * @example const { covered, previous } = await coveredPeriods(store, 'p', now - 7 * DAY, now, now, {});
 */
export async function coveredPeriods(store: SpanStore, project: string, from: number, to: number, now: number, filter: SpanFilter): Promise<CoveredPeriods> {
  const end = Math.max(from, Math.min(to, now));
  const first = end > from ? await firstDataMinute(store, project, from - (end - from), end, filter) : null;
  const start = first === null ? from : Math.max(from, first);
  const covered = first === null || start >= end ? null : { from: start, to: end };
  const length = covered ? covered.to - covered.from : end - from;
  const previous = first === null || first >= start ? null : { from: Math.max(start - length, first), to: start };
  return { covered, previous, start, end, length };
}
