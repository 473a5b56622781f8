// Correlated anomalies: the (dimension, group, metric) series that left their baseline band in
// the same buckets of a window, paired across dimensions and ranked, each pair written as one
// sentence with the size of both changes, e.g.
// "p95 latency of model gpt-4o +210 ms (3.4σ) while error rate of decision `refund` rose 2.1% → 17.3% (p<0.001), 14:05–14:20 UTC".

import type { Dimension } from '../../model/span.js';
import type { SpanStore } from '../../store/span-store.js';
import { mergeFigures, type Figures } from '../../store/figures.js';
import { metricValue, QUANTILE_METRICS } from '../aggregate.js';
import { MINUTE } from '../read-rollups.js';
import { bandFor, groupTotals, mergeBaseline, worseDirection, type BandMetric, type GroupedTotals } from './bucket-scores.js';
import { describeChange, describeWindow } from './sentences.js';
import type { Anomaly, CorrelatedFinding, CorrelationReport } from '@sightline/api';

// The reply's types are the API contract's (@sightline/api): one definition for server and dashboard.
export type { Anomaly, CorrelatedFinding, CorrelationReport };

export interface CorrelationRequest {
  project: string;
  from: number;
  to: number;
  intervalMs: number;
  /** Buckets right before `from` that form the baseline; default 12. */
  baselineBuckets?: number;
  dimensions?: Dimension[];
  metrics?: BandMetric[];
  minSigma?: number;
  minCount?: number;
  limit?: number;
}

export const DEFAULT_DIMENSIONS: Dimension[] = ['model', 'decision'];
export const DEFAULT_METRICS: BandMetric[] = ['error_rate', 'latency_p95', 'cost_per_call'];

function anomaliesOf(req: CorrelationRequest, dimension: Dimension, totals: GroupedTotals, from: number, baselineFrom: number): Anomaly[] {
  const { intervalMs } = req;
  const out: Anomaly[] = [];
  const minSigma = req.minSigma ?? 3;
  const minCount = req.minCount ?? 10;
  for (const [group, byBucket] of totals) {
    if (group === '(none)') continue;
    const baseline: (Figures | undefined)[] = [];
    for (let b = baselineFrom; b < from; b += intervalMs) baseline.push(byBucket.get(b));
    const merged = mergeBaseline(baseline);
    for (const metric of req.metrics ?? DEFAULT_METRICS) {
      const hits: number[] = [];
      let peak = 0;
      for (let b = from; b < req.to; b += intervalMs) {
        const t = byBucket.get(b);
        if (t === undefined || t.count < minCount) continue;
        const band = bandFor(metric, t, baseline, 0.95, merged);
        if (band.status === worseDirection(metric) && band.sigma !== null && Math.abs(band.sigma) >= minSigma) {
          hits.push(b);
          peak = Math.max(peak, Math.abs(band.sigma));
        }
      }
      if (hits.length === 0) continue;
      const pooled = mergeFigures(hits.map((b) => byBucket.get(b)));
      const band = bandFor(metric, pooled, baseline, 0.95, merged);
      const value = metricValue(metric, pooled);
      if (value === null || band.expected === null || band.sigma === null) continue;
      const anomaly = { dimension, group, metric, buckets: hits, value, expected: band.expected, sigma: band.sigma, p: band.p, peak_sigma: peak };
      out.push({ ...anomaly, sentence: describeChange(anomaly) });
    }
  }
  return out;
}

function jaccard(a: readonly number[], b: readonly number[]): number {
  const sa = new Set(a);
  const inter = b.filter((x) => sa.has(x)).length;
  return inter / (sa.size + b.length - inter);
}

/** Correlated anomalies from one single-dimension rollup read per dimension. */
export async function correlatedAnomalies(store: Pick<SpanStore, 'rollup'>, req: CorrelationRequest): Promise<CorrelationReport> {
  if (req.intervalMs % MINUTE !== 0) throw new RangeError('intervalMs must be whole minutes');
  const { intervalMs } = req;
  const from = Math.floor(req.from / intervalMs) * intervalMs;
  const baselineFrom = from - (req.baselineBuckets ?? 12) * intervalMs;
  const dims = req.dimensions ?? DEFAULT_DIMENSIONS;
  const metrics = req.metrics ?? DEFAULT_METRICS;
  // One read per dimension, side by side: a store can answer a single-dimension read from
  // per-dimension rollups (DuckDB's rollup_dim_5min), a few dozen rows a bucket.
  const histogram = metrics.some((m) => QUANTILE_METRICS.has(m));
  // Each dimension is scored as soon as its rows are back, while the store still reads the others.
  const perDimension = await Promise.all(
    dims.map(async (d) => {
      const rows = await store.rollup({ project: req.project, from: baselineFrom, to: req.to, bucketMs: intervalMs, groupBy: [d], filter: {}, histogram });
      return anomaliesOf(req, d, groupTotals(rows, intervalMs), from, baselineFrom);
    }),
  );
  const anomalies = perDimension.flat();
  anomalies.sort((a, b) => Math.abs(b.sigma) - Math.abs(a.sigma));
  const findings: CorrelatedFinding[] = [];
  for (let i = 0; i < anomalies.length; i++) {
    for (let j = i + 1; j < anomalies.length; j++) {
      const a = anomalies[i]!;
      const b = anomalies[j]!;
      if (a.dimension === b.dimension) continue;
      const overlap = jaccard(a.buckets, b.buckets);
      if (overlap < 0.5) continue;
      // Two different signals moving together say more than one signal seen through two dimensions.
      const score = overlap * Math.min(Math.abs(a.sigma), Math.abs(b.sigma)) * (a.metric === b.metric ? 0.5 : 1);
      const shared = a.buckets.filter((x) => b.buckets.includes(x));
      const start = Math.min(...shared);
      const end = Math.max(...shared) + intervalMs;
      findings.push({ sentence: `${a.sentence} while ${b.sentence}, ${describeWindow(start, end)}`, score, overlap, from: start, to: end, a, b });
    }
  }
  findings.sort((x, y) => y.score - x.score);
  return {
    from,
    to: req.to,
    interval_ms: intervalMs,
    baseline: { from: baselineFrom, to: from },
    findings: findings.slice(0, req.limit ?? 20),
    anomalies: anomalies.slice(0, 50),
  };
}
