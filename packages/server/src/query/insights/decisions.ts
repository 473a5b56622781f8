// Decision distribution: each agent's share of each decision over time, the Shannon entropy of
// that distribution (falling entropy: stuck on one choice), decisions first seen in the range
// (none in the lookback window), and mean confidence per decision with its trend.

import type { DecisionCountRow } from '../../store/store.js';
import type { InsightStore } from '../../store/insight-store.js';
import { HOUR, MINUTE } from '../read-rollups.js';
import { entropyBits, slope } from './stats.js';
import type { AgentDistribution, DecisionReport, DecisionStats } from '@sightline/api';

// The reply's types are the API contract's (@sightline/api): one definition for server and dashboard.
export type { AgentDistribution, DecisionReport, DecisionStats };

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

const total = (m: Iterable<{ count: number }> | undefined) => {
  let n = 0;
  for (const a of m ?? []) n += a.count;
  return n;
};

/** One agent's decision over the range. */
interface DecisionAcc extends Acc {
  decision: string;
  /** Where its last row went, for the next row of the same bucket (no search). */
  lastEntry: BucketEntry | null;
  lastSlot: number;
  /** Filled in bucket order once the range is read: bucket means of confidence, buckets made in. */
  xs: number[];
  ys: number[];
  buckets: number[];
}

/** One agent's bucket: its decisions in the order first read, their figures in parallel arrays. */
interface BucketEntry {
  bucket: number;
  decisions: DecisionAcc[];
  count: number[];
  confidence_sum: number[];
  confidence_count: number[];
  /** Rows of this bucket came again after another bucket's: its slots must be searched. */
  revisited: boolean;
}

interface AgentAcc {
  decisions: Map<string, DecisionAcc>;
  /** In the order first read; sorted by bucket for the series. */
  entries: BucketEntry[];
  byBucket: Map<number, BucketEntry>;
  current: BucketEntry | null;
}

/**
 * The range's figures per agent (in the order first read), decision and bucket. A row costs a few
 * additions: the rows come by bucket, agent, decision, so a bucket is found by comparing with the
 * agent's current one and a decision's slot is where its last row went; the searches are only for
 * rows out of that order.
 */
function readRange(rows: readonly DecisionCountRow[]): Map<string, AgentAcc> {
  const agents = new Map<string, AgentAcc>();
  let lastAgent: string | null = null;
  let st: AgentAcc | null = null;
  for (const r of rows) {
    if (st === null || r.agent_id !== lastAgent) {
      lastAgent = r.agent_id;
      st = agents.get(lastAgent) ?? null;
      if (st === null) agents.set(lastAgent, (st = { decisions: new Map(), entries: [], byBucket: new Map(), current: null }));
    }
    let d = st.decisions.get(r.decision);
    if (d === undefined) st.decisions.set(r.decision, (d = { decision: r.decision, count: 0, confidence_sum: 0, confidence_count: 0, lastEntry: null, lastSlot: 0, xs: [], ys: [], buckets: [] }));
    d.count += r.count;
    d.confidence_sum += r.confidence_sum;
    d.confidence_count += r.confidence_count;
    let e = st.current;
    if (e === null || e.bucket !== r.bucket) {
      e = st.byBucket.get(r.bucket) ?? null;
      if (e !== null) e.revisited = true;
      else {
        // As a Map key, so -0 reads back as 0.
        e = { bucket: r.bucket === 0 ? 0 : r.bucket, decisions: [], count: [], confidence_sum: [], confidence_count: [], revisited: false };
        st.byBucket.set(e.bucket, e);
        st.entries.push(e);
      }
      st.current = e;
    }
    let slot = d.lastEntry === e ? d.lastSlot : e.revisited ? e.decisions.indexOf(d) : -1;
    if (slot < 0) {
      slot = e.decisions.push(d) - 1;
      e.count.push(0);
      e.confidence_sum.push(0);
      e.confidence_count.push(0);
    }
    d.lastEntry = e;
    d.lastSlot = slot;
    e.count[slot]! += r.count;
    e.confidence_sum[slot]! += r.confidence_sum;
    e.confidence_count[slot]! += r.confidence_count;
  }
  return agents;
}

/**
 * First minute in [from, to) with `decision` by `agent`, given the range's buckets of `intervalMs`
 * in which it was made: the minutes of those buckets are read in order until one has it.
 */
async function firstSeen(store: InsightStore, project: string, d: { agent: string; decision: string; buckets: number[] }, intervalMs: number, from: number, to: number): Promise<number | null> {
  for (const b of d.buckets) {
    const minutes = await store.insightDecisionCounts({ project, from: Math.max(from, b), to: Math.min(to, b + intervalMs), bucketMs: MINUTE, agent: d.agent, decision: d.decision });
    const first = minutes.find((m) => m.count > 0);
    if (first) return first.bucket;
  }
  return null;
}

export async function decisionDistribution(store: InsightStore, req: DecisionRequest): Promise<DecisionReport> {
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
  const baseline: ByAgent = new Map();
  for (const r of before) accumulate(baseline, r.agent_id, r.decision, r);
  const current = readRange(rows);
  const report: DecisionReport = { interval_ms: intervalMs, lookback, agents: [], new_decisions: [], entropy_drops: [] };
  const newOnes: { agent: string; decision: string; count: number; buckets: number[] }[] = [];
  for (const [agent, acc] of [...current].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const n = total(acc.decisions.values());
    const base = baseline.get(agent);
    const baseN = total(base?.values());
    const series = acc.entries.sort((a, b) => a.bucket - b.bucket).map((e) => {
      let t = 0;
      for (const c of e.count) t += c;
      const shares: Record<string, number> = {};
      for (let i = 0; i < e.decisions.length; i++) {
        const d = e.decisions[i]!;
        shares[d.decision] = e.count[i]! / t;
        if (e.confidence_count[i]! > 0) {
          d.xs.push((e.bucket - from) / HOUR);
          d.ys.push(e.confidence_sum[i]! / e.confidence_count[i]!);
        }
        if (e.count[i]! > 0) d.buckets.push(e.bucket);
      }
      return { bucket: e.bucket, total: t, shares, entropy_bits: entropyBits(e.count) };
    });
    const stats: DecisionStats[] = [...acc.decisions.values()].map((a) => {
      const { decision } = a;
      const b = base?.get(decision);
      const { xs, ys, buckets } = a;
      // The buckets it was made in, so its first minute is searched there only.
      if (baseN > 0 && (b === undefined || b.count === 0)) newOnes.push({ agent, decision, count: a.count, buckets });
      return {
        decision,
        count: a.count,
        share: a.count / n,
        baseline_share: baseN > 0 ? (b?.count ?? 0) / baseN : 0,
        confidence_avg: a.confidence_count > 0 ? a.confidence_sum / a.confidence_count : null,
        baseline_confidence_avg: b && b.confidence_count > 0 ? b.confidence_sum / b.confidence_count : null,
        confidence_trend_per_hour: slope(xs, ys),
      };
    });
    stats.sort((a, b) => b.count - a.count || (a.decision < b.decision ? -1 : 1));
    const entropy = entropyBits([...acc.decisions.values()].map((a) => a.count));
    const baseEntropy = baseN > 0 ? entropyBits([...base!.values()].map((a) => a.count)) : null;
    report.agents.push({
      agent,
      decisions: stats,
      entropy_bits: entropy,
      baseline_entropy_bits: baseEntropy,
      entropy_change_bits: baseEntropy === null ? null : entropy - baseEntropy,
      series,
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
