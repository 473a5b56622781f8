// Decision distribution: each agent's share of each decision over time, the Shannon entropy of
// that distribution (falling entropy: stuck on one choice), decisions first seen in the range
// (none in the lookback window), and mean confidence per decision with its trend.

import type { Store } from '../../store/store.js';
import { HOUR, MINUTE } from '../read-rollups.js';
import { entropyBits, slope } from './stats.js';

const DAY = 24 * HOUR;

export interface DecisionRequest {
  project: string;
  from: number;
  to: number;
  intervalMs: number;
  agent?: string;
  /** Window before `from` that defines "seen before" and the baseline distribution; default 7 days. */
  lookbackMs?: number;
  /** An entropy fall of at least this many bits is listed in entropy_drops; default 0.5. */
  minEntropyDropBits?: number;
}

export interface DecisionStats {
  decision: string;
  count: number;
  share: number;
  baseline_share: number;
  confidence_avg: number | null;
  baseline_confidence_avg: number | null;
  /** Least-squares slope of the bucket means of confidence, per hour. */
  confidence_trend_per_hour: number | null;
}

export interface AgentDistribution {
  agent: string;
  decisions: DecisionStats[];
  entropy_bits: number;
  baseline_entropy_bits: number | null;
  entropy_change_bits: number | null;
  series: { bucket: number; total: number; shares: Record<string, number>; entropy_bits: number }[];
}

export interface DecisionReport {
  interval_ms: number;
  lookback: { from: number; to: number };
  agents: AgentDistribution[];
  new_decisions: { agent: string; decision: string; first_seen: number; count: number }[];
  entropy_drops: { agent: string; baseline_bits: number; current_bits: number; change_bits: number; lowest: { bucket: number; bits: number } | null }[];
}

interface Acc {
  count: number;
  confidence_sum: number;
  confidence_count: number;
}

type ByAgent = Map<string, Map<string, Acc>>;

function accumulate(into: ByAgent, agent: string, decision: string, r: { count: number; confidence_sum: number; confidence_count: number }): void {
  let m = into.get(agent);
  if (!m) into.set(agent, (m = new Map()));
  const a = m.get(decision) ?? { count: 0, confidence_sum: 0, confidence_count: 0 };
  a.count += r.count;
  a.confidence_sum += r.confidence_sum;
  a.confidence_count += r.confidence_count;
  m.set(decision, a);
}

const total = (m: Map<string, Acc> | undefined) => [...(m?.values() ?? [])].reduce((s, a) => s + a.count, 0);

/**
 * First minute in [from, to) with `decision` by `agent`, given the range's buckets of `intervalMs`
 * in which it was made: the minutes of those buckets are read in order until one has it.
 */
async function firstSeen(store: Store, project: string, d: { agent: string; decision: string; buckets: number[] }, intervalMs: number, from: number, to: number): Promise<number | null> {
  for (const b of d.buckets) {
    const minutes = await store.insightDecisionCounts({ project, from: Math.max(from, b), to: Math.min(to, b + intervalMs), bucketMs: MINUTE, agent: d.agent, decision: d.decision });
    const first = minutes.find((m) => m.count > 0);
    if (first) return first.bucket;
  }
  return null;
}

export async function decisionDistribution(store: Store, req: DecisionRequest): Promise<DecisionReport> {
  const { intervalMs } = req;
  const from = Math.floor(req.from / intervalMs) * intervalMs;
  const lookback = { from: Math.floor((from - (req.lookbackMs ?? 7 * DAY)) / DAY) * DAY, to: Math.floor(from / HOUR) * HOUR };
  const filter = req.agent === undefined ? {} : { agent: req.agent };
  const [rows, before] = await Promise.all([
    store.insightDecisionCounts({ project: req.project, from, to: req.to, bucketMs: intervalMs, ...filter }),
    lookback.to > lookback.from
      ? store.insightDecisionCounts({ project: req.project, from: lookback.from, to: lookback.to, bucketMs: DAY, ...filter })
      : Promise.resolve([]),
  ]);
  const current: ByAgent = new Map();
  const baseline: ByAgent = new Map();
  const buckets = new Map<string, Map<number, ByAgent>>();
  for (const r of before) accumulate(baseline, r.agent_id, r.decision, r);
  for (const r of rows) {
    const { agent_id: agent, decision } = r;
    accumulate(current, agent, decision, r);
    let perBucket = buckets.get(agent);
    if (!perBucket) buckets.set(agent, (perBucket = new Map()));
    let b = perBucket.get(r.bucket);
    if (!b) perBucket.set(r.bucket, (b = new Map()));
    accumulate(b, agent, decision, r);
  }
  const report: DecisionReport = { interval_ms: intervalMs, lookback, agents: [], new_decisions: [], entropy_drops: [] };
  const newOnes: { agent: string; decision: string; count: number; buckets: number[] }[] = [];
  for (const [agent, decisions] of [...current].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const n = total(decisions);
    const base = baseline.get(agent);
    const baseN = total(base);
    const series = [...(buckets.get(agent) ?? new Map<number, ByAgent>())]
      .sort((a, b) => a[0] - b[0])
      .map(([bucket, byAgent]) => {
        const m = byAgent.get(agent)!;
        const t = total(m);
        const shares: Record<string, number> = {};
        for (const [d, a] of m) shares[d] = a.count / t;
        return { bucket, total: t, shares, entropy_bits: entropyBits([...m.values()].map((a) => a.count)), byDecision: m };
      });
    const stats: DecisionStats[] = [...decisions].map(([decision, a]) => {
      const b = base?.get(decision);
      const points = series.flatMap((s) => {
        const x = s.byDecision.get(decision);
        return x && x.confidence_count > 0 ? [[(s.bucket - from) / HOUR, x.confidence_sum / x.confidence_count] as const] : [];
      });
      if (baseN > 0 && (b === undefined || b.count === 0)) {
        // The buckets it was made in, so its first minute is searched there only.
        const buckets = series.filter((x) => (x.byDecision.get(decision)?.count ?? 0) > 0).map((x) => x.bucket);
        newOnes.push({ agent, decision, count: a.count, buckets });
      }
      return {
        decision,
        count: a.count,
        share: a.count / n,
        baseline_share: baseN > 0 ? (b?.count ?? 0) / baseN : 0,
        confidence_avg: a.confidence_count > 0 ? a.confidence_sum / a.confidence_count : null,
        baseline_confidence_avg: b && b.confidence_count > 0 ? b.confidence_sum / b.confidence_count : null,
        confidence_trend_per_hour: slope(points.map((p) => p[0]), points.map((p) => p[1])),
      };
    });
    stats.sort((a, b) => b.count - a.count || (a.decision < b.decision ? -1 : 1));
    const entropy = entropyBits([...decisions.values()].map((a) => a.count));
    const baseEntropy = baseN > 0 ? entropyBits([...base!.values()].map((a) => a.count)) : null;
    report.agents.push({
      agent,
      decisions: stats,
      entropy_bits: entropy,
      baseline_entropy_bits: baseEntropy,
      entropy_change_bits: baseEntropy === null ? null : entropy - baseEntropy,
      series: series.map(({ byDecision: _unused, ...s }) => s),
    });
    if (baseEntropy !== null && baseEntropy - entropy >= (req.minEntropyDropBits ?? 0.5)) {
      const lowest = series.reduce<{ bucket: number; bits: number } | null>((m, s) => (m === null || s.entropy_bits < m.bits ? { bucket: s.bucket, bits: s.entropy_bits } : m), null);
      report.entropy_drops.push({ agent, baseline_bits: baseEntropy, current_bits: entropy, change_bits: entropy - baseEntropy, lowest });
    }
  }
  report.entropy_drops.sort((a, b) => a.change_bits - b.change_bits);
  for (const d of newOnes) {
    const seen = await firstSeen(store, req.project, d, intervalMs, req.from, req.to);
    if (seen !== null) report.new_decisions.push({ agent: d.agent, decision: d.decision, count: d.count, first_seen: seen });
  }
  report.new_decisions.sort((a, b) => a.first_seen - b.first_seen || (a.agent < b.agent ? -1 : 1));
  return report;
}
