// A bounded time series for a tool answer: at most MAX_POINTS points per series (the interval is
// chosen from the range) and the largest series first, each with its min, max and last value.

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Metric } from '../../query/aggregate.js';
import type { Series } from '../../query/timeseries.js';
import { formatInterval, formatMetric, formatPct, formatTime, METRIC_LABEL } from '@sightline/api';
import { listingAnswer } from './answer.js';

export const MAX_POINTS = 60;
const MINUTE = 60_000;
const DAY = 86_400_000;

/** Whole minutes, so that `rangeMs` gives at most MAX_POINTS points; null past 60 days (daily points). */
export function boundedInterval(rangeMs: number): number | null {
  const ms = Math.max(MINUTE, Math.ceil(rangeMs / MAX_POINTS / MINUTE) * MINUTE);
  return ms > DAY ? null : ms;
}

/** A point's value in few characters; the header names the unit. */
function compact(metric: Metric, v: number | null): string {
  if (v === null) return '–';
  if (metric === 'error_rate') return formatPct(v);
  if (metric === 'cost' || metric === 'cost_per_call') return String(Number(v.toPrecision(3)));
  if (metric === 'confidence_avg') return v.toFixed(2);
  return Math.round(v).toLocaleString('en-US');
}

export function seriesAnswer(series: Series[], metric: Metric, from: number, to: number, intervalMs: number): CallToolResult {
  const clock = (t: number) => (to - from <= DAY ? new Date(t).toISOString().slice(11, 16) : new Date(t).toISOString().slice(5, 16).replace('T', ' '));
  const total = (s: Series) => s.points.reduce((a, [, v]) => a + (v ?? 0), 0);
  const ordered = [...series].sort((a, b) => total(b) - total(a));
  return listingAnswer({
    head: [
      `${METRIC_LABEL[metric]} per ${formatInterval(intervalMs)}, ${formatTime(from)} – ${formatTime(to)} (times UTC${metric === 'error_rate' ? '' : ', values in the unit named'}):`,
      ...(series.length === 0 ? ['No data in this range.'] : []),
    ],
    items: ordered.map((s) => {
      const known = s.points.filter((p): p is [number, number] => p[1] !== null);
      const max = known.reduce<[number, number] | null>((m, p) => (m === null || p[1] > m[1] ? p : m), null);
      const min = known.reduce<number | null>((m, p) => (m === null || p[1] < m ? p[1] : m), null);
      const last = known[known.length - 1];
      return {
        lines: [
          `- ${s.group}: min ${formatMetric(metric, min)}, max ${formatMetric(metric, max?.[1])}${max ? ` at ${clock(max[0])}` : ''}, last ${formatMetric(metric, last?.[1])}`,
          `  ${s.points.map(([t, v]) => `${clock(t)} ${compact(metric, v)}`).join(' · ')}`,
        ],
        data: s,
      };
    }),
    noun: 'series',
    narrow: 'filter by agent, model or decision, or group by a dimension with fewer values',
    key: 'series',
    structured: { metric, from, to, interval_ms: intervalMs },
  });
}
