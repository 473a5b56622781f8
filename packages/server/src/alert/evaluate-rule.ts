// One rule over one project's rollups at one instant: a verdict per group, each judged against the
// group's baseline (or, for an alert already pending or firing, the baseline frozen when it began).

import { HOUR } from '../query/read-rollups.js';
import { ruleJsonOf, sumGroups, type BucketTotals } from './bucket-totals.js';
import { baselineByGroup, valueOf, type BaselineStats, type GroupTotals, type Labels } from './figures.js';
import { judge, judgeNew, type Verdict } from './judge.js';
import type { RollupWindow } from './rollup-window.js';
import type { AlertRule } from './rule.js';

export interface GroupVerdict {
  groupKey: string;
  labels: Labels;
  verdict: Verdict;
  baseline: BaselineStats | null;
}

interface CachedBaseline {
  ruleJson: string;
  version: number;
  from: number;
  to: number;
  stats: Map<string, BaselineStats>;
  parents: Map<string, number>;
}

/**
 * The hours of a rule's baseline at `now`: complete hours only. An hour is complete `lateMs` after
 * it ends (its late spans are in); until then the baseline ends an hour earlier, so an hour is read
 * and summed once, not once while it may still grow and again when it is final.
 */
export function baselineRange(rule: AlertRule, now: number, lateMs: number): { from: number; to: number } {
  const shift = Math.max(rule.condition.type === 'new_value' ? rule.condition.noveltyMs : 0, lateMs);
  const to = Math.floor((now - shift) / HOUR) * HOUR;
  return { from: to - rule.baselineMs, to };
}

/**
 * Keeps baseline statistics per project × rule until the hour moves or hourly rows are re-read;
 * each hour's group totals come from `bucketTotals`, so an hour is summed once, not once per hour
 * of the baseline's life (168 times for a 7-day new_value baseline).
 */
export function createBaselineCache(bucketTotals: BucketTotals, lateMs: number) {
  const cache = new Map<string, CachedBaseline>();
  return (project: string, rule: AlertRule, win: RollupWindow, now: number): CachedBaseline => {
    const { from, to } = baselineRange(rule, now, lateMs);
    const key = `${project}\u0000${rule.id}`;
    const ruleJson = ruleJsonOf(rule);
    const hit = cache.get(key);
    if (hit && hit.ruleJson === ruleJson && hit.version === win.hourVersion && hit.from === from && hit.to === to) return hit;
    const entry: CachedBaseline = { ruleJson, version: win.hourVersion, from, to, stats: new Map(), parents: new Map() };
    const hourly = bucketTotals(`${key}\u0000hour`, rule, win.hours, from, to);
    if (rule.condition.type === 'new_value') {
      for (const g of sumGroups(hourly.values()).values()) entry.stats.set(g.key, { mean: 0, unitSigma: 0, samples: g.totals.count, hours: 0 });
      const parentRule = { ...rule, groupBy: rule.groupBy.slice(0, -1) };
      const parentHourly = bucketTotals(`${key}\u0000parent hour`, parentRule, win.hours, from, to);
      for (const g of sumGroups(parentHourly.values()).values()) entry.parents.set(g.key, g.totals.count);
    } else {
      entry.stats = baselineByGroup(rule, hourly);
    }
    cache.set(key, entry);
    return entry;
  };
}

export type BaselineCache = ReturnType<typeof createBaselineCache>;

/**
 * Verdicts for every group seen in the window (`current`, from window-totals.ts) plus every group
 * with a live alert (which then has no samples and clears).
 */
export function evaluateRule(
  rule: AlertRule,
  current: ReadonlyMap<string, GroupTotals>,
  baseline: CachedBaseline,
  live: ReadonlyMap<string, { labels: Labels; frozen: BaselineStats | null }>,
): GroupVerdict[] {
  const keys = new Set<string>([...current.keys(), ...live.keys()]);
  const out: GroupVerdict[] = [];
  for (const key of keys) {
    const g: GroupTotals | undefined = current.get(key);
    const labels = g?.labels ?? live.get(key)!.labels;
    const w = g
      ? { value: valueOf(rule.metric, g.totals), samples: g.totals.count, errors: g.totals.errors }
      : { value: null, samples: 0, errors: 0 };
    if (rule.condition.type === 'new_value') {
      const parentKey = JSON.stringify(rule.groupBy.slice(0, -1).map((d) => labels[d] ?? null));
      const seen = baseline.stats.get(key)?.samples ?? 0;
      out.push({ groupKey: key, labels, verdict: judgeNew(rule, w, seen, baseline.parents.get(parentKey) ?? 0), baseline: null });
      continue;
    }
    const b = live.get(key)?.frozen ?? baseline.stats.get(key) ?? null;
    out.push({ groupKey: key, labels, verdict: judge(rule, w, b), baseline: b });
  }
  return out;
}
