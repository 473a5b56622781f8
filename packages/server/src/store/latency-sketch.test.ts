import { describe, expect, it } from 'vitest';
import { GROWTH, MAX_RELATIVE_ERROR, bucketBounds, bucketIndex, emptyHistogram, quantileFromHistogram } from './latency-sketch.js';
import { LATENCY_BUCKETS } from './latency-sketch.js';

describe('latency sketch', () => {
  it('places latencies in fixed log-spaced buckets', () => {
    expect(GROWTH).toBeCloseTo(1.2394, 4);
    expect(MAX_RELATIVE_ERROR).toBeCloseTo(0.2394, 4);
    expect([-5, Number.NaN, 0, 0.5, 0.999].map(bucketIndex)).toEqual([0, 0, 0, 0, 0]);
    expect(bucketIndex(1)).toBe(1);
    expect(bucketIndex(GROWTH)).toBe(2);
    expect(bucketIndex(GROWTH - 1e-9)).toBe(1);
    expect(bucketIndex(599_999.999)).toBe(62);
    expect(bucketIndex(600_000)).toBe(63);
    expect(bucketIndex(1e12)).toBe(63);
    expect(bucketBounds(0)).toEqual([0, 1]);
    expect(bucketBounds(63)).toEqual([expect.closeTo(600_000, 6), Infinity]);
    for (let i = 1; i < LATENCY_BUCKETS - 1; i++) {
      const [lo, hi] = bucketBounds(i);
      expect(bucketIndex(lo)).toBe(i);
      expect(bucketIndex((lo + hi) / 2)).toBe(i);
    }
  });

  it('interpolates inside the bucket holding the nearest-rank element', () => {
    const hist = emptyHistogram();
    expect(quantileFromHistogram(hist, 0.5)).toBeNull();
    hist[0] = 10;
    expect(quantileFromHistogram(hist, 0.5)).toBe(0.5);
    expect(quantileFromHistogram(hist, 1)).toBe(1);
    hist[1] = 10; // [1, GROWTH)
    expect(quantileFromHistogram(hist, 0.75)).toBeCloseTo(1 + (GROWTH - 1) / 2, 12);
    hist[63] = 5;
    expect(quantileFromHistogram(hist, 0.99)).toBeCloseTo(600_000, 6);
  });

  it('stays within the documented relative error on random data', () => {
    let seed = 42;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 20; run++) {
      const values = Array.from({ length: 2000 }, () => Math.exp(random() * Math.log(500_000)) + 1);
      const hist = emptyHistogram();
      for (const v of values) hist[bucketIndex(v)]!++;
      values.sort((a, b) => a - b);
      for (const q of [0.01, 0.5, 0.9, 0.95, 0.99, 1]) {
        const exact = values[Math.ceil(q * values.length) - 1]!;
        const estimate = quantileFromHistogram(hist, q)!;
        expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(MAX_RELATIVE_ERROR);
      }
    }
  });
});
