// Reads the rollups the engine judges: minute rows of the recent window and hourly rows of the
// baseline, through the Store interface only. Rules are batched into read plans: one query per
// window for every rule of a plan, grouped by the union of the plan's dimensions (each rule then
// sums its own groups from those rows), with the 64-bucket latency histogram only in the plan of
// the rules that need a quantile. Closed minutes and hours are cached per plan, so a tick re-reads
// only the last few minutes (late spans still land there) and an hour only once it has closed;
// every plan's reads of a tick go to the store in one alertRollups call.

import type { Dimension } from '../model/span.js';
import type { RollupQuery, RollupRow, SpanFilter, Store } from '../store/store.js';
import { HOUR, MINUTE } from '../query/read-rollups.js';
import { ALL_DIMENSIONS, needsHistogram } from './figures.js';
import type { AlertRule } from './rule.js';

export interface RollupWindow {
  /**
   * Minute rows by bucket (groups in ALL_DIMENSIONS layout), as cached for the longest window of the
   * plan; valid until the next read. A bucket's array is replaced whenever it is re-read.
   */
  minuteBuckets: ReadonlyMap<number, readonly RollupRow[]>;
  /** Hourly rows by hour bucket (those in the requested baseline range). */
  hours: ReadonlyMap<number, RollupRow[]>;
  /** Changes (unique across plans) whenever hourly rows were re-read, so derived baselines know to recompute. */
  hourVersion: number;
}

/** One batched read shared by several rules. */
export interface ReadPlan {
  /** Identifies the plan's query shape (dims, histogram, filter); its cache is kept under it. */
  key: string;
  /** Dimensions grouped by: every rule's groupBy and filter dimensions, in ALL_DIMENSIONS order. */
  dims: Dimension[];
  histogram: boolean;
  /** Filter fields every rule of the plan shares, pushed down to the store. */
  filter: SpanFilter;
  rules: AlertRule[];
}

/** A plan to read and how far back its rules look: the longest window, the earliest baseline hour. */
export interface PlanRead {
  plan: ReadPlan;
  windowMs: number;
  baselineFrom: number;
}

export interface RollupWindowReader {
  /** Every plan's new rows in one Store call (`alertRollups`); one window per read, in order. */
  read(project: string, now: number, reads: readonly PlanRead[]): Promise<RollupWindow[]>;
  /** Drops the caches of a project's plans not in `keys` (rules changed). */
  retain(project: string, keys: ReadonlySet<string>): void;
}

const FILTER_FIELDS = ['agent', 'model', 'decision', 'span_type', 'provider'] as const satisfies readonly Dimension[];

/**
 * Partitions rules into read plans: those needing a latency quantile read histograms, the rest do
 * not; within each, one query grouped by the union of their dimensions.
 */
export function planReads(rules: readonly AlertRule[]): ReadPlan[] {
  const parts = new Map<boolean, AlertRule[]>();
  for (const r of rules) {
    const h = needsHistogram(r.metric);
    let list = parts.get(h);
    if (!list) parts.set(h, (list = []));
    list.push(r);
  }
  const plans: ReadPlan[] = [];
  for (const [histogram, members] of parts) {
    const used = new Set<Dimension>();
    for (const r of members) {
      for (const d of r.groupBy) used.add(d);
      for (const f of FILTER_FIELDS) if (r.filter[f] !== undefined) used.add(f);
      if (r.filter.has_decision) used.add('decision');
    }
    const dims = ALL_DIMENSIONS.filter((d) => used.has(d));
    const shared: Partial<Record<(typeof FILTER_FIELDS)[number], string>> = {};
    for (const f of FILTER_FIELDS) {
      const v = members[0]!.filter[f];
      if (v !== undefined && members.every((r) => r.filter[f] === v)) shared[f] = v;
    }
    const filter = shared as SpanFilter;
    if (members.every((r) => r.filter.has_decision === true)) filter.has_decision = true;
    plans.push({ key: JSON.stringify([dims, histogram, filter]), dims, histogram, filter, rules: members });
  }
  return plans;
}

interface PlanCache {
  minutes: Map<number, RollupRow[]>;
  hours: Map<number, RollupRow[]>;
  /** Minutes before this are final; hours before hoursFinal are final. */
  minutesFinal: number;
  hoursFinal: number;
  lastNow: number;
  hourVersion: number;
  /** The plan's group arrays (rows of one group share one). */
  groups: GroupArrays;
}

/** Canonical group arrays by their values, so rows of one group share one array (see GroupTargets). */
type GroupArrays = Map<string, (string | null)[]>;
/** Past this many distinct groups the interned arrays start over; a fleet has a few hundred. */
const MAX_GROUP_ARRAYS = 50_000;

/**
 * Files rows by bucket, their groups re-laid from the plan's dims to ALL_DIMENSIONS (null where not
 * grouped), each group one shared array that nobody changes.
 */
function byBucket(rows: RollupRow[], dims: Dimension[], into: Map<number, RollupRow[]>, arrays: GroupArrays): void {
  const at = ALL_DIMENSIONS.map((d) => dims.indexOf(d));
  if (arrays.size > MAX_GROUP_ARRAYS) arrays.clear();
  for (const r of rows) {
    // JSON of the plan's values: unambiguous, and one short string per row.
    const values = JSON.stringify(r.group);
    let group = arrays.get(values);
    if (group === undefined) {
      const g = r.group;
      arrays.set(values, (group = at.map((i) => (i < 0 ? null : (g[i] ?? null)))));
    }
    r.group = group;
    let list = into.get(r.bucket);
    if (!list) into.set(r.bucket, (list = []));
    list.push(r);
  }
}

/** `lateMs`: buckets this recent may still grow (spans arrive after they end), so they are re-read each time. */
export function createRollupWindowReader(store: Store, lateMs: number): RollupWindowReader {
  const caches = new Map<string, PlanCache>();
  let versions = 0;
  return {
    retain(project, keys) {
      for (const k of caches.keys()) {
        const [p, planKey] = k.split('\u0000') as [string, string];
        if (p === project && !keys.has(planKey)) caches.delete(k);
      }
    },
    async read(project, now, reads) {
      const queries: RollupQuery[] = [];
      const steps = reads.map(({ plan, windowMs, baselineFrom }) => {
        const cacheKey = `${project}\u0000${plan.key}`;
        let c = caches.get(cacheKey);
        if (!c || now < c.lastNow) {
          c = { minutes: new Map(), hours: new Map(), groups: new Map(), minutesFinal: -Infinity, hoursFinal: -Infinity, lastNow: now, hourVersion: ++versions };
          caches.set(cacheKey, c);
        }
        c.lastNow = now;
        const nowMinute = Math.ceil(now / MINUTE) * MINUTE;
        const windowFrom = Math.floor((now - windowMs) / MINUTE) * MINUTE;
        const minuteFrom = Math.max(windowFrom, c.minutesFinal);
        for (const b of c.minutes.keys()) if (b < windowFrom || b >= minuteFrom) c.minutes.delete(b);
        const query = { project, groupBy: plan.dims, filter: plan.filter, histogram: plan.histogram };
        // Complete hours only (see baselineRange): each hour is read once, when final.
        const hourEnd = Math.floor((now - lateMs) / HOUR) * HOUR;
        const hourFrom = Math.floor(baselineFrom / HOUR) * HOUR;
        let firstMissing = hourFrom;
        while (firstMissing < hourEnd && c.hours.has(firstMissing) && firstMissing < c.hoursFinal) firstMissing += HOUR;
        const minuteAt = minuteFrom < nowMinute ? queries.push({ ...query, from: minuteFrom, to: nowMinute, bucketMs: MINUTE }) - 1 : -1;
        const hourAt = firstMissing < hourEnd ? queries.push({ ...query, from: firstMissing, to: hourEnd, bucketMs: HOUR }) - 1 : -1;
        return { plan, c, hourFrom, hourEnd, firstMissing, minuteAt, hourAt };
      });
      const results = queries.length > 0 ? await store.alertRollups(queries) : [];
      return steps.map(({ plan, c, hourFrom, hourEnd, firstMissing, minuteAt, hourAt }) => {
        if (minuteAt >= 0) byBucket(results[minuteAt]!, plan.dims, c.minutes, c.groups);
        c.minutesFinal = Math.floor((now - lateMs) / MINUTE) * MINUTE;
        if (hourAt >= 0) {
          for (let h = firstMissing; h < hourEnd; h += HOUR) c.hours.set(h, []);
          byBucket(results[hourAt]!, plan.dims, c.hours, c.groups);
          c.hourVersion = ++versions;
        }
        for (const h of c.hours.keys()) if (h < hourFrom || h >= hourEnd) c.hours.delete(h);
        c.hoursFinal = Math.floor((now - lateMs) / HOUR) * HOUR;
        return { minuteBuckets: c.minutes, hours: c.hours, hourVersion: c.hourVersion };
      });
    },
  };
}
