import { expect, it } from 'vitest';
import type { ScoreRollupRow } from '../store/score-store.js';
import { judgeScoreDrop, judgeScoreDrops, SCORE_DROP_RULE } from './score-drop.js';

const sums = (xs: number[]) => ({ n: xs.length, sum: xs.reduce((s, x) => s + x, 0), sumSq: xs.reduce((s, x) => s + x * x, 0) });
const repeat = (values: number[], n: number) => Array.from({ length: n }, (_, i) => values[i % values.length]!);

it('fires on a drop that is significant and large, and names it with numbers', () => {
  const j = judgeScoreDrop('support', 'helpfulness', sums(repeat([0.4, 0.6], 60)), sums(repeat([0.7, 0.9], 400)));
  expect(j.firing).toBe(true);
  expect(j.text).toBe('helpfulness of agent support fell 0.80 → 0.50 over the last 30 min (60 scores against 400 in the 24 h before; p<0.001)');
});

it('stays quiet on a significant but tiny drop, on too few scores, and on a rise', () => {
  // 0.80 → 0.78 over thousands: p is tiny, but 0.02 is a tenth of the baseline's σ (0.2).
  expect(judgeScoreDrop('a', 'h', sums(repeat([0.58, 0.98], 5_000)), sums(repeat([0.6, 1.0], 20_000))).firing).toBe(false);
  expect(judgeScoreDrop('a', 'h', sums(repeat([0.1], 19)), sums(repeat([0.7, 0.9], 400))).firing).toBe(false);
  expect(judgeScoreDrop('a', 'h', sums(repeat([0.7, 0.9], 60)), sums(repeat([0.7, 0.9], 99))).firing).toBe(false);
  expect(judgeScoreDrop('a', 'h', sums(repeat([0.9, 1.0], 60)), sums(repeat([0.7, 0.9], 400))).firing).toBe(false);
});

it('splits 5-minute rows into the window and the day before it, per agent × name', () => {
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
    row(end - SCORE_DROP_RULE.windowMs - SCORE_DROP_RULE.baselineMs - 5 * 60_000, ['support', 'helpfulness'], repeat([0], 100)),
    row(end - 5 * 60_000, ['billing', 'thumbs'], repeat([1, 0], 30)),
  ];
  const judged = judgeScoreDrops(rows, now);
  expect(judged.map((j) => [j.agent, j.name, j.n, j.baselineN, j.firing])).toEqual([
    ['support', 'helpfulness', 60, 400, true],
    ['billing', 'thumbs', 30, 0, false],
  ]);
});
