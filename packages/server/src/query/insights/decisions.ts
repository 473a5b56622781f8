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

/** First minute in [from, to) with `decision` by `agent`: the first hour from hourly rollups, then its minute. */
async function firstSeen(store: Store, project: string, agent: string, decision: string, from: number, to: number): Promise<number | null> {
  const filter = { agent, decision };
  const hourFrom = Math.floor(from / HOUR) * HOUR;
  const hours = await store.rollup({ project, from: hourFrom, to, bucketMs: HOUR, groupBy: [], filter, histogram: false });
  for (const h of hours) {
    if (h.count === 0) continue;
    const minutes = await store.rollup({ project, from: Math.max(from, h.bucket), to: Math.min(to, h.bucket + HOUR), bucketMs: MINUTE, groupBy: [], filter, histogram: false });
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
    store.rollup({ project: req.project, from, to: req.to, bucketMs: intervalMs, groupBy: ['agent', 'decision'], filter, histogram: false }),
    lookback.to > lookback.from
      ? store.rollup({ project: req.project, from: lookback.from, to: lookback.to, bucketMs: DAY, groupBy: ['agent', 'decision'], filter, histogram: false })
      : Promise.resolve([]),
  ]);
  const current: ByAgent = new Map();
  const baseline: ByAgent = new Map();
  const buckets = new Map<string, Map<number, ByAgent>>();
  for (const r of before) if (r.group[1] !== null) accumulate(baseline, r.group[0]!, r.group[1]!, r);
  for (const r of rows) {
    const [agent, decision] = r.group as [string, string | null];
    if (decision === null) continue;
    accumulate(current, agent, decision, r);
    let perBucket = buckets.get(agent);
    if (!perBucket) buckets.set(agent, (perBucket = new Map()));
    let b = perBucket.get(r.bucket);
    if (!b) perBucket.set(r.bucket, (b = new Map()));
    accumulate(b, agent, decision, r);
  }
  const report: DecisionReport = { interval_ms: intervalMs, lookback, agents: [], new_decisions: [], entropy_drops: [] };
  const newOnes: { agent: string; decision: string; count: number }[] = [];
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
      if (baseN > 0 && (b === undefined || b.count === 0)) newOnes.push({ agent, decision, count: a.count });
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
    const seen = await firstSeen(store, req.project, d.agent, d.decision, req.from, req.to);
    if (seen !== null) report.new_decisions.push({ ...d, first_seen: seen });
  }
  report.new_decisions.sort((a, b) => a.first_seen - b.first_seen || (a.agent < b.agent ? -1 : 1));
  return report;
}
