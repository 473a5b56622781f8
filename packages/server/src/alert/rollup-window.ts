// Reads the rollups the engine judges: minute rows of the recent window and hourly rows of the
// baseline, every dimension grouped, through the Store interface only. Closed minutes and hours
// are cached, so a tick re-reads only the last few minutes (late spans still land there).

import type { RollupRow, Store } from '../store/store.js';
import { HOUR, MINUTE } from '../query/read-rollups.js';
import { ALL_DIMENSIONS } from './figures.js';


export interface RollupWindow {
  /** Minute rows with bucket in [now − windowMs, now). */
  minutes(windowMs: number): RollupRow[];
  /** Hourly rows by hour bucket (those in the requested baseline range). */
  hours: ReadonlyMap<number, RollupRow[]>;
  /** Changes whenever hourly rows were re-read, so derived baselines know to recompute. */
  hourVersion: number;
}

export interface RollupWindowReader {
  read(project: string, now: number, need: { windowMs: number; baselineFrom: number }): Promise<RollupWindow>;
}

interface ProjectCache {
  minutes: Map<number, RollupRow[]>;
  hours: Map<number, RollupRow[]>;
  /** Minutes before this are final; hours before hoursFinal are final. */
  minutesFinal: number;
  hoursFinal: number;
  lastNow: number;
  hourVersion: number;
}

function byBucket(rows: RollupRow[], into: Map<number, RollupRow[]>): void {
  for (const r of rows) {
    let list = into.get(r.bucket);
    if (!list) into.set(r.bucket, (list = []));
    list.push(r);
  }
}

/** `lateMs`: buckets this recent may still grow (spans arrive after they end), so they are re-read each time. */
export function createRollupWindowReader(store: Store, lateMs: number): RollupWindowReader {
  const caches = new Map<string, ProjectCache>();
  return {
    async read(project, now, need) {
      let c = caches.get(project);
      if (!c || now < c.lastNow) {
        c = { minutes: new Map(), hours: new Map(), minutesFinal: -Infinity, hoursFinal: -Infinity, lastNow: now, hourVersion: 0 };
        caches.set(project, c);
      }
      c.lastNow = now;
      const nowMinute = Math.ceil(now / MINUTE) * MINUTE;
      const windowFrom = Math.floor((now - need.windowMs) / MINUTE) * MINUTE;
      const minuteFrom = Math.max(windowFrom, c.minutesFinal);
      for (const b of c.minutes.keys()) if (b < windowFrom || b >= minuteFrom) c.minutes.delete(b);
      const query = { project, groupBy: ALL_DIMENSIONS, filter: {} };
      const hourEnd = Math.floor(now / HOUR) * HOUR;
      const hourFrom = Math.floor(need.baselineFrom / HOUR) * HOUR;
      let firstMissing = hourFrom;
      while (firstMissing < hourEnd && c.hours.has(firstMissing) && firstMissing < c.hoursFinal) firstMissing += HOUR;
      const [minuteRows, hourRows] = await Promise.all([
        minuteFrom < nowMinute ? store.rollup({ ...query, from: minuteFrom, to: nowMinute, bucketMs: MINUTE }) : [],
        firstMissing < hourEnd ? store.rollup({ ...query, from: firstMissing, to: hourEnd, bucketMs: HOUR }) : null,
      ]);
      byBucket(minuteRows, c.minutes);
      c.minutesFinal = Math.floor((now - lateMs) / MINUTE) * MINUTE;
      if (hourRows !== null) {
        for (let h = firstMissing; h < hourEnd; h += HOUR) c.hours.set(h, []);
        byBucket(hourRows, c.hours);
        c.hourVersion++;
      }
      for (const h of c.hours.keys()) if (h < hourFrom || h >= hourEnd) c.hours.delete(h);
      c.hoursFinal = Math.floor((now - lateMs) / HOUR) * HOUR;
      const cache = c;
      return {
        minutes(windowMs) {
          const from = now - windowMs;
          const out: RollupRow[] = [];
          for (const [b, rows] of cache.minutes) if (b >= from && b < now) for (const r of rows) out.push(r);
          return out;
        },
        hours: cache.hours,
        hourVersion: cache.hourVersion,
      };
    },
  };
}
