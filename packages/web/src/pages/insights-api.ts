// Reads of the insight engine (/api/insights/...) the pages share, typed after the server's
// replies (packages/server/src/query/insights/README.md). The dashboard shows these figures as
// the API gives them: nothing statistical is recomputed in the browser.

import { qs } from '../api/client';
import type { Point, Series } from '../api/types';
import type { Band, Marks } from '../components/time-chart';
import type { TimeRange } from '../state/time-range';
import { rangeParams } from '../state/time-range';
import { useApi, type Load } from '../state/use-api';

// ---- regressions -------------------------------------------------------------------------

export type BandStatus = 'inside' | 'above' | 'below' | 'no_baseline';

export interface ScoredPoint {
  bucket: number;
  value: number | null;
  count: number;
  expected: number | null;
  low: number | null;
  high: number | null;
  sigma: number | null;
  status: BandStatus;
  method?: string;
  p?: number | null;
}

export interface Regression {
  group: string;
  bucket: number;
  direction: 'up' | 'down';
  worse: boolean;
  value: number;
  expected: number;
  sigma: number;
  change: number | null;
  score: number;
  count: number;
}

export interface RegressionReport {
  metric: string;
  group_by: string;
  interval_ms: number;
  series: { group: string; points: ScoredPoint[] }[];
  regressions: Regression[];
}

export interface BandedSeries {
  group: string;
  series: Series[];
  band: Band;
  marks: Marks;
  outOfBand: number;
}

/** One group of a regression report as a chart: its line, the band (low/high), the out-of-band buckets. */
export function bandedSeries(report: RegressionReport, group: string): BandedSeries | null {
  const s = report.series.find((x) => x.group === group);
  if (!s) return null;
  const line: Point[] = s.points.map((p) => [p.bucket, p.value]);
  const at = (st: BandStatus): Point[] => s.points.map((p) => [p.bucket, p.status === st ? p.value : null]);
  const above = at('above');
  const below = at('below');
  return {
    group,
    series: [{ group, points: line }],
    band: { lower: s.points.map((p) => [p.bucket, p.low]), upper: s.points.map((p) => [p.bucket, p.high]) },
    marks: { above, below },
    outOfBand: s.points.filter((p) => p.status === 'above' || p.status === 'below').length,
  };
}

/** The group to show first: the worst regression's, else the group with the most spans. */
export function defaultGroup(report: RegressionReport): string | null {
  const worst = report.regressions.find((r) => r.worse) ?? report.regressions[0];
  if (worst) return worst.group;
  let best: string | null = null;
  let most = -1;
  for (const s of report.series) {
    const n = s.points.reduce((a, p) => a + p.count, 0);
    if (n > most) [best, most] = [s.group, n];
  }
  return best;
}

/**
 * Buckets of at least 5 minutes: the engine judges a bucket only from 20 spans, and 1-minute
 * buckets of one group are often thinner than that (no band at all).
 */
export function bandInterval(t: TimeRange): string {
  return t.intervalMs < 300_000 ? '5m' : t.interval;
}

export function regressionsUrl(metric: string, groupBy: string, t: TimeRange, agent: string | null): string {
  return `/api/insights/regressions${qs({ metric, group_by: groupBy, ...rangeParams(t), interval: bandInterval(t), agent, limit: 50 })}`;
}

export function useRegressions(metric: string, groupBy: string, t: TimeRange, agent: string | null, tick: number): Load<RegressionReport> {
  return useApi<RegressionReport>(regressionsUrl(metric, groupBy, t, agent), tick);
}

// ---- correlations ------------------------------------------------------------------------

export interface Anomaly {
  dimension: string;
  group: string;
  metric: string;
  buckets: number[];
  value: number;
  expected: number;
  sigma: number;
  p: number | null;
  peak_sigma: number;
  sentence: string;
}

export interface CorrelatedFinding {
  sentence: string;
  score: number;
  overlap: number;
  from: number;
  to: number;
  a: Anomaly;
  b: Anomaly;
}

export interface CorrelationReport {
  from: number;
  to: number;
  interval_ms: number;
  findings: CorrelatedFinding[];
  anomalies: Anomaly[];
}

// ---- paths -------------------------------------------------------------------------------

export interface PathStats {
  path: string;
  agents: string[];
  traces: number;
  share: number;
  cost_usd: number;
  mean_cost_usd: number;
  cost_share: number;
  p95_ms: number | null;
  error_rate: number;
  tokens: number;
  previous_cost_usd: number;
  cost_change: number | null;
}

export interface CostBreakdown {
  name: string;
  cost_usd: number;
  count: number;
  cost_per_unit: number;
}

export interface PathReport {
  from: number;
  to: number;
  previous: { from: number; to: number };
  total: { traces: number; cost_usd: number; error_traces: number };
  paths: PathStats[];
  by_decision: CostBreakdown[];
  by_agent: CostBreakdown[];
  by_model: CostBreakdown[];
}

// ---- cohorts -----------------------------------------------------------------------------

export interface Cohort {
  key: string;
  value: string;
  unit: 'trace' | 'span';
  agents: string[];
  n: number;
  errors: number;
  error_rate: number;
  error_rate_ci: [number, number];
  rest_n: number;
  rest_error_rate: number;
  lift: number | null;
  z: number;
  p: number;
  q: number;
  latency_avg_ms: number;
  latency_lift: number | null;
  cost_per_unit: number;
  cost_lift: number | null;
  confidence_avg: number | null;
  rest_confidence_avg: number | null;
}

export interface CohortReport {
  from: number;
  to: number;
  tested: number;
  failing: Cohort[];
  cohorts: Cohort[];
}

// ---- decisions ---------------------------------------------------------------------------

export interface DecisionStats {
  decision: string;
  count: number;
  share: number;
  baseline_share: number;
  confidence_avg: number | null;
  baseline_confidence_avg: number | null;
  confidence_trend_per_hour: number | null;
}

export interface AgentDistribution {
  agent: string;
  decisions: DecisionStats[];
  entropy_bits: number;
  baseline_entropy_bits: number | null;
  entropy_change_bits: number | null;
  series: { bucket: number; total: number; shares: Record<string, number>; entropy_bits: number }[];
}

export interface DecisionReport {
  interval_ms: number;
  lookback: { from: number; to: number };
  agents: AgentDistribution[];
  new_decisions: { agent: string; decision: string; first_seen: number; count: number }[];
  entropy_drops: { agent: string; baseline_bits: number; current_bits: number; change_bits: number; lowest: { bucket: number; bits: number } | null }[];
}

/** Entropy per agent over time, as chart series (buckets without decisions are gaps). */
export function entropySeries(report: DecisionReport): Series[] {
  return report.agents
    .map((a) => ({ group: a.agent, points: a.series.map((b): Point => [b.bucket, b.total > 0 ? b.entropy_bits : null]) }))
    .sort((a, b) => (a.group < b.group ? -1 : 1));
}
