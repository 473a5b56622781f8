import { describe, expect, it } from 'vitest';
import { periodAt } from './budget.js';
import { forecastBudget, hourOfDayProfile, type SpendBucket } from './budget-forecast.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Busy afternoons, quiet nights: mean exactly 1 over a day. */
const weight = (h: number) => 1 + 0.5 * Math.cos((2 * Math.PI * (h - 14)) / 24);

/** Hourly buckets from `from` to `to`, each costing weight(hour of day) × scale(day). */
function hourly(from: number, to: number, scale: (day: number) => number = () => 1): SpendBucket[] {
  const out: SpendBucket[] = [];
  for (let t = from; t < to; t += HOUR) out.push({ start: t, end: t + HOUR, cost: weight(new Date(t).getUTCHours()) * scale(Math.floor(t / DAY)) });
  return out;
}

describe('periodAt', () => {
  it('gives UTC calendar periods: the day, the ISO week from Monday, the month', () => {
    const at = Date.UTC(2026, 11, 5, 13, 30); // Saturday 5 Dec 2026
    expect(periodAt('day', at)).toEqual({ start: Date.UTC(2026, 11, 5), end: Date.UTC(2026, 11, 6) });
    expect(periodAt('week', at)).toEqual({ start: Date.UTC(2026, 10, 30), end: Date.UTC(2026, 11, 7) });
    expect(periodAt('week', Date.UTC(2026, 10, 30))).toEqual({ start: Date.UTC(2026, 10, 30), end: Date.UTC(2026, 11, 7) });
    expect(periodAt('month', at)).toEqual({ start: Date.UTC(2026, 11, 1), end: Date.UTC(2027, 0, 1) });
  });
});

describe('forecastBudget', () => {
  it('spreads the current rate by the hour-of-day profile, so a usual day is forecast to end where it does', () => {
    const now = Date.UTC(2026, 11, 8, 12);
    const buckets = hourly(now - 7.5 * DAY, now);
    const profile = hourOfDayProfile(buckets.filter((b) => b.end <= Date.UTC(2026, 11, 8)));
    expect(profile.map((p, h) => p - weight(h)).every((d) => Math.abs(d) < 1e-12)).toBe(true);
    const f = forecastBudget({ now, period: periodAt('day', now), amountUsd: 20, buckets, profile });
    // Morning hours are quiet: $9.67 by noon of a $24 day. A flat spread would say $9.67 + $12 = $21.67.
    expect([f.spent.toFixed(4), f.ratePerDay.toFixed(4), f.projected.toFixed(4), f.sigmaDay!.toFixed(6)]).toEqual(['9.6680', '24.0000', '24.0000', '0.000000']);
    expect([f.low.toFixed(4), f.high.toFixed(4)]).toEqual(['24.0000', '24.0000']);
    // Σ weight(0..19) = $20.73 ≥ $20: exhausted in the hour ending 20:00.
    expect(f.exhaustAt).toBe(Date.UTC(2026, 11, 8, 20));
    const flat = forecastBudget({ now, period: periodAt('day', now), amountUsd: 20, buckets, profile: new Array<number>(24).fill(1) });
    expect(flat.projected.toFixed(4)).toBe('21.6680');
  });

  it('is flat until three days of spend shape the profile', () => {
    const now = Date.UTC(2026, 11, 8);
    expect(hourOfDayProfile(hourly(now - 2 * DAY, now))).toEqual(new Array<number>(24).fill(1));
    expect(hourOfDayProfile(hourly(now - 3 * DAY, now))[14]).toBeCloseTo(1.5, 12);
  });

  it("bands the forecast by a day's spread around its trend: the rate's error on every day ahead, plus each day's own", () => {
    const now = Date.UTC(2026, 11, 8);
    const totals = [26, 22, 25, 23, 24, 26, 24]; // the last day first
    const buckets = totals.map((cost, k) => ({ start: now - (k + 1) * DAY, end: now - k * DAY, cost }));
    const f = forecastBudget({ now, period: periodAt('month', now), amountUsd: 700, buckets, profile: new Array<number>(24).fill(1) });
    // Spent $170 (1–7 Dec), $26 a day for 24 more days: $794. σ of the residuals of a line through
    // the 7 days is $1.6366; 80 % band ±1.2816 σ √(24² + 24).
    expect([f.spent, f.ratePerDay, f.projected.toFixed(2), f.sigmaDay!.toFixed(4), f.low.toFixed(2), f.high.toFixed(2)]).toEqual([170, 26, '794.00', '1.6366', '742.62', '845.38']);
    // $530 more at $26 a day is 20.38 days: in the hour ending 28 Dec 10:00.
    expect(f.exhaustAt).toBe(Date.UTC(2026, 11, 28, 10));
    expect(f.history.map((p) => [new Date(p.at).getUTCDate(), p.spent])).toEqual([[1, 0], [2, 24], [3, 50], [4, 74], [5, 97], [6, 122], [7, 144], [8, 170]]);
    expect(f.forecast.at(-1)).toMatchObject({ at: Date.UTC(2027, 0, 1) });
  });

  it('dates a crossing already made to the hour it happened, and widens the band to ±50 % of the rate without 4 days of history', () => {
    const now = Date.UTC(2026, 11, 3, 6);
    const buckets = [{ start: Date.UTC(2026, 11, 1), end: Date.UTC(2026, 11, 2), cost: 48 }, { start: Date.UTC(2026, 11, 2), end: Date.UTC(2026, 11, 3), cost: 24 }];
    const f = forecastBudget({ now, period: periodAt('month', now), amountUsd: 60, buckets, profile: new Array<number>(24).fill(1) });
    expect(f.spent).toBe(72);
    // $48 on 1 Dec, then $1 an hour: $60 at 12:00 on 2 Dec.
    expect(f.exhaustAt).toBe(Date.UTC(2026, 11, 2, 12));
    expect(f.sigmaDay).toBeNull();
    // Rate: 18 h of 2 Dec ($18) + 6 h of nothing = $18 a day; σ = $9 a day.
    expect(f.ratePerDay).toBe(18);
  });
});
