import { expect, it } from 'vitest';
import type { ScoreRollupRow } from '../store/score-store.js';
import { BUILTIN_RULES } from './builtin-rules.js';
import { judgeScoreDrop, judgeScoreDrops, sumsOfBaseline } from './score-drop.js';

const RULE = BUILTIN_RULES.find((r) => r.id === 'builtin.score_below_baseline')!;
const sums = (xs: number[]) => ({ n: xs.length, sum: xs.reduce((s, x) => s + x, 0), sumSq: xs.reduce((s, x) => s + x * x, 0) });
const repeat = (values: number[], n: number) => Array.from({ length: n }, (_, i) => values[i % values.length]!);
const of = (agent: string, score: string) => ({ agent, score });

it('fires on a drop that is significant and large, and names it with numbers', () => {
  const j = judgeScoreDrop(of('support', 'helpfulness'), sums(repeat([0.4, 0.6], 60)), sums(repeat([0.7, 0.9], 400)), RULE);
  expect(j.verdict.breach).toBe(true);
  expect(j.text).toBe('helpfulness of agent support fell 0.80 → 0.50 (−37%) over the last 30 min (60 scores against 400 in the 24 h before; p<0.001)');
  // Threshold 0.75 σ below the baseline (σ = 0.1002 over 400 scores of 0.7 and 0.9), exit a quarter of the way back.
  const sd = Math.sqrt((400 * 0.8 ** 2 + 400 * 0.01 - 400 * 0.8 ** 2) / 399);
  expect(j.verdict.threshold).toBeCloseTo(0.8 - 0.75 * sd, 12);
  expect(j.verdict.exitThreshold).toBeCloseTo(0.8 - 0.75 * 0.75 * sd, 12);
  expect(j.baseline).toEqual({ mean: expect.closeTo(0.8, 12), unitSigma: expect.closeTo(sd, 12), samples: 400, hours: 24 });
});

it('words a boolean score as its share of yes, its change in points', () => {
  // Thumbs: 86 in 100 yes over the baseline day (1,400 scores), 50 of 100 in the window.
  const base = sums(repeat([...Array(86).fill(1), ...Array(14).fill(0)], 1_400));
  const j = judgeScoreDrop(of('billing', 'thumbs'), sums(repeat([1, 0], 100)), base, RULE, 'boolean');
  expect(j.verdict.breach).toBe(true);
  expect(j.text).toBe('thumbs of agent billing fell 86.0% yes → 50.0% yes (−36 points) over the last 30 min (100 scores against 1,400 in the 24 h before; p<0.001)');
  expect(judgeScoreDrop(of('billing', 'thumbs'), sums([]), base, RULE, 'boolean').text).toBe('thumbs of agent billing: no scores over the last 30 min (1,400 scores in the 24 h before)');
});

it('stays quiet on a significant but tiny drop, on too few scores, and on a rise', () => {
  // 0.80 → 0.78 over thousands: p is tiny, but 0.02 is a tenth of the baseline's σ (0.2).
  expect(judgeScoreDrop(of('a', 'h'), sums(repeat([0.58, 0.98], 5_000)), sums(repeat([0.6, 1.0], 20_000)), RULE).verdict.breach).toBe(false);
  expect(judgeScoreDrop(of('a', 'h'), sums(repeat([0.1], 19)), sums(repeat([0.7, 0.9], 400)), RULE).verdict).toMatchObject({ breach: false, clear: true, reason: 'too few scores' });
  expect(judgeScoreDrop(of('a', 'h'), sums(repeat([0.7, 0.9], 60)), sums(repeat([0.7, 0.9], 99)), RULE).verdict.breach).toBe(false);
  expect(judgeScoreDrop(of('a', 'h'), sums(repeat([0.9, 1.0], 60)), sums(repeat([0.7, 0.9], 400)), RULE).verdict.breach).toBe(false);
});

it('clears only once the mean is back past the exit threshold', () => {
  const base = sums(repeat([0.7, 0.9], 400));
  // 0.71 is 0.9 σ below the baseline: still breaching. 0.74 is 0.6 σ below: no breach (< 0.75 σ), not clear (> 0.5625 σ).
  expect(judgeScoreDrop(of('a', 'h'), sums(repeat([0.61, 0.81], 200)), base, RULE).verdict).toMatchObject({ breach: true, clear: false });
  expect(judgeScoreDrop(of('a', 'h'), sums(repeat([0.64, 0.84], 200)), base, RULE).verdict).toMatchObject({ breach: false, clear: false });
  expect(judgeScoreDrop(of('a', 'h'), sums(repeat([0.66, 0.86], 200)), base, RULE).verdict).toMatchObject({ breach: false, clear: true });
});

it('splits 5-minute rows into the window and the day before it, per agent × name, and holds a frozen baseline', () => {
  const now = Date.UTC(2026, 0, 2, 12, 3);
  const end = Date.UTC(2026, 0, 2, 12, 0);
  const row = (bucket: number, group: [string, string], xs: number[]): ScoreRollupRow => ({
    bucket, group, count: xs.length, value_count: xs.length, value_sum: xs.reduce((s, x) => s + x, 0), value_sq_sum: xs.reduce((s, x) => s + x * x, 0), labels: {},
  });
  const rows = [
    row(end - 5 * 60_000, ['support', 'helpfulness'], repeat([0.4, 0.6], 30)),
    row(end - 30 * 60_000, ['support', 'helpfulness'], repeat([0.4, 0.6], 30)),
    row(end - 31 * 60_000 - 4 * 60_000, ['support', 'helpfulness'], repeat([0.7, 0.9], 400)),
    // Outside both: after `now`'s bucket and before the baseline.
    row(end, ['support', 'helpfulness'], repeat([0], 100)),
    row(end - RULE.windowMs - RULE.baselineMs - 5 * 60_000, ['support', 'helpfulness'], repeat([0], 100)),
    row(end - 5 * 60_000, ['billing', 'thumbs'], repeat([1, 0], 30)),
  ];
  const judged = judgeScoreDrops(rows, now, RULE, new Map(), new Set(['thumbs']));
  expect(judged.find((j) => j.labels.score === 'thumbs')!.text).toBe('thumbs of agent billing is 50.0% yes over the last 30 min (30 scores; none in the 24 h before to compare with)');
  expect(judged.map((j) => [j.groupKey, j.labels, j.verdict.samples, j.baseline?.samples ?? 0, j.verdict.breach])).toEqual([
    ['["support","helpfulness"]', { agent: 'support', score: 'helpfulness' }, 60, 400, true],
    ['["billing","thumbs"]', { agent: 'billing', score: 'thumbs' }, 30, 0, false],
  ]);
  // Frozen at 0.5 ± 0.1 over 400: the same window is no drop from it; a live group without scores clears.
  const frozen = new Map([
    ['["support","helpfulness"]', { mean: 0.5, unitSigma: 0.1, samples: 400, hours: 24 }],
    ['["triage","thumbs"]', { mean: 0.9, unitSigma: 0.3, samples: 500, hours: 24 }],
  ]);
  const held = judgeScoreDrops(rows, now, RULE, frozen);
  expect(held.map((j) => [j.labels, j.baseline?.mean, j.verdict.breach, j.verdict.clear])).toEqual([
    [{ agent: 'support', score: 'helpfulness' }, expect.closeTo(0.5, 12), false, true],
    [{ agent: 'billing', score: 'thumbs' }, undefined, false, true],
    [{ agent: 'triage', score: 'thumbs' }, expect.closeTo(0.9, 12), false, true],
  ]);
  const back = sumsOfBaseline({ mean: 0.8, unitSigma: 0.1, samples: 400, hours: 24 });
  expect([back.n, back.sum, back.sumSq]).toEqual([400, expect.closeTo(320, 9), expect.closeTo(0.01 * 399 + 400 * 0.64, 9)]);
});
