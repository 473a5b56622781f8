// Reads the rollups the engine judges: minute rows of the recent window and hourly rows of the
// baseline, through the Store interface only. Rules are batched into read plans: one query per
// window for every rule of a plan, grouped by the union of the plan's dimensions (each rule then
// sums its own groups from those rows), with the 64-bucket latency histogram only in the plan of
// the rules that need a quantile. Closed minutes and hours are cached per plan, so a tick re-reads
// only the last few minutes (late spans still land there) and an hour only once it has closed;
// every plan's reads of a tick go to the store in one alertRollups call. Rules grouped by user read
// Store.userRollups (raw spans: rollups have no user key), one plan per filter, the top
// `userLimit` users by cost per bucket, cached the same way (so a tick scans only the newest spans).

import type { Dimension } from '../model/span.js';
import type { RollupQuery, RollupRow, SpanFilter, UserRollupQuery } from '../store/store.js';
import type { AlertStore } from '../store/alert-store.js';
import { HOUR, MINUTE } from '../query/read-rollups.js';
import { ALL_DIMENSIONS, needsHistogram } from './figures.js';
import type { AlertDimension, AlertRule } from './rule.js';

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
  dims: AlertDimension[];
  /** Rules grouped by user: read from Store.userRollups (the filter is pushed down whole). */
  user: boolean;
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
  const parts = new Map<string, AlertRule[]>();
  for (const r of rules) {
    const h = r.groupBy.includes('user') ? `user ${JSON.stringify(r.filter)}` : String(needsHistogram(r.metric));
    let list = parts.get(h);
    if (!list) parts.set(h, (list = []));
    list.push(r);
  }
  const plans: ReadPlan[] = [];
  for (const [part, members] of parts) {
    const user = part.startsWith('user');
    const histogram = !user && part === 'true';
    const used = new Set<AlertDimension>();
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
    plans.push({ key: JSON.stringify([dims, histogram, filter]), dims, user, histogram, filter, rules: members });
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
function byBucket(rows: RollupRow[], dims: readonly AlertDimension[], into: Map<number, RollupRow[]>, arrays: GroupArrays): void {
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
export function createRollupWindowReader(store: AlertStore, lateMs: number, userLimit = 500): RollupWindowReader {
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
      const userQueries: UserRollupQuery[] = [];
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
        const query = { project, groupBy: plan.dims as Dimension[], filter: plan.filter, histogram: plan.histogram };
        // User plans: 'user' first, as userRollups wants; rows are re-laid by these dims.
        const queryDims: AlertDimension[] = plan.user ? ['user', ...plan.dims.filter((d) => d !== 'user')] : plan.dims;
        const push = (from: number, to: number, bucketMs: number): number =>
          plan.user
            ? -1 - (userQueries.push({ project, groupBy: queryDims as UserRollupQuery['groupBy'], filter: plan.filter, from, to, bucketMs, limit: userLimit }) - 1)
            : queries.push({ ...query, from, to, bucketMs }) - 1;
        // Complete hours only (see baselineRange): each hour is read once, when final.
        const hourEnd = Math.floor((now - lateMs) / HOUR) * HOUR;
        const hourFrom = Math.floor(baselineFrom / HOUR) * HOUR;
        let firstMissing = hourFrom;
        while (firstMissing < hourEnd && c.hours.has(firstMissing) && firstMissing < c.hoursFinal) firstMissing += HOUR;
        const minuteAt = minuteFrom < nowMinute ? push(minuteFrom, nowMinute, MINUTE) : null;
        const hourAt = firstMissing < hourEnd ? push(firstMissing, hourEnd, HOUR) : null;
        return { queryDims, c, hourFrom, hourEnd, firstMissing, minuteAt, hourAt };
      });
      const [results, userResults] = await Promise.all([
        queries.length > 0 ? store.alertRollups(queries) : [],
        userQueries.length > 0 ? store.userRollups(userQueries) : [],
      ]);
      /** Rollup results at i ≥ 0, user results at −1 − i. */
      const resultAt = (i: number): RollupRow[] => (i >= 0 ? results[i]! : userResults[-1 - i]!);
      return steps.map(({ queryDims, c, hourFrom, hourEnd, firstMissing, minuteAt, hourAt }) => {
        if (minuteAt !== null) byBucket(resultAt(minuteAt), queryDims, c.minutes, c.groups);
        c.minutesFinal = Math.floor((now - lateMs) / MINUTE) * MINUTE;
        if (hourAt !== null) {
          for (let h = firstMissing; h < hourEnd; h += HOUR) c.hours.set(h, []);
          byBucket(resultAt(hourAt), queryDims, c.hours, c.groups);
          c.hourVersion = ++versions;
        }
        for (const h of c.hours.keys()) if (h < hourFrom || h >= hourEnd) c.hours.delete(h);
        c.hoursFinal = Math.floor((now - lateMs) / HOUR) * HOUR;
        return { minuteBuckets: c.minutes, hours: c.hours, hourVersion: c.hourVersion };
      });
    },
  };
}
