// One rule over one project's rollups at one instant: a verdict per group, each judged against the
// group's baseline (or, for an alert already pending or firing, the baseline frozen when it began).

import { HOUR } from '../query/read-rollups.js';
import type { RollupRow } from '../store/store.js';
import { baselineByGroup, totalsByGroup, valueOf, type BaselineStats, type GroupTotals, type Labels } from './figures.js';
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

/** Start of the hourly baseline a rule reads at `now` (for the reader's range). */
export function baselineRange(rule: AlertRule, now: number): { from: number; to: number } {
  const shift = rule.condition.type === 'new_value' ? rule.condition.noveltyMs : 0;
  const to = Math.floor((now - shift) / HOUR) * HOUR;
  return { from: to - rule.baselineMs, to };
}

/** Keeps baseline statistics per project × rule until the hour moves or hourly rows are re-read. */
export function createBaselineCache() {
  const cache = new Map<string, CachedBaseline>();
  return (project: string, rule: AlertRule, win: RollupWindow, now: number): CachedBaseline => {
    const { from, to } = baselineRange(rule, now);
    const key = `${project}\u0000${rule.id}`;
    const ruleJson = JSON.stringify(rule);
    const hit = cache.get(key);
    if (hit && hit.ruleJson === ruleJson && hit.version === win.hourVersion && hit.from === from && hit.to === to) return hit;
    const entry: CachedBaseline = { ruleJson, version: win.hourVersion, from, to, stats: new Map(), parents: new Map() };
    if (rule.condition.type === 'new_value') {
      const rows: RollupRow[] = [];
      for (const [h, hourRows] of win.hours) if (h >= from && h < to) rows.push(...hourRows);
      for (const g of totalsByGroup(rule, rows).values()) entry.stats.set(g.key, { mean: 0, unitSigma: 0, samples: g.totals.count, hours: 0 });
      const parentRule = { ...rule, groupBy: rule.groupBy.slice(0, -1) };
      for (const g of totalsByGroup(parentRule, rows).values()) entry.parents.set(g.key, g.totals.count);
    } else {
      entry.stats = baselineByGroup(rule, win.hours, from, to);
    }
    cache.set(key, entry);
    return entry;
  };
}

export type BaselineCache = ReturnType<typeof createBaselineCache>;

/**
 * Verdicts for every group seen in the window plus every group with a live alert (which then has
 * no samples and clears).
 */
export function evaluateRule(
  rule: AlertRule,
  win: RollupWindow,
  baseline: CachedBaseline,
  live: ReadonlyMap<string, { labels: Labels; frozen: BaselineStats | null }>,
): GroupVerdict[] {
  const current = totalsByGroup(rule, win.minutes(rule.windowMs));
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
