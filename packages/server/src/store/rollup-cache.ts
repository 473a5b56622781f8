// A cache of rollup reads (`rollup`, and `insightDecisionCounts`, read from the same rollups) in
// front of a store that is the only writer of its data (DuckDB: one process owns the file). A dashboard asks again and again for the same buckets of the last hour
// or day: each page load used to sum every minute of the range from the rollup tables, though all
// but the newest minute are the same as a moment ago. Here each whole bucket of a read is kept per
// query shape (project, width, grouping, filter, histogram); a read takes the buckets it has and
// asks the store only from the first one it lacks (usually just the running bucket).
//
// Exact by construction: every write goes through this wrapper, and a write drops the buckets of
// every span it stores or revises once it is durable (append, reviseSpans; retention drops all).
// A read that was under way while a write touched one of its buckets keeps that bucket out of the
// cache, so a bucket is only kept as the store answered it after the last write into it. Late data
// for a closed hour is just a write into that hour's buckets. Collapsed reads (one row per group
// for the range) are summed here from the cached buckets, in the store's row order.

import { compareGroups } from './text-order.js';
import { addFigures } from './figures.js';
import { MINUTE_MS, floorToBucket } from './rollup.js';
import type { RollupQuery, RollupRow, SpanFilter } from './span-store.js';
import type { DecisionCountQuery, DecisionCountRow, Store } from './store.js';

/** Cells (figures and histogram counts) kept at most: 10–20 bytes of heap each (rows without a histogram cost more a cell), 20–40 MiB. */
export const ROLLUP_CACHE_MAX_CELLS = 2_000_000;

/**
 * Buckets a read may span and still be cached: two weeks of minutes. A read over more (the status
 * page's "every span ever": hours from 1970 to tomorrow, ~500,000 of them) goes to the store as
 * it is; walking and keeping its empty buckets one by one held the event loop for over a second.
 */
export const ROLLUP_CACHE_MAX_BUCKETS = 20_160;

export interface RollupCacheStats {
  /** Buckets kept now, and their cells. */
  buckets: number;
  cells: number;
  /** Buckets answered from the cache, and buckets read from the store, since the start. */
  hits: number;
  misses: number;
}

/** What both cached reads have in common. */
interface BucketQuery {
  project: string;
  from: number;
  to: number;
  bucketMs: number;
}

interface Entry {
  key: string;
  shape: Shape;
  bucket: number;
  rows: readonly { bucket: number }[];
  cells: number;
}

interface Shape {
  key: string;
  project: string;
  bucketMs: number;
  buckets: Map<number, Entry>;
}

/** A read under way: the minutes written meanwhile, and whether everything was dropped. */
interface Flight {
  project: string;
  minutes: Set<number>;
  cleared: boolean;
}

function filterKey(f: SpanFilter): string {
  return JSON.stringify(Object.keys(f).sort().map((k) => [k, f[k as keyof SpanFilter]]));
}

function shapeKey(read: string, q: BucketQuery, rest: unknown[]): string {
  return JSON.stringify([read, q.project, q.bucketMs, ...rest]);
}

/** One row per group for the whole range, labelled `bucket`, as a store answers `collapse: true`. */
function collapseRows(rows: readonly RollupRow[], bucket: number): RollupRow[] {
  const byGroup = new Map<string, RollupRow>();
  for (const r of rows) {
    const key = JSON.stringify(r.group);
    const acc = byGroup.get(key);
    if (acc) addFigures(acc, r);
    else byGroup.set(key, { ...r, bucket, group: [...r.group], latency_hist: [...r.latency_hist] });
  }
  return [...byGroup.values()].sort((a, b) => compareGroups(a.group, b.group));
}

export interface RollupCache {
  stats(): RollupCacheStats;
}

/**
 * `store` with its rollup reads cached and its writes dropping what they change. Only for a store
 * nothing else writes to (another node's writes would never drop anything).
 * @example const { store: cached } = withRollupCache(await createDuckDbStore({ path }));
 */
export function withRollupCache<S extends Store>(store: S, maxCells = ROLLUP_CACHE_MAX_CELLS): { store: S; cache: RollupCache } {
  const shapes = new Map<string, Shape>();
  /** Every entry, least recently used first. */
  const lru = new Map<string, Entry>();
  const flights = new Set<Flight>();
  let cells = 0;
  let hits = 0;
  let misses = 0;

  const drop = (e: Entry): void => {
    lru.delete(e.key);
    e.shape.buckets.delete(e.bucket);
    cells -= e.cells;
    if (e.shape.buckets.size === 0) shapes.delete(e.shape.key);
  };

  const keep = (q: BucketQuery, key: string, bucket: number, rows: { bucket: number }[], size: number): void => {
    let shape = shapes.get(key);
    if (!shape) shapes.set(key, (shape = { key, project: q.project, bucketMs: q.bucketMs, buckets: new Map() }));
    const old = shape.buckets.get(bucket);
    if (old) drop(old);
    const entry: Entry = { key: `${key}@${bucket}`, shape, bucket, rows, cells: size };
    shape.buckets.set(bucket, entry);
    lru.set(entry.key, entry);
    cells += size;
    for (const oldest of lru.values()) {
      if (cells <= maxCells) break;
      drop(oldest);
    }
  };

  /** Drops the buckets holding any of `timestamps` in `project`, here and for reads under way. */
  const invalidate = (project: string, timestamps: Iterable<number>): void => {
    const minutes = new Set<number>();
    for (const t of timestamps) minutes.add(floorToBucket(t, MINUTE_MS));
    if (minutes.size === 0) return;
    for (const f of flights) if (f.project === project) for (const m of minutes) f.minutes.add(m);
    for (const shape of [...shapes.values()]) {
      if (shape.project !== project) continue;
      for (const m of minutes) {
        const e = shape.buckets.get(floorToBucket(m, shape.bucketMs));
        if (e) drop(e);
      }
    }
  };

  const clear = (): void => {
    for (const f of flights) f.cleared = true;
    shapes.clear();
    lru.clear();
    cells = 0;
  };

  const cacheable = (q: BucketQuery): boolean =>
    Number.isInteger(q.bucketMs) && q.bucketMs > 0 && q.bucketMs % MINUTE_MS === 0 && Number.isFinite(q.from) && Number.isFinite(q.to) && (q.to - q.from) / q.bucketMs <= ROLLUP_CACHE_MAX_BUCKETS;

  /**
   * The rows of `q`'s whole buckets from the cache as far as it has them, the rest from `read`
   * (from the first bucket it lacks to `q.to`), in bucket order; null when `q` is not cacheable.
   */
  async function cachedRead<R extends { bucket: number }>(q: BucketQuery, key: string, read: (from: number) => Promise<R[]>, size: (r: R) => number): Promise<R[] | null> {
    if (!cacheable(q)) return null;
    const width = q.bucketMs;
    const start = floorToBucket(q.from, width);
    const end = Math.ceil(q.to);
    if (end <= start) return null;
    const shape = shapes.get(key);
    const rows: R[] = [];
    let b = start;
    for (; b + width <= end; b += width) {
      const e = shape?.buckets.get(b);
      if (!e) break;
      lru.delete(e.key);
      lru.set(e.key, e);
      hits++;
      for (const r of e.rows) rows.push(r as R);
    }
    if (b >= end) return rows;
    const flight: Flight = { project: q.project, minutes: new Set(), cleared: false };
    flights.add(flight);
    let fresh: R[];
    try {
      fresh = await read(b);
    } finally {
      flights.delete(flight);
    }
    const written = new Set<number>();
    for (const m of flight.minutes) written.add(floorToBucket(m, width));
    const byBucket = new Map<number, R[]>();
    for (const r of fresh) {
      let list = byBucket.get(r.bucket);
      if (!list) byBucket.set(r.bucket, (list = []));
      list.push(r);
      rows.push(r);
    }
    for (let x = b; x + width <= end; x += width) {
      misses++;
      const list = byBucket.get(x) ?? [];
      if (!flight.cleared && !written.has(x)) keep(q, key, x, list, list.reduce((n, r) => n + size(r), 1));
    }
    return rows;
  }

  async function rollup(q: RollupQuery): Promise<RollupRow[]> {
    // Anything the store refuses (errors_only, a bad width), it refuses itself, with its own message.
    const rows = q.filter.errors_only ? null : await cachedRead(q, shapeKey('rollup', q, [q.groupBy, filterKey(q.filter), q.histogram !== false]), (from) => store.rollup({ ...q, from, collapse: false }), (r) => 12 + r.latency_hist.length);
    if (rows === null) return store.rollup(q);
    if (q.collapse) return collapseRows(rows, floorToBucket(q.from, q.bucketMs));
    return rows.map((r) => ({ ...r, group: [...r.group], latency_hist: [...r.latency_hist] }));
  }

  async function insightDecisionCounts(q: DecisionCountQuery): Promise<DecisionCountRow[]> {
    const rows = await cachedRead(q, shapeKey('decisions', q, [q.agent ?? null, q.decision ?? null]), (from) => store.insightDecisionCounts({ ...q, from }), () => 6);
    return rows === null ? store.insightDecisionCounts(q) : rows.map((r) => ({ ...r }));
  }

  const overrides: Partial<Store> = {
    rollup,
    insightDecisionCounts,
    append: async (spans, opts) => {
      try {
        return await store.append(spans, opts);
      } finally {
        // Also when it failed: a commit in doubt may still be there.
        const byProject = new Map<string, number[]>();
        for (const s of spans) {
          let list = byProject.get(s.project);
          if (!list) byProject.set(s.project, (list = []));
          list.push(s.timestamp);
        }
        for (const [project, ts] of byProject) invalidate(project, ts);
      }
    },
    reviseSpans: async (project, revisions) => {
      try {
        return await store.reviseSpans(project, revisions);
      } finally {
        invalidate(project, revisions.map((r) => r.timestamp));
      }
    },
    deleteBefore: async (limits) => {
      try {
        return await store.deleteBefore(limits);
      } finally {
        clear();
      }
    },
  };
  const wrapped = new Proxy(store, {
    get(target, prop) {
      if (Object.prototype.hasOwnProperty.call(overrides, prop)) return overrides[prop as keyof Store];
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { store: wrapped, cache: { stats: () => ({ buckets: lru.size, cells, hits, misses }) } };
}
