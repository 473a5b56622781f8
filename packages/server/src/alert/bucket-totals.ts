// A rule's group totals per rollup bucket (minute or hour), each summed once per rule and bucket
// and kept while the reader keeps that bucket's rows (a closed bucket is never re-read). A tick
// then sums only the buckets it read and merges small per-bucket maps, instead of re-summing a
// 15-minute window (or a 24-hour baseline) of rows for every rule on every tick.

import type { RollupRow } from '../store/store.js';
import { addFigures, emptyFigures } from '../store/figures.js';
import { totalsByGroup, type GroupTargets, type GroupTotals } from './figures.js';
import type { AlertRule } from './rule.js';

export type GroupsByBucket = Map<number, Map<string, GroupTotals>>;

interface Cached {
  ruleJson: string;
  buckets: Map<number, { rows: readonly RollupRow[]; groups: Map<string, GroupTotals> }>;
  /** The rule's group of each (interned) group array seen; a few hundred arrays in practice. */
  targets: GroupTargets;
}

/** Past this many group arrays the targets start over (rows whose group arrays are not interned). */
const MAX_TARGETS = 50_000;

/** A rule's JSON, computed once per rule object (rules are replaced, never changed, when edited). */
const jsonOfRule = new WeakMap<AlertRule, string>();
export function ruleJsonOf(rule: AlertRule): string {
  let json = jsonOfRule.get(rule);
  if (json === undefined) jsonOfRule.set(rule, (json = JSON.stringify(rule)));
  return json;
}

/**
 * @example
 *   const bucketTotals = createBucketTotals();
 *   const perMinute = bucketTotals(`${project} ${rule.id} minute`, rule, win.minuteBuckets, now - rule.windowMs, now);
 *   const window = sumGroups(perMinute.values());
 */
export function createBucketTotals() {
  const cache = new Map<string, Cached>();
  /** Group totals of every bucket in [from, to); `key` names the cache (project × rule × granularity). */
  return (key: string, rule: AlertRule, buckets: ReadonlyMap<number, readonly RollupRow[]>, from: number, to: number): GroupsByBucket => {
    const ruleJson = ruleJsonOf(rule);
    let c = cache.get(key);
    if (!c || c.ruleJson !== ruleJson) cache.set(key, (c = { ruleJson, buckets: new Map(), targets: new Map() }));
    if (c.targets.size > MAX_TARGETS) c.targets.clear();
    const out: GroupsByBucket = new Map();
    for (const [bucket, rows] of buckets) {
      if (bucket < from || bucket >= to) continue;
      let b = c.buckets.get(bucket);
      // The reader replaces a bucket's array whenever it re-reads it.
      if (!b || b.rows !== rows) c.buckets.set(bucket, (b = { rows, groups: totalsByGroup(rule, rows, c.targets) }));
      out.set(bucket, b.groups);
    }
    for (const bucket of c.buckets.keys()) if (!out.has(bucket)) c.buckets.delete(bucket);
    return out;
  };
}

export type BucketTotals = ReturnType<typeof createBucketTotals>;

/** Totals per group over several buckets (new objects: the cached ones are never changed). */
export function sumGroups(perBucket: Iterable<ReadonlyMap<string, GroupTotals>>): Map<string, GroupTotals> {
  const out = new Map<string, GroupTotals>();
  for (const groups of perBucket) {
    for (const g of groups.values()) {
      let sum = out.get(g.key);
      if (!sum) out.set(g.key, (sum = { key: g.key, labels: g.labels, totals: emptyFigures(g.totals.latency_hist.length > 0) }));
      addFigures(sum.totals, g.totals);
    }
  }
  return out;
}
