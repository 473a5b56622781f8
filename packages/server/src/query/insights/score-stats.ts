// Statistics of scores from their rollup figures (count, sum, sum of squares): a mean with its
// t-interval, and Welch's test of two means. Shared by the score insights (scores.ts) and the
// "score below baseline" alert rule (alert/score-drop.ts), so both say the same thing.

import { tCdf, tQuantile, type Interval } from './stats.js';

/** What a rollup row gives: numeric scores (numbers and booleans) and their sums. */
export interface ScoreSums {
  n: number;
  sum: number;
  sumSq: number;
}

export const EMPTY_SUMS: ScoreSums = { n: 0, sum: 0, sumSq: 0 };

export function addSums(a: ScoreSums, b: ScoreSums): ScoreSums {
  return { n: a.n + b.n, sum: a.sum + b.sum, sumSq: a.sumSq + b.sumSq };
}

export interface MeanEstimate extends Interval {
  n: number;
  mean: number;
  /** Sample variance (n − 1); 0 when n < 2. */
  variance: number;
}

/** Mean and its two-sided t-interval (low = high = mean with fewer than two scores). */
export function meanEstimate(s: ScoreSums, confidence = 0.95): MeanEstimate {
  if (s.n === 0) return { n: 0, mean: NaN, variance: 0, low: NaN, high: NaN };
  const mean = s.sum / s.n;
  // Rounding can leave a tiny negative sum of squared deviations when every score is equal.
  const variance = s.n > 1 ? Math.max(0, (s.sumSq - s.sum * mean) / (s.n - 1)) : 0;
  if (s.n < 2) return { n: s.n, mean, variance, low: mean, high: mean };
  const half = tQuantile(1 - (1 - confidence) / 2, s.n - 1) * Math.sqrt(variance / s.n);
  return { n: s.n, mean, variance, low: mean - half, high: mean + half };
}

export interface MeanTest {
  /** a.mean − b.mean */
  diff: number;
  t: number;
  df: number;
  /** Two-sided p-value. */
  p: number;
  /** One-sided p-value for "a's mean is lower". */
  pLower: number;
}

/**
 * Welch's t-test of two means from their sums (unequal variances). Both sides need two scores;
 * identical constant sides give p = 1, different constant sides p = 0.
 * @example welchTest({ n: 50, sum: 30, sumSq: 30 }, { n: 200, sum: 160, sumSq: 160 }).pLower // < 0.01
 */
export function welchTest(a: ScoreSums, b: ScoreSums): MeanTest {
  const ea = meanEstimate(a);
  const eb = meanEstimate(b);
  const diff = ea.mean - eb.mean;
  if (a.n < 2 || b.n < 2) return { diff, t: 0, df: 0, p: 1, pLower: 0.5 };
  const va = ea.variance / a.n;
  const vb = eb.variance / b.n;
  const se = Math.sqrt(va + vb);
  if (se === 0) return diff === 0 ? { diff, t: 0, df: 0, p: 1, pLower: 0.5 } : { diff, t: Math.sign(diff) * Infinity, df: 0, p: 0, pLower: diff < 0 ? 0 : 1 };
  const t = diff / se;
  const df = (va + vb) ** 2 / ((va * va) / Math.max(1, a.n - 1) + (vb * vb) / Math.max(1, b.n - 1));
  const lower = tCdf(t, df);
  return { diff, t, df, p: Math.min(1, 2 * Math.min(lower, 1 - lower)), pLower: lower };
}
