// Shapes of the server's JSON replies the dashboard reads (mirrors packages/server; the
// dashboard depends on the HTTP API only, never on server code).

export type SpanType = 'llm_call' | 'tool_call' | 'decision' | 'agent_step' | 'retrieval' | 'embedding' | 'custom';

export interface Span {
  timestamp: number;
  agent_id: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  span_type: SpanType;
  name: string | null;
  model: string | null;
  provider: string | null;
  tokens_input: number;
  tokens_output: number;
  tokens_cache_read: number;
  tokens_cache_write: number;
  tokens_reasoning: number;
  latency_ms: number;
  cost_usd: number | null;
  cost_source: string;
  decision_made: string | null;
  confidence: number | null;
  error_type: string | null;
  error_message: string | null;
  session_id: string | null;
  user_id: string | null;
  attributes: Record<string, unknown>;
  input: string | null;
  output: string | null;
  ingested_at: number;
}

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

export interface Overview {
  from: number;
  to: number;
  current: Kpis;
  previous: Kpis;
  change: Record<keyof Kpis, number | null>;
}

export type Point = [number, number | null];

export interface Series {
  group: string;
  points: Point[];
}

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
