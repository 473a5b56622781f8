// A budget's spend as time buckets, read through the Store only, and the hour-of-day profile its
// forecast spreads the current rate by. Projects, agents, models and providers read hourly rollups
// (cheap: one row an hour). End users read Store.userRollups (raw spans; the top `userLimit` users
// by cost per hour), attribute values Store.insightCohorts (the cohort figures: spans carrying
// key = value, the 100 most frequent values of a key per hour); both keep closed hours (and, for
// attributes, closed days) cached, so an evaluation re-reads only the newest spans. Users and
// attributes take the project's hour-of-day profile.

import type { AlertStore } from '../store/alert-store.js';
import type { InsightStore } from '../store/insight-store.js';
import type { SpanStore } from '../store/span-store.js';
import type { SpanFilter } from '../store/store.js';

/** What a budget's spend is read from: rollups, per-user rollups, cohort figures. */
export type BudgetSpendStore = SpanStore & Pick<AlertStore, 'userRollups'> & Pick<InsightStore, 'insightCohorts'>;
import type { Budget } from './budget.js';
import { hourOfDayProfile, type SpendBucket } from './budget-forecast.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Cached buckets older than this are dropped (a month's budget looks back at most 31 + 7 days). */
const KEEP_MS = 40 * DAY;

export interface BudgetSpend {
  buckets: SpendBucket[];
  /** Hour-of-day weights, mean 1, from the last 7 whole days. */
  profile: number[];
}

export interface BudgetSpendReader {
  /** Spend in [from, now) of the budget's subject. */
  read(project: string, budget: Budget, from: number, now: number): Promise<BudgetSpend>;
}

const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;

/** The rollup filter of a budget on a rollup dimension (or the whole project); null for users and attributes. */
export function rollupFilterOf(b: Budget): SpanFilter | null {
  const s = b.scope;
  if (s.user !== undefined || s.attribute !== undefined) return null;
  return { ...(s.agent ? { agent: s.agent } : {}), ...(s.model ? { model: s.model } : {}), ...(s.provider ? { provider: s.provider } : {}) };
}

/** Cost per value per bucket; a bucket is kept once closed (it ended `lateMs` ago). */
class ValueCache {
  readonly closed = new Map<number, Map<string, number>>();
  prune(now: number): void {
    for (const k of this.closed.keys()) if (k < now - KEEP_MS) this.closed.delete(k);
  }
}

export function createBudgetSpendReader(store: BudgetSpendStore, opts: { lateMs: number; userLimit?: number }): BudgetSpendReader {
  const userLimit = opts.userLimit ?? 1_000;
  const userHours = new Map<string, ValueCache>();
  const attrHours = new Map<string, ValueCache>();
  const attrDays = new Map<string, ValueCache>();
  const closedBy = (bucketEnd: number, now: number) => bucketEnd + opts.lateMs <= now;
  const cacheOf = (m: Map<string, ValueCache>, key: string) => {
    let c = m.get(key);
    if (c === undefined) m.set(key, (c = new ValueCache()));
    return c;
  };

  async function hourlyRollup(project: string, filter: SpanFilter, from: number, now: number): Promise<SpendBucket[]> {
    const rows = await store.rollup({ project, from, to: now, bucketMs: HOUR, groupBy: [], filter, histogram: false });
    return rows.map((r) => ({ start: r.bucket, end: Math.min(r.bucket + HOUR, now), cost: r.cost_usd }));
  }

  async function profileOf(project: string, filter: SpanFilter, now: number, hourly?: SpendBucket[]): Promise<number[]> {
    const to = floorTo(now, DAY);
    const rows = hourly ?? (await hourlyRollup(project, filter, to - 7 * DAY, to));
    return hourOfDayProfile(rows.filter((b) => b.start >= to - 7 * DAY && b.end <= to));
  }

  /** Hours [from, now) of per-user cost: closed ones from the cache, the rest read in one query. */
  async function userBuckets(project: string, user: string, from: number, now: number): Promise<SpendBucket[]> {
    const cache = cacheOf(userHours, project);
    cache.prune(now);
    let readFrom = floorTo(from, HOUR);
    while (cache.closed.has(readFrom) && readFrom < now) readFrom += HOUR;
    const fresh = new Map<number, Map<string, number>>();
    if (readFrom < now) {
      const [rows] = await store.userRollups([{ project, from: readFrom, to: now, bucketMs: HOUR, groupBy: ['user'], filter: {}, limit: userLimit }]);
      for (let h = readFrom; h < now; h += HOUR) fresh.set(h, new Map());
      for (const r of rows ?? []) fresh.get(r.bucket)?.set(r.group[0] ?? '', r.cost_usd);
      for (const [h, m] of fresh) if (closedBy(h + HOUR, now)) cache.closed.set(h, m);
    }
    const out: SpendBucket[] = [];
    for (let h = floorTo(from, HOUR); h < now; h += HOUR) {
      const m = cache.closed.get(h) ?? fresh.get(h);
      out.push({ start: h, end: Math.min(h + HOUR, now), cost: m?.get(user) ?? 0 });
    }
    return out;
  }

  async function cohortCost(project: string, key: string, from: number, to: number): Promise<Map<string, number>> {
    const rows = await store.insightCohorts({ project, from, to, keys: [key] });
    const m = new Map<string, number>();
    for (const r of rows) if (r.key === key && r.value !== null) m.set(r.value, (m.get(r.value) ?? 0) + r.cost_usd);
    return m;
  }

  /**
   * Days before yesterday as day buckets (a day read once, or summed from its cached hours), then
   * hours: the rate needs the last 24 h to the hour, the band and the period total only days.
   */
  async function attributeBuckets(project: string, key: string, value: string, from: number, now: number): Promise<SpendBucket[]> {
    const ck = `${project}\u0000${key}`;
    const hours = cacheOf(attrHours, ck);
    const days = cacheOf(attrDays, ck);
    hours.prune(now);
    days.prune(now);
    const out: SpendBucket[] = [];
    const hourZone = floorTo(now, DAY) - DAY;
    for (let d = floorTo(from, DAY); d < hourZone; d += DAY) {
      let m = days.closed.get(d);
      if (m === undefined) {
        const cachedHours = Array.from({ length: 24 }, (_, i) => hours.closed.get(d + i * HOUR));
        if (cachedHours.every((x) => x !== undefined)) {
          m = new Map();
          for (const hm of cachedHours) for (const [v, c] of hm!) m.set(v, (m.get(v) ?? 0) + c);
        } else m = await cohortCost(project, key, d, d + DAY);
        if (closedBy(d + DAY, now)) days.closed.set(d, m);
      }
      out.push({ start: d, end: d + DAY, cost: m.get(value) ?? 0 });
    }
    for (let h = Math.max(hourZone, floorTo(from, HOUR)); h < now; h += HOUR) {
      let m = hours.closed.get(h);
      if (m === undefined) {
        m = await cohortCost(project, key, h, Math.min(h + HOUR, now));
        if (closedBy(h + HOUR, now)) hours.closed.set(h, m);
      }
      out.push({ start: h, end: Math.min(h + HOUR, now), cost: m.get(value) ?? 0 });
    }
    return out;
  }

  return {
    async read(project, budget, from, now) {
      const filter = rollupFilterOf(budget);
      if (filter !== null) {
        const buckets = await hourlyRollup(project, filter, Math.min(from, floorTo(now, DAY) - 7 * DAY), now);
        return { buckets: buckets.filter((b) => b.end > from), profile: await profileOf(project, filter, now, buckets) };
      }
      const buckets = budget.scope.user !== undefined ? await userBuckets(project, budget.scope.user, from, now) : await attributeBuckets(project, budget.scope.attribute!, budget.scope.value!, from, now);
      return { buckets, profile: await profileOf(project, {}, now) };
    },
  };
}
