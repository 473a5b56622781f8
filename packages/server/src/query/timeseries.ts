// Time series of one metric per bucket, optionally grouped, read from rollups only.

import type { Dimension } from '../model/span.js';
import type { SpanFilter } from '../store/store.js';
import type { SpanStore } from '../store/span-store.js';
import { addFigures, emptyFigures, type Figures } from '../store/figures.js';
import { metricValue, QUANTILE_METRICS, type Metric } from './aggregate.js';
import { HOUR, MINUTE } from './read-rollups.js';

export interface TimeseriesRequest {
  project: string;
  metric: Metric;
  from: number;
  to: number;
  intervalMs: number;
  groupBy: Dimension[];
  filter: SpanFilter;
}

export interface Series {
  /** Group values joined by " | "; "all" without grouping; "(none)" for a missing value. */
  group: string;
  points: [number, number | null][];
}

/** Metrics where an empty bucket means zero rather than "no value". */
const ZERO_WHEN_EMPTY = new Set<Metric>(['count', 'errors', 'cost', 'tokens', 'tokens_input', 'tokens_output']);

export const MAX_POINTS = 5_000;

export function groupLabel(values: (string | null)[]): string {
  return values.length === 0 ? 'all' : values.map((v) => v ?? '(none)').join(' | ');
}

export async function timeseries(store: SpanStore, req: TimeseriesRequest): Promise<Series[]> {
  const bucketMs = req.intervalMs;
  const from = Math.floor(req.from / bucketMs) * bucketMs;
  const rows = await store.rollup({
    project: req.project,
    from,
    to: req.to,
    bucketMs: bucketMs % HOUR === 0 ? bucketMs : Math.max(MINUTE, bucketMs),
    groupBy: req.groupBy,
    filter: req.filter,
    histogram: QUANTILE_METRICS.has(req.metric),
  });
  const byGroup = new Map<string, Map<number, Figures>>();
  for (const row of rows) {
    const label = groupLabel(row.group);
    let buckets = byGroup.get(label);
    if (!buckets) byGroup.set(label, (buckets = new Map()));
    const b = Math.floor(row.bucket / bucketMs) * bucketMs;
    let t = buckets.get(b);
    if (!t) buckets.set(b, (t = emptyFigures()));
    addFigures(t, row);
  }
  if (byGroup.size === 0 && req.groupBy.length === 0) byGroup.set('all', new Map());
  const zero = ZERO_WHEN_EMPTY.has(req.metric) ? 0 : null;
  const series: Series[] = [];
  for (const [group, buckets] of byGroup) {
    const points: [number, number | null][] = [];
    for (let b = from; b < req.to; b += bucketMs) {
      const t = buckets.get(b);
      points.push([b, t ? metricValue(req.metric, t) : zero]);
    }
    series.push({ group, points });
  }
  series.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  return series;
}
