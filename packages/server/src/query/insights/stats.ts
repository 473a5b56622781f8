// Small, dependency-free statistics for the insight engine: normal and Student-t distributions,
// Wilson score intervals, the two-proportion z-test and Benjamini–Hochberg adjustment.
// Each is checked against published table values in stats.test.ts.

/** Complementary error function, fractional error < 1.2e-7 everywhere (Numerical Recipes' erfcc). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF Φ(z). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Upper tail 1 − Φ(z), accurate far into the tail (no cancellation). */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Two-sided p-value of a z statistic. */
export function twoSidedP(z: number): number {
  return Math.min(1, 2 * normalSf(Math.abs(z)));
}

/** Inverse standard normal CDF (Acklam's algorithm, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

export function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9).
  const g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let s = g[0]!;
  for (let i = 1; i < 9; i++) s += g[i]! / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Continued fraction for the regularized incomplete beta (Numerical Recipes' betacf). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-14) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Student-t CDF with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** tQuantile answers by p and df: a band asks the same few (0.975 with its baseline's df) for every bucket. */
const T_QUANTILES = new Map<string, number>();
const MAX_T_QUANTILES = 4_096;

/**
 * Student-t quantile by bisection on tCdf (~100 incomplete-beta evaluations, so answers are kept).
 * @example tQuantile(0.975, 10) // 2.228
 */
export function tQuantile(p: number, df: number): number {
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  const key = `${p} ${df}`;
  let q = T_QUANTILES.get(key);
  if (q === undefined) {
    if (T_QUANTILES.size >= MAX_T_QUANTILES) T_QUANTILES.clear();
    T_QUANTILES.set(key, (q = bisectTQuantile(p, df)));
  }
  return q;
}

function bisectTQuantile(p: number, df: number): number {
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 100 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface Interval {
  low: number;
  high: number;
}

/**
 * Wilson score interval for a proportion of `successes` out of `n` at two-sided `confidence`.
 * @example wilsonInterval(81, 263) // { low: 0.2553, high: 0.3662 } (Newcombe 1998)
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): Interval {
  if (n <= 0) return { low: 0, high: 1 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + z2n);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface ZTest {
  z: number;
  /** Two-sided p-value. */
  p: number;
  /** One-sided p-value for "the first proportion is greater". */
  pGreater: number;
}

/**
 * Pooled two-proportion z-test of x1/n1 against x2/n2.
 * @example twoProportionZTest(30, 100, 15, 100).z // 2.540
 */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): ZTest {
  if (n1 <= 0 || n2 <= 0) return { z: 0, p: 1, pGreater: 0.5 };
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const diff = x1 / n1 - x2 / n2;
  if (se === 0) return diff === 0 ? { z: 0, p: 1, pGreater: 0.5 } : { z: Math.sign(diff) * Infinity, p: 0, pGreater: diff > 0 ? 0 : 1 };
  const z = diff / se;
  return { z, p: twoSidedP(z), pGreater: normalSf(z) };
}

/**
 * Benjamini–Hochberg adjusted p-values (q-values), in the input order: reject H_i at FDR q when
 * adjusted[i] ≤ q.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const [p, i] = order[k]!;
    running = Math.min(running, (p * m) / (k + 1));
    adjusted[i] = running;
  }
  return adjusted;
}

export interface MeanSummary {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 when n < 2. */
  sd: number;
}

export function summarize(xs: readonly number[]): MeanSummary {
  const n = xs.length;
  if (n === 0) return { n: 0, mean: NaN, sd: 0 };
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const ss = xs.reduce((s, x) => s + (x - mean) * (x - mean), 0);
  return { n, mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0 };
}

/** t-interval for the mean of `xs`. */
export function tInterval(xs: readonly number[], confidence = 0.95): Interval & MeanSummary {
  const s = summarize(xs);
  if (s.n < 2) return { ...s, low: s.mean, high: s.mean };
  const half = tQuantile(1 - (1 - confidence) / 2, s.n - 1) * (s.sd / Math.sqrt(s.n));
  return { ...s, low: s.mean - half, high: s.mean + half };
}

/** Least-squares slope of ys against xs; null with fewer than two distinct xs. */
export function slope(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  if (n < 2) return null;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  return sxx === 0 ? null : sxy / sxx;
}

/** Shannon entropy in bits of counts (zeros ignored). */
export function entropyBits(counts: Iterable<number>): number {
  let total = 0;
  const cs: number[] = [];
  for (const c of counts) if (c > 0) { cs.push(c); total += c; }
  let h = 0;
  for (const c of cs) h -= (c / total) * Math.log2(c / total);
  return h === 0 ? 0 : h;
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * One-sided Fisher exact test that x1/n1 is greater than x2/n2: the hypergeometric probability of
 * at least x1 successes in the first group given the table's margins. Valid for small counts,
 * where the z-test's normal approximation overstates significance.
 * @example fisherExactGreater(3, 4, 1, 4) // 0.2429 (Fisher's tea-tasting table: 17/70)
 */
export function fisherExactGreater(x1: number, n1: number, x2: number, n2: number): number {
  const successes = x1 + x2;
  const total = n1 + n2;
  const lo = Math.max(0, n1 - (total - successes));
  const hi = Math.min(successes, n1);
  if (x1 <= lo) return 1;
  if (x1 > hi) return 0;
  const denominator = logChoose(total, n1);
  const pmf = (k: number) => Math.exp(logChoose(successes, k) + logChoose(total - successes, n1 - k) - denominator);
  // Terms shrink away from the mode, so each tail is summed from its mode side by the ratio of
  // neighbouring terms and stops once they no longer change the sum (cohorts of 10^5 spans
  // would otherwise cost 10^5 log-gamma evaluations each).
  const mode = Math.floor(((n1 + 1) * (successes + 1)) / (total + 2));
  const down = (k: number) => (k * (total - successes - n1 + k)) / ((successes - k + 1) * (n1 - k + 1));
  const up = (k: number) => ((successes - k) * (n1 - k)) / ((k + 1) * (total - successes - n1 + k + 1));
  let sum = 0;
  if (x1 <= mode) {
    // P(X ≥ x1) = 1 − P(X ≤ x1 − 1), the lower tail summed downwards from x1 − 1.
    for (let k = x1 - 1, term = pmf(k); k >= lo && term > 0; k--) {
      sum += term;
      if (term < sum * 1e-17) break;
      term *= down(k);
    }
    return Math.min(1, Math.max(0, 1 - sum));
  }
  for (let k = x1, term = pmf(k); k <= hi && term > 0; k++) {
    sum += term;
    if (term < sum * 1e-17) break;
    term *= up(k);
  }
  return Math.min(1, sum);
}
