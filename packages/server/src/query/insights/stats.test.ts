import { describe, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  fisherExactGreater,
  entropyBits,
  normalCdf,
  normalQuantile,
  slope,
  tCdf,
  tInterval,
  tQuantile,
  twoProportionZTest,
  twoSidedP,
  wilsonInterval,
} from './stats.js';

describe('normal distribution', () => {
  it('matches the standard normal table', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1)).toBeCloseTo(0.8413447, 6);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021, 6);
    expect(normalCdf(-2.326)).toBeCloseTo(0.0100, 4);
    expect(normalCdf(3)).toBeCloseTo(0.9986501, 6);
  });
  it('gives two-sided p-values from published tables', () => {
    expect(twoSidedP(1.96)).toBeCloseTo(0.05, 4);
    expect(twoSidedP(2.5758)).toBeCloseTo(0.01, 4);
    expect(twoSidedP(3.2905)).toBeCloseTo(0.001, 5);
    // Far tail keeps relative precision: p(z = 6) = 1.973e-9.
    expect(twoSidedP(6) / 1.973e-9).toBeCloseTo(1, 2);
  });
  it('inverts the CDF', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 6);
    expect(normalQuantile(0.05)).toBeCloseTo(-1.644854, 6);
  });
});

describe('Student t', () => {
  it('matches the two-sided 95% critical values of the t table', () => {
    const table: [number, number][] = [[1, 12.706], [2, 4.303], [3, 3.182], [5, 2.571], [10, 2.228], [30, 2.042], [120, 1.98]];
    for (const [df, t] of table) expect(tQuantile(0.975, df)).toBeCloseTo(t, 3);
    expect(tQuantile(0.995, 10)).toBeCloseTo(3.169, 3);
    expect(tCdf(2.228, 10)).toBeCloseTo(0.975, 4);
  });
  it('builds a t-interval for a mean', () => {
    // Mean 5, sd √2.5 of 1..9 step 2; half-width t(0.975, 4) · sd / √5.
    const ci = tInterval([1, 3, 5, 7, 9]);
    expect(ci.mean).toBe(5);
    expect(ci.sd).toBeCloseTo(Math.sqrt(10), 12);
    expect(ci.high - ci.mean).toBeCloseTo((2.776445 * Math.sqrt(10)) / Math.sqrt(5), 4);
  });
});

describe('Wilson score interval', () => {
  it('matches Newcombe (1998), Table I, method 3', () => {
    const cases: [number, number, number, number][] = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [x, n, low, high] of cases) {
      const ci = wilsonInterval(x, n);
      expect(ci.low).toBeCloseTo(low, 4);
      expect(ci.high).toBeCloseTo(high, 4);
    }
  });
});

describe('two-proportion z-test', () => {
  it('gives the pooled z and its p-values', () => {
    // p1 = 0.30, p2 = 0.15, pooled 0.225: z = 0.15 / √(0.225 · 0.775 · 0.02) = 2.5400.
    const t = twoProportionZTest(30, 100, 15, 100);
    expect(t.z).toBeCloseTo(2.54, 4);
    // Normal table: Φ(2.54) = 0.99446.
    expect(t.p).toBeCloseTo(0.01108, 4);
    expect(t.pGreater).toBeCloseTo(0.00554, 4);
    // z² equals Pearson's χ² of the 2×2 table [[30, 70], [15, 85]]: (30·85 − 70·15)² · 200 / (100·100·45·155) = 6.4516.
    expect(t.z * t.z).toBeCloseTo(6.4516, 3);
    expect(twoProportionZTest(0, 10, 0, 10)).toEqual({ z: 0, p: 1, pGreater: 0.5 });
  });
});

describe('Fisher exact test', () => {
  it("matches Fisher's tea-tasting table and a textbook 2×2 table", () => {
    expect(fisherExactGreater(3, 4, 1, 4)).toBeCloseTo(17 / 70, 12);
    expect(fisherExactGreater(4, 4, 0, 4)).toBeCloseTo(1 / 70, 12);
    // [[10, 2], [3, 15]]: Σ_{k≥10} C(13,k)·C(17,12−k) / C(30,12) = 4.6518e-4 (exact integer arithmetic).
    expect(fisherExactGreater(10, 12, 3, 18) / 4.6518094e-4).toBeCloseTo(1, 6);
    expect(fisherExactGreater(0, 10, 5, 10)).toBeCloseTo(1, 12);
  });

  it('equals the exact hypergeometric tail computed with integers, on both sides of the mode', () => {
    const choose = (n: number, k: number): bigint => {
      let r = 1n;
      for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
      return r;
    };
    const exact = (x1: number, n1: number, x2: number, n2: number): number => {
      let num = 0n;
      for (let k = x1; k <= Math.min(x1 + x2, n1); k++) num += choose(x1 + x2, k) * choose(n1 + n2 - x1 - x2, n1 - k);
      const den = choose(n1 + n2, n1);
      // 15 significant digits of the ratio of two big integers.
      const scale = 10n ** 15n;
      return Number((num * scale) / den) / 1e15;
    };
    for (const [x1, n1, x2, n2] of [[3, 40, 9, 400], [12, 40, 9, 400], [0, 7, 3, 9], [50, 300, 40, 300], [31, 300, 60, 300], [7, 7, 0, 1]] as const) {
      expect(fisherExactGreater(x1, n1, x2, n2)).toBeCloseTo(exact(x1, n1, x2, n2), 12);
    }
  });

  it('gives complementary tails that sum to one for cohorts of 10^5 spans', () => {
    // P(X1 ≥ x1) + P(X1 ≤ x1 − 1) = 1, and X1 ≤ x1 − 1 is X2 ≥ x2 + 1 with the groups swapped.
    for (const [x1, n1, x2, n2] of [[5_100, 100_000, 4_900, 100_000], [1_300, 60_000, 2_000, 140_000], [40, 2_000, 9_960, 198_000]] as const) {
      const upper = fisherExactGreater(x1, n1, x2, n2);
      const lower = fisherExactGreater(x2 + 1, n2, x1 - 1, n1);
      expect(upper + lower).toBeCloseTo(1, 10);
    }
    // 5,100 errors in 100k against 4,900 in 100k: z ≈ 2.04, so a one-sided p near 0.021.
    expect(fisherExactGreater(5_100, 100_000, 4_900, 100_000)).toBeGreaterThan(0.015);
    expect(fisherExactGreater(5_100, 100_000, 4_900, 100_000)).toBeLessThan(0.025);
  });
});

describe('Benjamini–Hochberg', () => {
  it('rejects the four hypotheses of the example in Benjamini & Hochberg (1995) at q = 0.05', () => {
    const p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719, 0.6528, 0.759, 1];
    const adjusted = benjaminiHochberg(p);
    expect(adjusted.filter((q) => q <= 0.05)).toHaveLength(4);
    expect(adjusted[0]).toBeCloseTo(0.0015, 10);
    expect(adjusted[3]).toBeCloseTo(0.035625, 10);
    expect(adjusted[14]).toBe(1);
    // Order of the input does not matter.
    expect(benjaminiHochberg([...p].reverse())).toEqual([...adjusted].reverse());
  });
});

describe('entropy and slope', () => {
  it('computes Shannon entropy in bits', () => {
    expect(entropyBits([1, 1])).toBe(1);
    expect(entropyBits([5, 5, 5, 5])).toBe(2);
    expect(entropyBits([7, 0])).toBe(0);
  });
  it('fits a least-squares slope', () => {
    expect(slope([0, 1, 2, 3], [1, 3, 5, 7])).toBe(2);
    expect(slope([1], [1])).toBeNull();
  });
});
