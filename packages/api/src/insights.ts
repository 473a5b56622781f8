// Replies of the insight engine (GET /api/insights/…): packages/server/src/http/routes/insights.ts
// answers them from packages/server/src/query/insights (its README says how each figure is made).

import type { Covered } from './query.js';
import type { Dimension } from './span.js';

/** Metrics with a baseline band. */
export const BAND_METRICS = ['error_rate', 'latency_p50', 'latency_p95', 'latency_p99', 'latency_avg', 'cost_per_call', 'tokens_per_call', 'confidence_avg'] as const;
export type BandMetric = (typeof BAND_METRICS)[number];

// ---- regressions (GET /api/insights/regressions) ----------------------------------------------

export type BandMethod = 'two_proportion_z' | 'order_statistic' | 't_prediction';
export type BandStatus = 'inside' | 'above' | 'below' | 'no_baseline';

/** One bucket of one group, judged against its baseline band. */
export interface ScoredPoint {
  bucket: number;
  value: number | null;
  count: number;
  expected: number | null;
  low: number | null;
  high: number | null;
  /** Signed distance from the expected value in standard errors. */
  sigma: number | null;
  status: BandStatus;
  method: BandMethod;
  /** Two-sided p-value where the method gives one (rates). */
  p: number | null;
}

export type BaselineSpec = { kind: 'previous'; buckets: number } | { kind: 'same_hour'; days: number };

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

// ---- correlated anomalies (GET /api/insights/correlations) -----------------------------------

export interface Anomaly {
  dimension: Dimension;
  group: string;
  metric: BandMetric;
  /** Bucket starts where the metric was out of band in its bad direction. */
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
  /** Jaccard overlap of the two anomalies' buckets. */
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
  baseline: { from: number; to: number };
  findings: CorrelatedFinding[];
  anomalies: Anomaly[];
}

// ---- cost by decision path (GET /api/insights/paths) ------------------------------------------

export interface PathStats {
  path: string;
  agents: string[];
  traces: number;
  /** Share of all traces in the range. */
  share: number;
  cost_usd: number;
  mean_cost_usd: number;
  /** Share of all spend in the range. */
  cost_share: number;
  p95_ms: number | null;
  error_rate: number;
  tokens: number;
  previous_cost_usd: number;
  /**
   * Spend per covered hour against the previous period's spend per covered hour, − 1 (so a range
   * whose last hour is still running is not read as a drop); null when the path had no spend before
   * or there is no previous period.
   */
  cost_change: number | null;
}

export interface CostBreakdown {
  name: string;
  cost_usd: number;
  /** Traces (agent; decision: traces that made it) or spans (model). */
  count: number;
  cost_per_unit: number;
}

export interface PathReport {
  /** The scanned hours: paths are filed under the hour of each trace's first span. */
  from: number;
  to: number;
  previous: { from: number; to: number };
  /** The scanned time that has data, and the previous period's (null: none); cost changes compare spend per covered time. */
  covered: Covered | null;
  previous_covered: Covered | null;
  total: { traces: number; cost_usd: number; error_traces: number };
  paths: PathStats[];
  by_decision: CostBreakdown[];
  by_agent: CostBreakdown[];
  by_model: CostBreakdown[];
}

// ---- failing cohorts (GET /api/insights/cohorts) ---------------------------------------------

export interface Cohort {
  key: string;
  value: string;
  /** 'trace' when the key is on root spans (each trace counts once), else 'span'. */
  unit: 'trace' | 'span';
  agents: string[];
  n: number;
  errors: number;
  error_rate: number;
  error_rate_ci: [number, number];
  rest_n: number;
  rest_error_rate: number;
  /** error_rate / rest_error_rate (null when the rest has no errors). */
  lift: number | null;
  z: number;
  /** One-sided Fisher exact p-value for "fails more than the rest", and its BH-adjusted value. */
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
  /** Cohorts that fail significantly (after BH) and materially more than the rest, worst first. */
  failing: Cohort[];
  cohorts: Cohort[];
}

// ---- decision distributions (GET /api/insights/decisions) ------------------------------------

export interface DecisionStats {
  decision: string;
  count: number;
  share: number;
  baseline_share: number;
  confidence_avg: number | null;
  baseline_confidence_avg: number | null;
  /** Least-squares slope of the bucket means of confidence, per hour. */
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
