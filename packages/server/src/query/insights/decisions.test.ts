// The decision distribution on a store stub: figures checked by hand, and rows that arrive out of
// the Store's order (or split in two) give the same report as ordered ones.

import { describe, expect, it } from 'vitest';
import type { DecisionCountQuery, DecisionCountRow, Store } from '../../store/store.js';
import { HOUR, MINUTE } from '../read-rollups.js';
import { decisionDistribution } from './decisions.js';

const T = Date.UTC(2025, 2, 3);

/** Spans with a decision, as minutes of counts: what the stub's buckets are summed from. */
interface Minute {
  at: number;
  agent: string;
  decision: string;
  count: number;
  confidence_sum: number;
  confidence_count: number;
}

const cmp = (a: string, b: string) => (a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b)));

/**
 * insightDecisionCounts over `minutes`; `scrambled` returns every row of the range and lookback
 * reads as two halves, in reverse order (the first-minute search relies on the minutes' order).
 */
function stubStore(minutes: Minute[], scrambled = false): Store {
  const insightDecisionCounts = (q: DecisionCountQuery): Promise<DecisionCountRow[]> => {
    const from = Math.floor(q.from / q.bucketMs) * q.bucketMs;
    const rows = new Map<string, DecisionCountRow>();
    for (const m of minutes) {
      if (m.at < from || m.at >= q.to || (q.agent !== undefined && m.agent !== q.agent) || (q.decision !== undefined && m.decision !== q.decision)) continue;
      const bucket = Math.floor(m.at / q.bucketMs) * q.bucketMs;
      const key = JSON.stringify([bucket, m.agent, m.decision]);
      const r = rows.get(key) ?? { bucket, agent_id: m.agent, decision: m.decision, count: 0, confidence_sum: 0, confidence_count: 0 };
      r.count += m.count;
      r.confidence_sum += m.confidence_sum;
      r.confidence_count += m.confidence_count;
      rows.set(key, r);
    }
    const sorted = [...rows.values()].sort((a, b) => a.bucket - b.bucket || cmp(a.agent_id, b.agent_id) || cmp(a.decision, b.decision));
    if (!scrambled || q.bucketMs === MINUTE) return Promise.resolve(sorted);
    // Halves of counts and dyadic sums add up exactly, in any order.
    const half = (r: DecisionCountRow, k: 0 | 1): DecisionCountRow => ({
      ...r,
      count: k === 0 ? Math.floor(r.count / 2) : Math.ceil(r.count / 2),
      confidence_sum: r.confidence_sum / 2,
      confidence_count: k === 0 ? Math.floor(r.confidence_count / 2) : Math.ceil(r.confidence_count / 2),
    });
    return Promise.resolve(sorted.flatMap((r) => [half(r, 0), half(r, 1)]).reverse());
  };
  return { insightDecisionCounts } as unknown as Store;
}

const minute = (at: number, agent: string, decision: string, count: number, confidence = 0.5): Minute => ({
  at,
  agent,
  decision,
  count,
  confidence_sum: confidence * count,
  confidence_count: count,
});

/** Numbers to 12 significant digits: summation order may move the last bits of entropies and slopes. */
const rounded = (v: unknown): unknown =>
  typeof v === 'number' ? Number(v.toPrecision(12)) : Array.isArray(v) ? v.map(rounded) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rounded(x)])) : v;

describe('decision distribution', () => {
  it('reports shares, entropy, confidence trend, the series and a new decision with its first minute', async () => {
    const store = stubStore([
      minute(T - 5 * HOUR, 'a', 'x', 2),
      minute(T - 4 * HOUR, 'a', 'y', 2),
      minute(T + 5 * MINUTE, 'a', 'x', 3),
      minute(T + HOUR + 1 * MINUTE, 'a', 'x', 1),
      minute(T + HOUR + 10 * MINUTE, 'a', 'z', 3, 0.25),
      minute(T + HOUR + 20 * MINUTE, 'a', 'z', 1, 1.25),
    ]);
    const r = await decisionDistribution(store, { project: 'p', from: T, to: T + 2 * HOUR, intervalMs: HOUR, lookbackMs: HOUR * 24 });
    expect(r.agents).toHaveLength(1);
    const a = r.agents[0]!;
    expect(a.decisions).toEqual([
      { decision: 'x', count: 4, share: 0.5, baseline_share: 0.5, confidence_avg: 0.5, baseline_confidence_avg: 0.5, confidence_trend_per_hour: 0 },
      { decision: 'z', count: 4, share: 0.5, baseline_share: 0, confidence_avg: 0.5, baseline_confidence_avg: null, confidence_trend_per_hour: null },
    ]);
    expect([a.entropy_bits, a.baseline_entropy_bits, a.entropy_change_bits]).toEqual([1, 1, 0]);
    expect(a.series.map((s) => [s.bucket, s.total, s.shares])).toEqual([
      [T, 3, { x: 1 }],
      [T + HOUR, 5, { x: 0.2, z: 0.8 }],
    ]);
    expect(a.series[0]!.entropy_bits).toBe(0);
    expect(a.series[1]!.entropy_bits).toBeCloseTo(-(0.2 * Math.log2(0.2) + 0.8 * Math.log2(0.8)), 12);
    expect(r.new_decisions).toEqual([{ agent: 'a', decision: 'z', count: 4, first_seen: T + HOUR + 10 * MINUTE }]);
    expect(r.entropy_drops).toEqual([]);
  });

  it('gives the same report for rows out of order and split in two', async () => {
    const names = ['b', 'a', 'é', '', '__proto__', 'x\u{1F600}', '\uFFFD'];
    const minutes: Minute[] = [];
    for (let i = 0; i < 400; i++) {
      const agent = names[(i * 3) % 4]!;
      const decision = names[(i * 5 + (i >> 4)) % names.length]!;
      // The last two decisions start in the range (new ones), at distinct minutes.
      const at = decision === names[5] || decision === names[6] ? T + (i % 300) * MINUTE : T - 20 * HOUR + (i % 60) * 40 * MINUTE;
      minutes.push(minute(at, agent, decision, 1 + (i % 5) * 2, [0.25, 0.5, 0.75][i % 3]));
    }
    const req = { project: 'p', from: T, to: T + 5 * HOUR, intervalMs: 30 * MINUTE, minEntropyDropBits: -1 };
    const ordered = await decisionDistribution(stubStore(minutes), req);
    const scrambled = await decisionDistribution(stubStore(minutes, true), req);
    expect(ordered.agents.length).toBeGreaterThan(2);
    expect(ordered.new_decisions.length).toBeGreaterThan(0);
    expect(ordered.entropy_drops.length).toBeGreaterThan(0);
    expect(rounded(scrambled)).toEqual(rounded(ordered));
  });
});
