// Mergeable latency histogram: 64 fixed log-spaced buckets, summed element-wise across rollup rows,
// so p50/p95/p99 over any time range come from pre-aggregated counts instead of raw spans.
//
// Bucket 0 is [0, 1 ms); buckets 1..62 are geometric from 1 ms to LATENCY_SKETCH_MAX_MS (10 min),
// each GROWTH times wider than the one before; bucket 63 is [10 min, ∞).
//
// Worst-case error of quantileFromHistogram: the estimate and the exact (nearest-rank) quantile
// always fall in the same bucket, so for values in [1 ms, 10 min) the relative error is at most
// GROWTH - 1 (≈ 23.9 %), under 1 ms the absolute error is under 1 ms, and at or above 10 min
// the estimate is 10 min (a lower bound). Interpolating inside the bucket usually does far better.

/** Number of buckets in the mergeable latency histogram. */
export const LATENCY_BUCKETS = 64;

/** Upper edge of the last bounded bucket; slower spans all land in the open-ended last bucket. */
export const LATENCY_SKETCH_MAX_MS = 600_000;

const GEOMETRIC_BUCKETS = LATENCY_BUCKETS - 2;
/** Ratio between consecutive bucket edges. */
export const GROWTH = Math.pow(LATENCY_SKETCH_MAX_MS, 1 / GEOMETRIC_BUCKETS);
/** Documented worst-case relative error of a quantile for values in [1 ms, 10 min). */
export const MAX_RELATIVE_ERROR = GROWTH - 1;

const LOG_GROWTH = Math.log(GROWTH);

/** Lower edges: EDGES[i] is where bucket i starts; EDGES[LATENCY_BUCKETS] is Infinity. */
const EDGES: number[] = [0];
for (let i = 1; i < LATENCY_BUCKETS; i++) EDGES.push(Math.pow(GROWTH, i - 1));
EDGES.push(Infinity);

/** Lower edge of bucket i (Infinity past the last bucket: the last bucket's upper edge). */
export function bucketLower(i: number): number {
  return EDGES[i] ?? Infinity;
}

/** Lower and upper edge of bucket i (upper is Infinity for the last bucket). */
export function bucketBounds(i: number): [number, number] {
  return [bucketLower(i), bucketLower(i + 1)];
}

/**
 * The bucket a latency falls in. Negative and NaN latencies count as 0.
 * @example bucketIndex(0.5) === 0; bucketIndex(1) === 1; bucketIndex(3_600_000) === 63
 */
export function bucketIndex(ms: number): number {
  if (!(ms >= 1)) return 0;
  if (ms >= LATENCY_SKETCH_MAX_MS) return LATENCY_BUCKETS - 1;
  let i = 1 + Math.floor(Math.log(ms) / LOG_GROWTH);
  // Floating-point log can land one bucket off right at an edge; the edge table is the truth.
  if (ms < EDGES[i]!) i--;
  else if (ms >= EDGES[i + 1]!) i++;
  return Math.min(Math.max(i, 1), LATENCY_BUCKETS - 2);
}

/** An all-zero histogram. */
export function emptyHistogram(): number[] {
  return new Array<number>(LATENCY_BUCKETS).fill(0);
}

/** The number of values in a histogram. */
export function histogramTotal(hist: readonly number[]): number {
  let total = 0;
  for (const c of hist) total += c;
  return total;
}

/**
 * Estimates the q-quantile (0..1) from bucket counts, interpolating linearly inside the bucket that
 * holds the nearest-rank element. Returns null for an empty histogram. `total`, when the caller
 * already has it (several quantiles of one histogram), is histogramTotal(hist).
 * @example quantileFromHistogram(hist, 0.95)
 */
export function quantileFromHistogram(hist: readonly number[], q: number, total = histogramTotal(hist)): number | null {
  if (total === 0) return null;
  const rank = Math.min(Math.max(q, 0), 1) * total;
  let cumulative = 0;
  for (let i = 0; i < hist.length; i++) {
    const count = hist[i] ?? 0;
    if (count === 0) continue;
    if (cumulative + count >= rank) {
      const [lower, upper] = bucketBounds(i);
      if (upper === Infinity) return lower;
      return lower + ((upper - lower) * Math.max(rank - cumulative, 0)) / count;
    }
    cumulative += count;
  }
  return bucketBounds(hist.length - 1)[0];
}
