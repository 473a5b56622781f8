// A span as the API sends it (trace detail, live stream): one row per LLM call, tool call,
// decision or step. The server's model (packages/server/src/model/span.ts) extends it, so the two
// cannot drift.

export const SPAN_TYPES = ['llm_call', 'tool_call', 'decision', 'agent_step', 'retrieval', 'embedding', 'custom'] as const;

export type SpanType = (typeof SPAN_TYPES)[number];

/** Where `cost_usd` came from: sent by the client, computed from the price table, or unknown. */
export type CostSource = 'given' | 'computed' | 'none';

/** Dimensions a query may group or filter by. */
export type Dimension = 'agent' | 'model' | 'decision' | 'span_type' | 'provider';

export interface Span {
  /** From the API key, never from the payload. */
  project: string;
  /** Span start, ms since epoch (UTC). */
  timestamp: number;
  agent_id: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  span_type: SpanType;
  name: string | null;
  model: string | null;
  provider: string | null;
  /** Includes cached input tokens, as in the GenAI conventions. */
  tokens_input: number;
  tokens_output: number;
  tokens_cache_read: number;
  tokens_cache_write: number;
  tokens_reasoning: number;
  latency_ms: number;
  cost_usd: number | null;
  cost_source: CostSource;
  decision_made: string | null;
  /** 0..1 */
  confidence: number | null;
  error_type: string | null;
  error_message: string | null;
  session_id: string | null;
  user_id: string | null;
  attributes: Record<string, unknown>;
  input: string | null;
  output: string | null;
  /** Server time of acknowledgement, ms since epoch. */
  ingested_at: number;
}
