// Baseline bands: the range a bucket's value is expected in, given a trailing baseline, and how
// many standard errors the observed value lies from it. One method per kind of metric:
// rates → two-proportion z-test, quantiles → order-statistic band, means → t prediction interval.

import { bucketLower, histogramTotal, quantileFromHistogram } from '../../store/latency-sketch.js';
import { normalQuantile, tQuantile, twoProportionZTest } from './stats.js';

export type BandMethod = 'two_proportion_z' | 'order_statistic' | 't_prediction';
export type BandStatus = 'inside' | 'above' | 'below' | 'no_baseline';

export interface Band {
  expected: number | null;
  low: number | null;
  high: number | null;
  /** Signed distance from the expected value in standard errors. */
  sigma: number | null;
  status: BandStatus;
  method: BandMethod;
  /** Two-sided p-value where the method gives one (rates). */
  p: number | null;
}

const none = (method: BandMethod): Band => ({ expected: null, low: null, high: null, sigma: null, status: 'no_baseline', method, p: null });

function status(value: number, low: number, high: number): BandStatus {
  return value > high ? 'above' : value < low ? 'below' : 'inside';
}

const zOf = (confidence: number) => normalQuantile(1 - (1 - confidence) / 2);

/**
 * Error rate x/n against the pooled baseline rate: band p0 ± z·SE with the pooled standard error of
 * the two-proportion z-test, sigma its z statistic.
 */
export function rateBand(x: number, n: number, baseX: number, baseN: number, confidence = 0.95): Band {
  if (baseN <= 0 || n <= 0) return none('two_proportion_z');
  const p0 = baseX / baseN;
  const pooled = (x + baseX) / (n + baseN);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / baseN));
  const half = zOf(confidence) * se;
  const test = twoProportionZTest(x, n, baseX, baseN);
  const low = Math.max(0, p0 - half);
  const high = Math.min(1, p0 + half);
  return { expected: p0, low, high, sigma: Number.isFinite(test.z) ? test.z : null, status: status(x / n, low, high), method: 'two_proportion_z', p: test.p };
}

/** Fraction of a histogram's mass below x, interpolating linearly inside x's bucket. */
export function cdfFromHistogram(hist: readonly number[], x: number, total = histogramTotal(hist)): number {
  if (total === 0) return NaN;
  let below = 0;
  for (let i = 0; i < hist.length; i++) {
    const lo = bucketLower(i);
    const hi = bucketLower(i + 1);
    const c = hist[i] ?? 0;
    if (x >= hi) {
      below += c;
      continue;
    }
    if (x > lo && hi !== Infinity) below += (c * (x - lo)) / (hi - lo);
    break;
  }
  return below / total;
}

/**
 * Quantile q of the current histogram against the baseline histogram (`baseTotal`: its total, for
 * callers that score many buckets against one baseline). If the bucket's n values came
 * from the baseline distribution F, their sample q-quantile would lie between F⁻¹(q ∓ z·√(q(1−q)/n))
 * (order-statistic interval). Sigma is the score statistic of the quantile (sign) test: the share
 * of current values below the baseline's q-quantile, against q, in units of √(q(1−q)/n).
 */
export function quantileBand(hist: readonly number[], baseHist: readonly number[], q: number, confidence = 0.95, baseTotal = histogramTotal(baseHist)): Band {
  const n = histogramTotal(hist);
  const value = quantileFromHistogram(hist, q, n);
  const expected = quantileFromHistogram(baseHist, q, baseTotal);
  if (n === 0 || value === null || expected === null) return none('order_statistic');
  const se = Math.sqrt((q * (1 - q)) / n);
  const half = zOf(confidence) * se;
  const low = quantileFromHistogram(baseHist, Math.max(0, q - half), baseTotal)!;
  const high = quantileFromHistogram(baseHist, Math.min(1, q + half), baseTotal)!;
  const sigma = (q - cdfFromHistogram(hist, expected, n)) / se;
  return { expected, low, high, sigma, status: status(value, low, high), method: 'order_statistic', p: null };
}

/**
 * A mean-like value against the same metric in k baseline buckets: the t prediction interval
 * m ± t(k−1)·s·√(1 + 1/k). Needs at least 3 baseline buckets.
 */
export function meanBand(value: number, baseline: readonly number[], confidence = 0.95): Band {
  const k = baseline.length;
  if (k < 3) return none('t_prediction');
  const m = baseline.reduce((s, x) => s + x, 0) / k;
  const sd = Math.sqrt(baseline.reduce((s, x) => s + (x - m) ** 2, 0) / (k - 1));
  // A perfectly flat baseline would make any change infinitely significant; floor the spread.
  const spread = Math.max(sd, Math.abs(m) * 1e-3, 1e-12) * Math.sqrt(1 + 1 / k);
  const half = tQuantile(1 - (1 - confidence) / 2, k - 1) * spread;
  // Every metric banded this way (cost, tokens, latency, confidence) is ≥ 0: an expected range
  // reaching below zero would read as "−$0.002 – $0.010".
  const low = Math.max(0, m - half);
  return { expected: m, low, high: m + half, sigma: (value - m) / spread, status: status(value, low, m + half), method: 't_prediction', p: null };
}
