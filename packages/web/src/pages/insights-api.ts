// Reads of the insight engine (/api/insights/...) the pages share. Until a server has these
// endpoints they answer 404 and the panels say "not available" instead of failing.

import { qs } from '../api/client';
import type { Point } from '../api/types';
import type { Band } from '../components/time-chart';
import type { TimeRange } from '../state/time-range';
import { rangeParams } from '../state/time-range';
import { useApi } from '../state/use-api';

interface BaselineBucket {
  t?: number;
  bucket?: number;
  start?: number;
  lower?: number | null;
  upper?: number | null;
  band_low?: number | null;
  band_high?: number | null;
}

/** Pulls [t, lower] / [t, upper] out of a baseline reply, whichever of the likely field names it uses. */
export function bandFrom(reply: unknown): Band | null {
  const r = reply as { series?: { buckets?: BaselineBucket[] }[]; buckets?: BaselineBucket[] };
  const buckets = r.buckets ?? r.series?.[0]?.buckets;
  if (!Array.isArray(buckets) || buckets.length === 0) return null;
  const lower: Point[] = [];
  const upper: Point[] = [];
  for (const b of buckets) {
    const t = b.t ?? b.bucket ?? b.start;
    if (t === undefined) continue;
    lower.push([t, b.lower ?? b.band_low ?? null]);
    upper.push([t, b.upper ?? b.band_high ?? null]);
  }
  return { lower, upper };
}

export function useBaseline(metric: string, t: TimeRange, agent: string | null, tick: number): { status: 'loading' | 'ok' | 'unavailable' | 'error'; band: Band | null } {
  const load = useApi<unknown>(`/api/insights/baseline${qs({ metric, ...rangeParams(t), interval: t.interval, agent })}`, tick);
  if (load.status === 'ok') {
    const band = bandFrom(load.data);
    return { status: band ? 'ok' : 'unavailable', band };
  }
  return { status: load.status, band: null };
}
