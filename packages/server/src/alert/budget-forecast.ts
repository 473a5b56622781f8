// Where a budget's spend is heading: the spend so far in the period, the current rate (the last
// 24 h, which holds every hour of the day once), spread over the rest of the period by the
// hour-of-day profile the rollups show (a fleet that spends by day spends little at night), and an
// 80 % band from how much a day's spend varies around its trend. Pure.

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The band is the 10th to 90th percentile of a normal spread. */
const Z80 = 1.2816;
/** Days of daily windows the band is estimated from. */
const BAND_DAYS = 7;

/** Spend of one stretch of time; buckets do not overlap and are hour-aligned (or day-aligned). */
export interface SpendBucket {
  start: number;
  end: number;
  cost: number;
}

export interface ForecastInput {
  now: number;
  period: { start: number; end: number };
  amountUsd: number;
  /** Spend from at least the period start (and ideally 7 days back) to now. */
  buckets: readonly SpendBucket[];
  /** Weight of each UTC hour of the day, mean 1 (flat: all 1). */
  profile: readonly number[];
}

export interface ForecastPoint {
  at: number;
  /** Cumulative spend of the period at `at` (forecast: the central value, then its band). */
  spent: number;
  low?: number;
  high?: number;
}

export interface BudgetForecast {
  spent: number;
  /** Spend of the last 24 h: the current rate, USD a day. */
  ratePerDay: number;
  /** Spend at the period's end at the current rate, and its 80 % band. */
  projected: number;
  low: number;
  high: number;
  /** σ of one day's spend around its trend (USD); null when under 4 days of history (band: ±50 % of the rate). */
  sigmaDay: number | null;
  /** When spend reaches the amount: in the past once crossed, else at the current rate; null when not before the period ends. */
  exhaustAt: number | null;
  /** The same for the band's high and low edges (earliest and latest). */
  exhaustEarliest: number | null;
  exhaustLatest: number | null;
  /** Cumulative spend so far and the forecast to the period's end, for the dashboard's chart. */
  history: ForecastPoint[];
  forecast: ForecastPoint[];
}

/** Sum of bucket costs over [from, to), pro rata where a bucket straddles an edge. */
export function spendBetween(buckets: readonly SpendBucket[], from: number, to: number): number {
  let sum = 0;
  for (const b of buckets) {
    const a = Math.max(b.start, from);
    const z = Math.min(b.end, to);
    if (z > a) sum += b.end > b.start ? (b.cost * (z - a)) / (b.end - b.start) : 0;
  }
  return sum;
}

/** ∫ profile over [from, to), in hours (a whole day is 24 with a mean-1 profile). */
export function weightBetween(profile: readonly number[], from: number, to: number): number {
  let w = 0;
  for (let h = Math.floor(from / HOUR) * HOUR; h < to; h += HOUR) {
    const overlap = Math.min(h + HOUR, to) - Math.max(h, from);
    if (overlap > 0) w += (profile[new Date(h).getUTCHours()] ?? 1) * (overlap / HOUR);
  }
  return w;
}

/**
 * Hour-of-day weights (mean 1) from hourly spend; flat until 3 days of it exist, so that one odd
 * day does not shape the forecast.
 */
export function hourOfDayProfile(hourly: readonly SpendBucket[]): number[] {
  const sums = new Array<number>(24).fill(0);
  const days = new Set<number>();
  for (const b of hourly) {
    sums[new Date(b.start).getUTCHours()]! += b.cost;
    if (b.cost > 0) days.add(Math.floor(b.start / DAY));
  }
  const total = sums.reduce((a, b) => a + b, 0);
  if (days.size < 3 || total <= 0) return new Array<number>(24).fill(1);
  return sums.map((s) => (s / total) * 24);
}

/** σ of daily spend around a straight line through the last BAND_DAYS 24-h windows (null under 4). */
function dailySigma(buckets: readonly SpendBucket[], now: number): number | null {
  const first = buckets.reduce((m, b) => Math.min(m, b.start), Infinity);
  const ys: number[] = [];
  for (let k = 0; k < BAND_DAYS && now - (k + 1) * DAY >= first; k++) ys.push(spendBetween(buckets, now - (k + 1) * DAY, now - k * DAY));
  const n = ys.length;
  if (n < 4) return null;
  const xs = ys.map((_, k) => -k);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const slope = sxy / sxx;
  const rss = ys.reduce((a, y, i) => a + (y - (my + slope * (xs[i]! - mx))) ** 2, 0);
  return Math.sqrt(rss / (n - 2));
}

/** The chart's step: hours for a daily budget, 6 h for a weekly one, days for a monthly one. */
const stepOf = (lengthMs: number) => (lengthMs <= DAY ? HOUR : lengthMs <= 7 * DAY ? 6 * HOUR : DAY);

/**
 * @example
 *   forecastBudget({ now, period: periodAt('month', now), amountUsd: 500, buckets, profile: hourOfDayProfile(hourly) })
 *   // → { spent: 212.4, ratePerDay: 24.1, projected: 621.3, exhaustAt: Date.UTC(2026, 11, 21, 14), … }
 */
export function forecastBudget(input: ForecastInput): BudgetForecast {
  const { now, period, amountUsd: amount, buckets, profile } = input;
  const spent = spendBetween(buckets, period.start, now);
  const ratePerDay = spendBetween(buckets, now - DAY, now);
  const perWeightedHour = ratePerDay / 24;
  const measured = dailySigma(buckets, now);
  const sigmaDay = measured ?? 0.5 * ratePerDay;
  // The rate comes from one day, so its error applies to every day ahead (d²), plus each day's own noise (d).
  const spread = (days: number) => Z80 * sigmaDay * Math.sqrt(days * days + days);

  let crossedAt: number | null = null;
  if (spent >= amount) {
    // When the period's spend reached the amount, to the hour (pro rata inside it).
    let cum = 0;
    for (const b of [...buckets].filter((x) => x.end > period.start && x.start < now).sort((a, c) => a.start - c.start)) {
      const part = spendBetween([b], period.start, now);
      if (cum + part >= amount) {
        const s = Math.max(b.start, period.start);
        crossedAt = s + (part > 0 ? ((amount - cum) / part) * (Math.min(b.end, now) - s) : 0);
        break;
      }
      cum += part;
    }
  }

  // Walk the rest of the period hour by hour: central value and band, and where each crosses.
  let exhaustAt = crossedAt;
  let exhaustEarliest = crossedAt;
  let exhaustLatest = crossedAt;
  const step = stepOf(period.end - period.start);
  const forecast: ForecastPoint[] = [{ at: now, spent, low: spent, high: spent }];
  let weight = 0;
  let t = now;
  let point = { spent, low: spent, high: spent };
  while (t < period.end) {
    const next = Math.min(Math.floor(t / HOUR) * HOUR + HOUR, period.end);
    weight += weightBetween(profile, t, next);
    const central = spent + perWeightedHour * weight;
    const d = weight / 24;
    point = { spent: central, low: Math.max(spent, central - spread(d)), high: central + spread(d) };
    const at = (edge: number) => (edge >= amount ? next : null);
    exhaustAt ??= at(point.spent);
    exhaustEarliest ??= at(point.high);
    exhaustLatest ??= at(point.low);
    t = next;
    if (t % step === 0 || t === period.end) forecast.push({ at: t, ...point });
  }

  const history: ForecastPoint[] = [];
  for (let at = period.start; at < now; at += step) history.push({ at, spent: spendBetween(buckets, period.start, at) });
  history.push({ at: now, spent });
  return { spent, ratePerDay, projected: point.spent, low: point.low, high: point.high, sigmaDay: measured, exhaustAt, exhaustEarliest, exhaustLatest, history, forecast };
}
