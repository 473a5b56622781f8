// Conformance of Store.insightDecisionCounts, run by the insight suite (insight.case.ts) against
// every backend: decisions per bucket × agent must equal the same counts taken from the spans.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestPipeline } from '../ingest/pipeline.js';
import { createPriceTable } from '../ingest/pricing.js';
import { DEFAULT_LIMITS } from '../model/limits.js';
import type { Span } from '../model/span.js';
import { createFleet, simulateToArray } from '../sim/index.js';
import { HOUR_MS, MINUTE_MS } from './rollup.js';
import { makeSpan } from './store.case.js';
import type { DecisionCountQuery, DecisionCountRow, Store } from './store.js';

const T0 = Date.UTC(2025, 2, 3, 8, 0, 0);

/** Byte order of UTF-8, as both databases compare strings. */
const cmp = (a: string, b: string) => (a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b)));

function expectedCounts(spans: readonly Span[], q: DecisionCountQuery): DecisionCountRow[] {
  const from = Math.floor(q.from / q.bucketMs) * q.bucketMs;
  const out = new Map<string, DecisionCountRow>();
  for (const s of spans) {
    if (s.project !== q.project || s.timestamp < from || s.timestamp >= q.to || s.decision_made === null) continue;
    if ((q.agent !== undefined && s.agent_id !== q.agent) || (q.decision !== undefined && s.decision_made !== q.decision)) continue;
    const bucket = Math.floor(s.timestamp / q.bucketMs) * q.bucketMs;
    const id = JSON.stringify([bucket, s.agent_id, s.decision_made]);
    const r = out.get(id) ?? { bucket, agent_id: s.agent_id, decision: s.decision_made, count: 0, confidence_sum: 0, confidence_count: 0 };
    r.count++;
    r.confidence_sum += s.confidence ?? 0;
    r.confidence_count += s.confidence === null ? 0 : 1;
    out.set(id, r);
  }
  return [...out.values()].sort((a, b) => a.bucket - b.bucket || cmp(a.agent_id, b.agent_id) || cmp(a.decision, b.decision));
}

function expectCountsMatch(rows: DecisionCountRow[], expected: DecisionCountRow[]): void {
  expect(rows.map((r) => ({ ...r, confidence_sum: 0 }))).toEqual(expected.map((r) => ({ ...r, confidence_sum: 0 })));
  rows.forEach((r, i) => expect(Math.abs(r.confidence_sum - expected[i]!.confidence_sum)).toBeLessThanOrEqual(1e-9 * Math.max(1, expected[i]!.confidence_sum)));
}

export function runDecisionCountConformance(name: string, newStore: () => Promise<Store>): void {
  describe(`insight primitives: ${name}, decision counts`, () => {
    let store: Store;
    let spans: Span[];

    beforeAll(async () => {
      store = await newStore();
      const fleet = createFleet({ seed: 5, agents: 3, tracesPerMinutePerAgent: 3 });
      const pipeline = createIngestPipeline({ limits: DEFAULT_LIMITS, prices: createPriceTable() });
      const { spans: simulated } = pipeline.process(simulateToArray(fleet, { from: T0, to: T0 + 2 * HOUR_MS }), { project: 'p', now: T0 + 10 * HOUR_MS });
      // An empty decision is a decision; one without confidence counts but adds none; another project stays out.
      const crafted = [
        makeSpan({ project: 'p', agent_id: 'agent-x', timestamp: T0 + 90_500, decision_made: '', confidence: null, span_id: 'c1' }),
        makeSpan({ project: 'p', agent_id: 'agent-x', timestamp: T0 + 90_900, decision_made: 'route', confidence: 0.25, span_id: 'c2' }),
        makeSpan({ project: 'p', agent_id: 'agent-x', timestamp: T0 + HOUR_MS + 1, decision_made: 'route', confidence: null, span_id: 'c3' }),
        makeSpan({ project: 'other', agent_id: 'agent-x', timestamp: T0 + 90_000, decision_made: 'route', confidence: 1, span_id: 'c4' }),
        // Names whose UTF-16 order is not their byte order: U+FFFD sorts before U+1F600 in UTF-8.
        ...['\u{1F600}', '\uFFFD', 'z'].flatMap((name, i) => [
          makeSpan({ project: 'p', agent_id: `agent-${name}`, timestamp: T0 + 120_000 + i, decision_made: '\u{1F600}', confidence: 0.5, span_id: `u${i}a` }),
          makeSpan({ project: 'p', agent_id: `agent-${name}`, timestamp: T0 + 120_000 + i, decision_made: '\uFFFD', confidence: 0.5, span_id: `u${i}b` }),
        ]),
      ];
      spans = [...simulated, ...crafted];
      for (let i = 0; i < spans.length; i += 2000) await store.append(spans.slice(i, i + 2000));
    }, 120_000);

    afterAll(async () => {
      await store?.close();
    });

    it('counts decisions and confidence per bucket × agent, for hour, minute and multi-hour buckets, with filters', async () => {
      const base = { project: 'p', from: T0, to: T0 + 2 * HOUR_MS };
      const queries: DecisionCountQuery[] = [
        { ...base, bucketMs: HOUR_MS },
        { ...base, bucketMs: 4 * HOUR_MS },
        { ...base, bucketMs: 5 * MINUTE_MS, from: T0 + 61_000, to: T0 + 20 * MINUTE_MS },
        { ...base, bucketMs: MINUTE_MS, agent: 'agent-x' },
        { ...base, bucketMs: HOUR_MS, decision: 'route' },
        { ...base, bucketMs: MINUTE_MS, agent: 'agent-x', decision: '' },
      ];
      for (const q of queries) {
        const expected = expectedCounts(spans, q);
        expect(expected.length, JSON.stringify(q)).toBeGreaterThan(0);
        expectCountsMatch(await store.insightDecisionCounts(q), expected);
      }
      expect(await store.insightDecisionCounts({ ...base, bucketMs: MINUTE_MS, agent: 'agent-x' })).toEqual([
        { bucket: T0 + 60_000, agent_id: 'agent-x', decision: '', count: 1, confidence_sum: 0, confidence_count: 0 },
        { bucket: T0 + 60_000, agent_id: 'agent-x', decision: 'route', count: 1, confidence_sum: 0.25, confidence_count: 1 },
        { bucket: T0 + HOUR_MS, agent_id: 'agent-x', decision: 'route', count: 1, confidence_sum: 0, confidence_count: 0 },
      ]);
      expect(await store.insightDecisionCounts({ ...base, project: 'nobody', bucketMs: HOUR_MS })).toEqual([]);
      await expect(store.insightDecisionCounts({ ...base, bucketMs: 1000 })).rejects.toThrow(/multiple of 60000/);
    });
  });
}
