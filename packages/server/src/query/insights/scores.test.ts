// Score insights on a real DuckDB store: a drop of one decision's helpfulness is found, measured
// and named as the explanation, with the other decision unchanged.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Score } from '../../model/score.js';
import type { Span } from '../../model/span.js';
import { makeScore } from '../../store/score.case.js';
import { makeSpan } from '../../store/store-fixtures.case.js';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { scoreInsight } from './scores.js';

const dir = mkdtempSync(join(tmpdir(), 'sightline-score-insight-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 3_600_000;
const B = Date.UTC(2026, 2, 2, 8);
const W = B + 2 * HOUR;

/** 20 traces per decision in the hour from `start`, each scored a minute later; values alternate between the two given. */
function hour(start: number, tag: string, values: Record<'refund' | 'escalate', [number, number]>): { spans: Span[]; scores: Score[] } {
  const spans: Span[] = [];
  const scores: Score[] = [];
  for (const decision of ['refund', 'escalate'] as const) {
    for (let i = 0; i < 20; i++) {
      const trace = `${tag}-${decision}-${i}`;
      const at = start + i * 60_000;
      spans.push(makeSpan({ project: 'default', trace_id: trace, span_id: 's', timestamp: at, agent_id: 'support', model: 'gpt-4o', decision_made: decision }));
      scores.push(makeScore({ project: 'default', score_id: `sc-${trace}`, trace_id: trace, timestamp: at + 60_000, value: values[decision][i % 2]! }));
    }
  }
  return { spans, scores };
}

it('finds the drift, scores each decision against the rest, and names the decision that explains the drop', async () => {
  const store = await createDuckDbStore({ path: join(dir, 'insight.duckdb') });
  try {
    const base = hour(B, 'b', { refund: [0.7, 0.9], escalate: [0.7, 0.9] });
    const now = hour(W, 'w', { refund: [0.2, 0.4], escalate: [0.7, 0.9] });
    await store.append([...base.spans, ...now.spans]);
    await store.appendScores([...base.scores, ...now.scores]);
    const r = await scoreInsight(store, { project: 'default', name: 'helpfulness', agent: 'support', from: W, to: W + HOUR, baselineFrom: B, baselineTo: B + HOUR });
    expect(r.summary).toBe('helpfulness of agent support fell 0.80 → 0.55 (40 scores against 40, p<0.001); decision refund explains 100% of the drop (0.80 → 0.30 on 50% of scores)');
    expect([r.current.n, r.current.mean, r.baseline.n, r.baseline.mean]).toEqual([40, expect.closeTo(0.55, 12), 40, expect.closeTo(0.8, 12)]);
    expect(r.explanation).toEqual({ dimension: 'decision', value: 'refund', contribution: expect.closeTo(-0.25, 12), share_of_drop: expect.closeTo(1, 12) });
    const [refund, escalate] = r.by_decision;
    expect([refund!.value, refund!.current.mean, refund!.rest.mean, refund!.weight]).toEqual(['refund', expect.closeTo(0.3, 12), expect.closeTo(0.8, 12), 0.5]);
    // 0.3 ± 0.1 against 0.8 ± 0.1 (sd 0.1026 each side, n = 20): t ≈ −15.4.
    expect(refund!.test.t).toBeCloseTo(-15.41, 1);
    expect(refund!.test.p).toBeLessThan(1e-12);
    expect(refund!.current.low).toBeCloseTo(0.252, 3);
    expect(refund!.current.high).toBeCloseTo(0.348, 3);
    expect([escalate!.value, escalate!.contribution]).toEqual(['escalate', expect.closeTo(0, 12)]);
    expect(r.by_model.map((g) => [g.value, g.weight])).toEqual([['gpt-4o', 1]]);
  } finally {
    await store.close();
  }
});

it('reads a boolean score as its share of yes and counts with separators', async () => {
  const store = await createDuckDbStore({ path: join(dir, 'boolean.duckdb') });
  try {
    // 1,200 thumbs in the baseline hour (900 yes = 75%) and 1,000 in the window (600 yes = 60%).
    const spans: Span[] = [];
    const scores: Score[] = [];
    const add = (tag: string, start: number, n: number, yes: number) => {
      for (let i = 0; i < n; i++) {
        const trace = `${tag}-${i}`;
        const at = start + Math.floor((i * HOUR) / n);
        spans.push(makeSpan({ project: 'default', trace_id: trace, span_id: 's', timestamp: at, agent_id: 'support', model: 'gpt-4o', decision_made: 'answer' }));
        scores.push(makeScore({ project: 'default', score_id: `th-${trace}`, trace_id: trace, timestamp: at, name: 'thumbs', kind: 'boolean', value: i < yes ? 1 : 0, source: 'user' }));
      }
    };
    add('b', B, 1200, 900);
    add('w', W, 1000, 600);
    await store.append(spans);
    await store.appendScores(scores);
    const r = await scoreInsight(store, { project: 'default', name: 'thumbs', from: W, to: W + HOUR, baselineFrom: B, baselineTo: B + HOUR });
    expect(r.summary).toBe('thumbs (share of yes) fell 75.0% → 60.0% (1,000 scores against 1,200, p<0.001)');
  } finally {
    await store.close();
  }
});
