// The global time range: a relative window (range=1h, follows now and updates live) or a fixed
// from/to. Also picks a bucket interval that gives a readable number of points.

import type { Route } from './route';

export const RANGES = [
  { value: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '6h', label: 'Last 6 hours', ms: 6 * 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
] as const;

const INTERVALS = [
  ['1m', 60_000],
  ['5m', 300_000],
  ['15m', 900_000],
  ['1h', 3_600_000],
  ['6h', 21_600_000],
  ['1d', 86_400_000],
] as const;

export interface TimeRange {
  /** true for "last N": the window follows the clock and pages update live. */
  relative: boolean;
  range: string | null;
  from: number;
  to: number;
  interval: string;
  intervalMs: number;
  label: string;
}

export function pickInterval(spanMs: number, maxPoints = 180): { interval: string; intervalMs: number } {
  for (const [interval, ms] of INTERVALS) if (spanMs / ms <= maxPoints) return { interval, intervalMs: ms };
  return { interval: '1d', intervalMs: 86_400_000 };
}

export function timeRange(route: Route, now = Date.now()): TimeRange {
  const from = Number(route.params.get('from'));
  const to = Number(route.params.get('to'));
  if (from > 0 && to > from) {
    return { relative: false, range: null, from, to, ...pickInterval(to - from), label: `${fmtStamp(from)} – ${fmtStamp(to)}` };
  }
  const r = RANGES.find((x) => x.value === route.params.get('range')) ?? RANGES[1];
  return { relative: true, range: r.value, from: now - r.ms, to: now, ...pickInterval(r.ms), label: r.label };
}

/** Query parameters for the API: range=… for relative windows, from/to for fixed ones. */
export function rangeParams(t: TimeRange): Record<string, string> {
  return t.relative ? { range: t.range! } : { from: String(t.from), to: String(t.to) };
}

function fmtStamp(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
