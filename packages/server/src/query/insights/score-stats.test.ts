import { describe, expect, it } from 'vitest';
import { meanEstimate, welchTest, type ScoreSums } from './score-stats.js';

const sums = (xs: number[]): ScoreSums => ({ n: xs.length, sum: xs.reduce((s, x) => s + x, 0), sumSq: xs.reduce((s, x) => s + x * x, 0) });

describe('score statistics from sums', () => {
  it('gives the mean and the t-interval of the values the sums came from', () => {
    // mean 5, sample sd 2.138 (n = 8); t(0.975, 7) = 2.3646 → half width 1.7875
    const e = meanEstimate(sums([2, 4, 4, 4, 5, 5, 7, 9]));
    expect(e.n).toBe(8);
    expect(e.mean).toBe(5);
    expect(e.variance).toBeCloseTo(4.5714, 4);
    expect(e.low).toBeCloseTo(3.2125, 3);
    expect(e.high).toBeCloseTo(6.7875, 3);
  });

  it("tests two means with Welch's t (unequal variances)", () => {
    // Example 1 of Wikipedia's "Welch's t-test": t = −2.46, df = 24.99, p = 0.021.
    const a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const r = welchTest(sums(a), sums(b));
    expect(r.t).toBeCloseTo(-2.46, 2);
    expect(r.df).toBeCloseTo(24.99, 1);
    expect(r.p).toBeCloseTo(0.021, 3);
    expect(r.pLower).toBeCloseTo(0.0106, 3);
  });

  it('answers constant and tiny samples without NaN', () => {
    expect(welchTest(sums([1, 1, 1]), sums([1, 1]))).toEqual({ diff: 0, t: 0, df: 0, p: 1, pLower: 0.5 });
    expect(welchTest(sums([0, 0]), sums([1, 1]))).toEqual({ diff: -1, t: -Infinity, df: 0, p: 0, pLower: 0 });
    expect(welchTest(sums([1]), sums([1, 0]))).toEqual({ diff: 0.5, t: 0, df: 0, p: 1, pLower: 0.5 });
  });
});
