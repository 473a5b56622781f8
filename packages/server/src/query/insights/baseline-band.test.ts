import { describe, expect, it } from 'vitest';
import { bucketIndex, emptyHistogram, histogramTotal, quantileFromHistogram } from '../../store/latency-sketch.js';
import { cdfFromHistogram, meanBand, quantileBand, rateBand } from './baseline-band.js';

function hist(values: number[]): number[] {
  const h = emptyHistogram();
  for (const v of values) h[bucketIndex(v)]!++;
  return h;
}

describe('baseline bands', () => {
  it('reads the same quantiles and band with a total given as without', () => {
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let k = 0; k < 200; k++) {
      // Sparse and dense histograms, some empty, some with the open last bucket.
      const h = emptyHistogram().map(() => (next() < 0.3 ? Math.floor(next() * 50) : 0));
      if (k % 7 === 0) h[63] = 5;
      const total = histogramTotal(h);
      for (const q of [0, 0.01, 0.5, 0.95, 0.99, 1, next()]) expect(quantileFromHistogram(h, q, total)).toBe(quantileFromHistogram(h, q));
      const current = emptyHistogram().map(() => Math.floor(next() * 20));
      expect(quantileBand(current, h, 0.95, 0.95, total)).toEqual(quantileBand(current, h, 0.95));
    }
  });

  it('puts a rate inside or above the pooled two-proportion band', () => {
    const same = rateBand(20, 1000, 200, 10_000);
    expect(same).toMatchObject({ expected: 0.02, status: 'inside', sigma: 0, method: 'two_proportion_z', p: 1 });
    const spike = rateBand(60, 1000, 200, 10_000);
    expect(spike.status).toBe('above');
    // Pooled p = 260 / 11000; z = 0.04 / √(p(1−p)(1/1000 + 1/10000)) = 7.939.
    expect(spike.sigma).toBeCloseTo(7.939, 3);
    expect(spike.high).toBeLessThan(0.06);
    expect(rateBand(1, 0, 2, 10).status).toBe('no_baseline');
  });

  it('flags a slower p95 against the baseline distribution (order statistics)', () => {
    const base = hist(Array.from({ length: 10_000 }, (_, i) => 100 + (i % 100)));
    const same = quantileBand(hist(Array.from({ length: 1000 }, (_, i) => 100 + (i % 100))), base, 0.95);
    expect(same.status).toBe('inside');
    const slow = quantileBand(hist(Array.from({ length: 1000 }, (_, i) => 300 + (i % 100))), base, 0.95);
    expect(slow.status).toBe('above');
    // No observed value lies below the baseline p95: sigma = (0.95 − 0) / √(0.95·0.05/1000).
    expect(slow.sigma).toBeCloseTo(0.95 / Math.sqrt(0.0475 / 1000), 6);
    expect(cdfFromHistogram(base, 1e6)).toBe(1);
    expect(cdfFromHistogram(base, 0)).toBe(0);
  });

  it('uses a t prediction interval over baseline buckets for means', () => {
    const b = meanBand(13, [9, 10, 11, 10, 10]);
    // m = 10, s = √0.5, spread = s·√(1.2); t(0.975, 4) = 2.776.
    expect(b.expected).toBe(10);
    expect(b.sigma).toBeCloseTo(3 / (Math.sqrt(0.5) * Math.sqrt(1.2)), 9);
    expect(b.high).toBeCloseTo(10 + 2.776445 * Math.sqrt(0.5) * Math.sqrt(1.2), 4);
    expect(b.status).toBe('above');
    expect(meanBand(1, [1, 1]).status).toBe('no_baseline');
  });
});
