// Types of the Store's insight primitives (the "Insight primitives" block of Store, used by
// src/query/insights): hourly scans, decision paths, cohorts and their contrasts, decision counts.
// Re-exported by store.ts.


/** A range of whole hours (from floored, to ceiled to the hour) of one project. */
export interface InsightScan {
  project: string;
  from: number;
  to: number;
  agent?: string;
  /** Compute from raw spans only, ignoring materialized hours (benchmarks, consistency tests). */
  raw?: boolean;
}

/** Traces grouped by agent and decision path (decisions in time order joined by ' → '). */
export interface PathRow {
  agent_id: string;
  /** '(no decision)' for traces without one. */
  path: string;
  traces: number;
  /** Traces with at least one failed span. */
  error_traces: number;
  cost_usd: number;
  tokens_input: number;
  tokens_output: number;
  tokens_cache_read: number;
  /** LATENCY_BUCKETS counts of trace durations (first span start to last span end). */
  duration_hist: number[];
}

/** The summed columns of a CohortRow, in the order both backends store them. */
export const COHORT_SUMS = [
  'spans',
  'span_errors',
  'span_latency_sum',
  'traces',
  'trace_errors',
  'trace_latency_sum',
  'cost_usd',
  'tokens',
  'confidence_sum',
  'confidence_count',
] as const satisfies readonly (keyof CohortRow)[];

/** Spans and traces (root spans) carrying attribute `key` = `value`, per agent. */
export interface CohortRow {
  agent_id: string;
  /** An attribute key, or the span columns user_id and model. */
  key: string;
  /**
   * Value as text (≤ 64 characters); '(other)' past the per-hour cap of distinct values; null for
   * the agent's total over every value of the key (small values left out by minCount included).
   */
  value: string | null;
  spans: number;
  span_errors: number;
  span_latency_sum: number;
  traces: number;
  trace_errors: number;
  trace_latency_sum: number;
  cost_usd: number;
  tokens: number;
  confidence_sum: number;
  confidence_count: number;
}

export interface CohortScan extends InsightScan {
  /** Only these keys; all keys when absent. */
  keys?: string[];
  /** Leave out values with fewer traces (or, without traces, spans) than this over all agents. */
  minCount?: number;
}

/** The summed figures of one side of a cohort comparison, in the cohort's unit. */
export interface CohortSide {
  /** Units: traces (root spans) or spans. */
  n: number;
  errors: number;
  latency_sum: number;
  cost_usd: number;
  confidence_sum: number;
  confidence_count: number;
}

/**
 * Each CohortSide field and the CohortRow columns it sums, for a cohort counted by trace and by
 * span: the mapping both backends' contrast queries are built from.
 */
export const COHORT_SIDE_COLUMNS: readonly [field: keyof CohortSide, byTrace: keyof CohortRow, bySpan: keyof CohortRow][] = [
  ['n', 'traces', 'spans'],
  ['errors', 'trace_errors', 'span_errors'],
  ['latency_sum', 'trace_latency_sum', 'span_latency_sum'],
  ['cost_usd', 'cost_usd', 'cost_usd'],
  ['confidence_sum', 'confidence_sum', 'confidence_sum'],
  ['confidence_count', 'confidence_count', 'confidence_count'],
];

/**
 * One attribute value (a cohort) against the rest of the same agents: the agents that have at
 * least one unit of the value, over every value of the key (small values and '(other)' included).
 */
export interface CohortContrastRow {
  key: string;
  value: string;
  /** 'trace' when any span carrying the key is a root span (each trace counts once), else 'span'. */
  unit: 'trace' | 'span';
  /** The agents compared, in byte order. */
  agents: string[];
  cohort: CohortSide;
  rest: CohortSide;
}

/** Spans that made a decision, of one project, in [from, to) by bucket (see RollupQuery). */
export interface DecisionCountQuery {
  project: string;
  /** Inclusive start, ms; floored to a bucket boundary. */
  from: number;
  /** Exclusive end, ms. */
  to: number;
  /** Bucket width in ms; a multiple of 60,000 (multiples of 3,600,000 read hourly rollups). */
  bucketMs: number;
  agent?: string;
  decision?: string;
}

/** One bucket × agent × decision: what rollup() gives for groupBy [agent, decision], three figures only. */
export interface DecisionCountRow {
  bucket: number;
  agent_id: string;
  decision: string;
  count: number;
  confidence_sum: number;
  confidence_count: number;
}

export interface MaterializeReport {
  /** Hours (re)computed by this run. */
  hours: number[];
  /** Hours with new spans still open (or inside the grace period), left for a later run. */
  pending: number[];
}
