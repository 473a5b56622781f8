// Performance regression detection: each bucket of a metric per group against a baseline band
// (previous N buckets, or the same time of day over the previous days), and the out-of-band
// buckets ranked by significance × impact.

import type { Dimension } from '../../model/span.js';
import type { SpanFilter } from '../../store/store.js';
import type { SpanStore } from '../../store/span-store.js';
import { HOUR } from '../read-rollups.js';
import { groupTotals, scoreGroup, worseDirection, type BandMetric, type ScoredPoint } from './bucket-scores.js';

const DAY = 24 * HOUR;

export type BaselineSpec = { kind: 'previous'; buckets: number } | { kind: 'same_hour'; days: number };

export interface RegressionRequest {
  project: string;
  metric: BandMetric;
  groupBy: Dimension;
  from: number;
  to: number;
  intervalMs: number;
  baseline: BaselineSpec;
  filter: SpanFilter;
  /** Two-sided confidence of the band; default 0.95. */
  confidence?: number;
  /** A bucket is listed as a regression from this many standard errors; default 3. */
  minSigma?: number;
  /** Buckets with fewer spans are not judged; default 20. */
  minCount?: number;
  limit?: number;
}

export interface Regression {
  group: string;
  bucket: number;
  direction: 'up' | 'down';
  /** True when the move is in the metric's bad direction (slower, more errors, costlier, less confident). */
  worse: boolean;
  value: number;
  expected: number;
  sigma: number;
  /** value / expected − 1. */
  change: number | null;
  /** |sigma| × |change| (change capped at 10): ranks strong and large moves first. */
  score: number;
  count: number;
}

export interface RegressionReport {
  metric: BandMetric;
  group_by: Dimension;
  interval_ms: number;
  baseline: BaselineSpec;
  series: { group: string; points: ScoredPoint[] }[];
  regressions: Regression[];
}

function baselineSpan(spec: BaselineSpec, intervalMs: number): number {
  return spec.kind === 'previous' ? spec.buckets * intervalMs : spec.days * DAY;
}

export function baselineBuckets(spec: BaselineSpec, intervalMs: number): (bucket: number) => number[] {
  return spec.kind === 'previous'
    ? (b) => Array.from({ length: spec.buckets }, (_, i) => b - (i + 1) * intervalMs)
    : (b) => Array.from({ length: spec.days }, (_, i) => b - (i + 1) * DAY);
}

export async function detectRegressions(store: SpanStore, req: RegressionRequest): Promise<RegressionReport> {
  const { intervalMs } = req;
  const from = Math.floor(req.from / intervalMs) * intervalMs;
  const rows = await store.rollup({
    project: req.project,
    from: from - baselineSpan(req.baseline, intervalMs),
    to: req.to,
    bucketMs: intervalMs,
    groupBy: [req.groupBy],
    filter: req.filter,
    histogram: req.metric.startsWith('latency_p'),
  });
  const totals = groupTotals(rows, intervalMs);
  const buckets: number[] = [];
  for (let b = from; b < req.to; b += intervalMs) buckets.push(b);
  const opts = { confidence: req.confidence ?? 0.95, minCount: req.minCount ?? 20 };
  const minSigma = req.minSigma ?? 3;
  const baselineOf = baselineBuckets(req.baseline, intervalMs);
  const series: RegressionReport['series'] = [];
  const regressions: Regression[] = [];
  for (const [group, byBucket] of totals) {
    // Spans without a value for the dimension (e.g. tool calls have no model) are no group.
    if (group === '(none)' || !buckets.some((b) => byBucket.has(b))) continue;
    const points = scoreGroup(req.metric, byBucket, buckets, baselineOf, opts);
    series.push({ group, points });
    for (const p of points) {
      if (p.sigma === null || p.value === null || p.expected === null || Math.abs(p.sigma) < minSigma || p.status === 'inside') continue;
      const change = p.expected !== 0 ? p.value / p.expected - 1 : null;
      regressions.push({
        group,
        bucket: p.bucket,
        direction: p.value > p.expected ? 'up' : 'down',
        worse: (p.value > p.expected ? 'above' : 'below') === worseDirection(req.metric),
        value: p.value,
        expected: p.expected,
        sigma: p.sigma,
        change,
        score: Math.abs(p.sigma) * Math.min(10, Math.abs(change ?? 1)),
        count: p.count,
      });
    }
  }
  series.sort((a, b) => (a.group < b.group ? -1 : 1));
  regressions.sort((a, b) => Number(b.worse) - Number(a.worse) || b.score - a.score);
  return {
    metric: req.metric,
    group_by: req.groupBy,
    interval_ms: intervalMs,
    baseline: req.baseline,
    series,
    regressions: regressions.slice(0, req.limit ?? 50),
  };
}
