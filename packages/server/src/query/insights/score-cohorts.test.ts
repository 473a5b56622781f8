// Score cohorts on a real DuckDB store: attribute values, decisions and models of the judged traces
// whose helpfulness differs from the rest of the window. Every expected figure is computed here
// from the scores the test wrote (means, variances, Welch's t, the t tail by numerical
// integration, Benjamini–Hochberg), with t quantiles from printed tables.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Score } from '../../model/score.js';
import type { Span } from '../../model/span.js';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { makeScore } from '../../store/score.case.js';
import { makeSpan } from '../../store/store-fixtures.case.js';
import { scoreInsight } from './scores.js';

const dir = mkdtempSync(join(tmpdir(), 'sightline-score-cohorts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 3_600_000;
const W = Date.UTC(2026, 2, 2, 10);

/** 60 traces: the first 20 tier free (0.3 / 0.5 by turns), the rest gold (0.7 / 0.9); region eu on even traces; decision refund on every third. */
function traffic(): { spans: Span[]; scores: Score[]; of: (i: number) => { tier: string; region: string; decision: string; value: number } } {
  const of = (i: number) => ({
    tier: i < 20 ? 'free' : 'gold',
    region: i % 2 === 0 ? 'eu' : 'us',
    decision: i % 3 === 0 ? 'refund' : 'answer',
    value: i < 20 ? [0.3, 0.5][i % 2]! : [0.7, 0.9][i % 2]!,
  });
  const spans: Span[] = [];
  const scores: Score[] = [];
  for (let i = 0; i < 60; i++) {
    const t = of(i);
    const at = W + i * 60_000;
    spans.push(makeSpan({ project: 'default', trace_id: `t${i}`, span_id: 's', timestamp: at, agent_id: 'support', model: 'gpt-4o', decision_made: t.decision, attributes: { tier: t.tier, region: t.region } }));
    scores.push(makeScore({ project: 'default', score_id: `sc-${i}`, trace_id: `t${i}`, timestamp: at + 30_000, value: t.value }));
  }
  return { spans, scores, of };
}

const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
const variance = (xs: number[]) => xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1);

/** Two-sided p of Welch's t, the t tail integrated numerically (Simpson) from the unnormalised density. */
function welchP(a: number[], b: number[]): { t: number; df: number; p: number } {
  const va = variance(a) / a.length;
  const vb = variance(b) / b.length;
  const t = (mean(a) - mean(b)) / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const f = (x: number) => (1 + (x * x) / df) ** (-(df + 1) / 2);
  const simpson = (lo: number, hi: number, steps = 200_000) => {
    const h = (hi - lo) / steps;
    let s = f(lo) + f(hi);
    for (let i = 1; i < steps; i++) s += f(lo + i * h) * (i % 2 === 1 ? 4 : 2);
    return (s * h) / 3;
  };
  return { t, df, p: simpson(Math.abs(t), 400) / simpson(0, 400) };
}

it('finds the attribute values and decisions whose scores differ from the rest, with intervals, p, q and a sentence', async () => {
  const store = await createDuckDbStore({ path: join(dir, 'cohorts.duckdb') });
  try {
    const { spans, scores, of } = traffic();
    await store.append(spans);
    await store.appendScores(scores);
    const report = await scoreInsight(store, { project: 'default', name: 'helpfulness', agent: 'support', from: W, to: W + HOUR, baselineFrom: W - 24 * HOUR, baselineTo: W });

    const values = (pick: (i: number) => boolean) => Array.from({ length: 60 }, (_, i) => i).filter(pick).map((i) => of(i).value);
    const expected = [
      { dimension: 'attribute', key: 'tier', value: 'free', a: values((i) => of(i).tier === 'free'), b: values((i) => of(i).tier !== 'free') },
      { dimension: 'attribute', key: 'tier', value: 'gold', a: values((i) => of(i).tier === 'gold'), b: values((i) => of(i).tier !== 'gold') },
      { dimension: 'attribute', key: 'region', value: 'eu', a: values((i) => of(i).region === 'eu'), b: values((i) => of(i).region !== 'eu') },
      { dimension: 'attribute', key: 'region', value: 'us', a: values((i) => of(i).region === 'us'), b: values((i) => of(i).region !== 'us') },
      { dimension: 'decision', key: 'decision', value: 'refund', a: values((i) => of(i).decision === 'refund'), b: values((i) => of(i).decision !== 'refund') },
      { dimension: 'decision', key: 'decision', value: 'answer', a: values((i) => of(i).decision === 'answer'), b: values((i) => of(i).decision !== 'answer') },
    ].map((c) => ({ ...c, ...welchP(c.a, c.b) }));
    // Benjamini–Hochberg over the six: q(i) = min over j ≥ i of p(j) · m / j, by rank of p.
    const byP = [...expected].sort((x, y) => x.p - y.p);
    const qOf = new Map(byP.map((c, r) => [c, Math.min(1, ...byP.slice(r).map((d, k) => (d.p * byP.length) / (r + k + 1)))]));
    // The one model (gpt-4o) has no rest: not a cohort.
    expect(report.cohorts.map((c) => `${c.key}=${c.value}`).sort()).toEqual(expected.map((c) => `${c.key}=${c.value}`).sort());
    for (const e of expected) {
      const got = report.cohorts.find((c) => c.key === e.key && c.value === e.value)!;
      expect([got.dimension, got.current.n, got.rest.n]).toEqual([e.dimension, e.a.length, e.b.length]);
      expect(got.current.mean).toBeCloseTo(mean(e.a), 12);
      expect(got.rest.mean).toBeCloseTo(mean(e.b), 12);
      expect(got.test.diff).toBeCloseTo(mean(e.a) - mean(e.b), 12);
      expect(got.test.t).toBeCloseTo(e.t, 9);
      expect(got.test.df).toBeCloseTo(e.df, 9);
      // Below 1e-12 (the tiers' ~1e-17) double precision of 1 − CDF gives out: only "that small" is checked.
      if (e.p < 1e-12) expect([got.test.p < 1e-12, got.q < 1e-12]).toEqual([true, true]);
      else {
        expect(got.test.p / e.p).toBeCloseTo(1, 4);
        expect(got.q / qOf.get(e)!).toBeCloseTo(1, 4);
      }
    }
    // Tier free: 20 scores of 0.3 and 0.5, mean 0.40, sd √(0.2 / 19); t(0.975, 19) = 2.093024 (table).
    const free = report.cohorts.find((c) => c.value === 'free')!;
    const half = 2.093024 * Math.sqrt(0.2 / 19 / 20);
    expect([free.current.low, free.current.high]).toEqual([expect.closeTo(0.4 - half, 6), expect.closeTo(0.4 + half, 6)]);
    // Region eu: 10 × 0.3 and 20 × 0.7 (mean 0.5667) against 10 × 0.5 and 20 × 0.9 (0.7667); t(0.975, 29) = 2.045230 (table).
    const eu = report.cohorts.find((c) => c.value === 'eu')!;
    const euX = expected.find((c) => c.value === 'eu')!;
    const euHalf = 2.04523 * Math.sqrt(variance(euX.a) / 30);
    const q = qOf.get(euX)!;
    expect(eu.sentence).toBe(
      `helpfulness of region = eu averages 0.57 (95 % interval ${(mean(euX.a) - euHalf).toFixed(2)}–${(mean(euX.a) + euHalf).toFixed(2)}, 30 scores) ` +
        `against 0.77 for the rest (30 scores): −0.20, ${euX.p < 0.001 ? 'p<0.001' : `p=${euX.p.toFixed(3)}`}, ${q < 0.001 ? 'q<0.001' : `q=${q.toFixed(3)}`}`,
    );
    // Most significant first: the tiers (the same p each way), then the regions, then the decisions.
    expect(report.cohorts.slice(0, 2).map((c) => c.key)).toEqual(['tier', 'tier']);
  } finally {
    await store.close();
  }
});
