// Token efficiency per agent or model: output tokens per input token, cache-hit rate (cached
// input / input), tokens and cost per successful trace (agents), each against the previous period.

import type { RollupRow } from '../../store/store.js';
import type { InsightStore } from '../../store/insight-store.js';
import type { SpanStore } from '../../store/span-store.js';
import { HOUR } from '../read-rollups.js';
import { meanBand } from './baseline-band.js';

export interface TokenRequest {
  project: string;
  from: number;
  to: number;
  groupBy: 'agent' | 'model';
  /** A fall of output/input of at least this fraction (and 3σ) is listed in drops; default 0.2. */
  minDrop?: number;
}

export interface Efficiency {
  calls: number;
  tokens_input: number;
  tokens_output: number;
  output_per_input: number | null;
  cache_hit_rate: number | null;
  cost_usd: number;
  /** Agents only: traces without an error. */
  successful_traces: number | null;
  tokens_per_successful_trace: number | null;
  cost_per_successful_trace: number | null;
}

export interface TokenGroup {
  group: string;
  current: Efficiency;
  baseline: Efficiency;
  /** Relative change current / baseline − 1 of each ratio. */
  change: { output_per_input: number | null; cache_hit_rate: number | null; tokens_per_successful_trace: number | null; cost_per_successful_trace: number | null };
  /** output/input of the range against its hourly values in the baseline period (t prediction interval). */
  output_per_input_sigma: number | null;
}

export interface TokenReport {
  from: number;
  to: number;
  baseline: { from: number; to: number };
  groups: TokenGroup[];
  drops: TokenGroup[];
}

interface Sums {
  calls: number;
  input: number;
  output: number;
  cached: number;
  cost: number;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
const change = (a: number | null, b: number | null): number | null => (a === null || b === null || b === 0 ? null : a / b - 1);

function efficiency(s: Sums | undefined, successes: number | null): Efficiency {
  const t = s ?? { calls: 0, input: 0, output: 0, cached: 0, cost: 0 };
  return {
    calls: t.calls,
    tokens_input: t.input,
    tokens_output: t.output,
    output_per_input: ratio(t.output, t.input),
    cache_hit_rate: ratio(t.cached, t.input),
    cost_usd: t.cost,
    successful_traces: successes,
    tokens_per_successful_trace: successes === null ? null : ratio(t.input + t.output, successes),
    cost_per_successful_trace: successes === null ? null : ratio(t.cost, successes),
  };
}

function addTo<K>(m: Map<K, Sums>, key: K, r: RollupRow): void {
  const s = m.get(key) ?? { calls: 0, input: 0, output: 0, cached: 0, cost: 0 };
  s.calls += r.count;
  s.input += r.tokens_input;
  s.output += r.tokens_output;
  s.cached += r.tokens_cache_read;
  s.cost += r.cost_usd;
  m.set(key, s);
}

export async function tokenEfficiency(store: InsightStore & SpanStore, req: TokenRequest): Promise<TokenReport> {
  const from = Math.floor(req.from / HOUR) * HOUR;
  const to = Math.ceil(req.to / HOUR) * HOUR;
  const baseline = { from: from - Math.max(to - from, 6 * HOUR), to: from };
  const dim = req.groupBy;
  const [rows, pathsNow, pathsBefore] = await Promise.all([
    store.rollup({ project: req.project, from: baseline.from, to, bucketMs: HOUR, groupBy: [dim], filter: {}, histogram: false }),
    dim === 'agent' ? store.insightPaths({ project: req.project, from, to }) : Promise.resolve([]),
    dim === 'agent' ? store.insightPaths({ project: req.project, ...baseline }) : Promise.resolve([]),
  ]);
  const now = new Map<string, Sums>();
  const before = new Map<string, Sums>();
  const hourly = new Map<string, Map<number, Sums>>();
  for (const r of rows) {
    const g = r.group[0];
    if (g === null || g === undefined || (r.tokens_input === 0 && r.tokens_output === 0)) continue;
    addTo(r.bucket >= from ? now : before, g, r);
    let perHour = hourly.get(g);
    if (!perHour) hourly.set(g, (perHour = new Map()));
    addTo(perHour, r.bucket, r);
  }
  const successes = (paths: typeof pathsNow) => {
    const m = new Map<string, number>();
    for (const p of paths) m.set(p.agent_id, (m.get(p.agent_id) ?? 0) + p.traces - p.error_traces);
    return m;
  };
  const okNow = successes(pathsNow);
  const okBefore = successes(pathsBefore);
  const groups: TokenGroup[] = [...now.keys()].sort().map((group) => {
    const current = efficiency(now.get(group), dim === 'agent' ? okNow.get(group) ?? 0 : null);
    const base = efficiency(before.get(group), dim === 'agent' ? okBefore.get(group) ?? 0 : null);
    const baseHours = [...(hourly.get(group) ?? new Map<number, Sums>())]
      .filter(([b]) => b < from)
      .map(([, s]) => ratio(s.output, s.input))
      .filter((v): v is number => v !== null);
    const band = current.output_per_input === null ? null : meanBand(current.output_per_input, baseHours);
    return {
      group,
      current,
      baseline: base,
      change: {
        output_per_input: change(current.output_per_input, base.output_per_input),
        cache_hit_rate: change(current.cache_hit_rate, base.cache_hit_rate),
        tokens_per_successful_trace: change(current.tokens_per_successful_trace, base.tokens_per_successful_trace),
        cost_per_successful_trace: change(current.cost_per_successful_trace, base.cost_per_successful_trace),
      },
      output_per_input_sigma: band?.sigma ?? null,
    };
  });
  const minDrop = req.minDrop ?? 0.2;
  const drops = groups
    .filter((g) => (g.change.output_per_input ?? 0) <= -minDrop && (g.output_per_input_sigma ?? 0) <= -3)
    .sort((a, b) => a.change.output_per_input! - b.change.output_per_input!);
  return { from, to, baseline, groups, drops };
}
