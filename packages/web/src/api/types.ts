// Shapes of the server's JSON replies the dashboard reads: the server's own types, imported
// type-only (nothing of the server is bundled), plus a few the server does not name.

export type { Span, SpanType } from '../../../server/src/model/span.js';
import type { Span } from '../../../server/src/model/span.js';
export type { Kpis, Overview } from '../../../server/src/query/overview.js';
export type { Series } from '../../../server/src/query/timeseries.js';

export type Point = [number, number | null];

export type Metric =
  | 'count'
  | 'errors'
  | 'error_rate'
  | 'latency_avg'
  | 'latency_p50'
  | 'latency_p95'
  | 'latency_p99'
  | 'cost'
  | 'cost_per_call'
  | 'tokens'
  | 'tokens_input'
  | 'tokens_output'
  | 'tokens_per_call'
  | 'confidence_avg';

export interface TraceSummary {
  trace_id: string;
  agent_id: string;
  root_name: string | null;
  start: number;
  duration_ms: number;
  span_count: number;
  error_count: number;
  cost_usd: number;
  tokens: number;
  decisions: string[];
}

export interface TraceNode {
  span_id: string;
  children: TraceNode[];
}

export interface TraceDetail {
  trace_id: string;
  spans: Span[];
  tree: TraceNode[];
}
