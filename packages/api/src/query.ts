// Replies of the read API (GET /api/overview, /api/timeseries, /api/traces, /api/traces/:id):
// packages/server/src/http/routes/query.ts answers them.

import type { Span } from './span.js';

/** Metrics of GET /api/timeseries?metric=… (and of alert rules, plus token_efficiency). */
export const METRICS = [
  'count',
  'errors',
  'error_rate',
  'latency_avg',
  'latency_p50',
  'latency_p95',
  'latency_p99',
  'cost',
  'cost_per_call',
  'tokens',
  'tokens_input',
  'tokens_output',
  'tokens_per_call',
  'confidence_avg',
] as const;

export type Metric = (typeof METRICS)[number];

export interface Kpis {
  spans: number;
  spans_per_min: number;
  errors: number;
  error_rate: number | null;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  cost_usd: number;
  cost_per_hour: number;
  tokens: number;
  tokens_per_min: number;
  active_agents: number;
}

/** GET /api/overview: the range's KPIs next to the previous range of equal length. */
/** A stretch of time that has data: from its first minute with a span to the end of the range (or now). */
export interface Covered {
  from: number;
  to: number;
}

export interface Overview {
  from: number;
  to: number;
  /** The part of the range that has data; null when no span lies in it. Rates are over this time. */
  covered: Covered | null;
  /** The period the change compares with: as long as `covered`, right before it; null when no span lies in it. */
  previous_covered: Covered | null;
  current: Kpis;
  previous: Kpis;
  /** Relative change current/previous − 1 per KPI; null where the previous value is 0 or null. */
  change: Record<keyof Kpis, number | null>;
}

/** A bucket start (ms since epoch) and its value; null where the bucket has no value. */
export type Point = [number, number | null];

export interface Series {
  /** Group values joined by " | "; "all" without grouping; "(none)" for a missing value. */
  group: string;
  points: Point[];
}

/** GET /api/timeseries */
export interface SeriesReply {
  series: Series[];
}

export interface TraceSummary {
  trace_id: string;
  agent_id: string;
  /** Name of the earliest span with no parent (or the earliest span). */
  root_name: string | null;
  start: number;
  /** From the first span's start to the last span's end. */
  duration_ms: number;
  span_count: number;
  error_count: number;
  cost_usd: number;
  tokens: number;
  /** Decisions made in the trace, in time order. */
  decisions: string[];
}

/** GET /api/traces */
export interface TracesReply {
  traces: TraceSummary[];
}

export interface TraceNode {
  span_id: string;
  children: TraceNode[];
}

/** GET /api/traces/:id: the spans and their parent/child tree (spans whose parent is missing are roots). */
export interface TraceDetail {
  trace_id: string;
  spans: Span[];
  tree: TraceNode[];
}

// ---- the Agents table (GET /api/agents) ----

export interface AgentRow {
  agent: string;
  spans: number;
  errors: number;
  error_rate: number | null;
  latency_p95_ms: number | null;
  cost_usd: number;
  tokens: number;
  /**
   * End of the last minute with a span in range, ms; for an agent silent since before the
   * previous whole hour, the end of the last hour with a span.
   */
  last_seen: number | null;
}

export interface AgentTableReply {
  from: number;
  to: number;
  agents: AgentRow[];
}
