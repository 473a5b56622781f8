// The wire format of one event, exactly as POST /v1/events expects it (snake_case).

export type SpanType = 'llm_call' | 'tool_call' | 'decision' | 'agent_step' | 'retrieval' | 'embedding' | 'custom';

export interface EventError {
  type: string;
  message: string;
}

export interface SpanEvent {
  timestamp: number;
  agent_id: string;
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  span_type: SpanType;
  name: string;
  model?: string;
  provider?: string;
  /** Includes cached input tokens, as in the OTel GenAI conventions. */
  tokens_input?: number;
  tokens_output?: number;
  tokens_cache_read?: number;
  tokens_cache_write?: number;
  tokens_reasoning?: number;
  latency_ms?: number;
  cost_usd?: number;
  decision_made?: string;
  confidence?: number;
  error?: EventError;
  session_id?: string;
  user_id?: string;
  attributes?: Record<string, unknown>;
  input?: string;
  output?: string;
}

/**
 * A finished event from an integration that keeps its own ids and times (another framework's
 * tracing). `agent_id` defaults to the client's; `input`/`output` follow its content policy.
 */
export interface IntegrationEvent extends Omit<SpanEvent, 'agent_id' | 'input' | 'output'> {
  agent_id?: string;
  input?: unknown;
  output?: unknown;
}

/** Fields a caller may set on a span, in camelCase; mapped onto the wire names at the edge. */
export interface SpanFields {
  model?: string;
  provider?: string;
  tokensInput?: number;
  tokensOutput?: number;
  tokensCacheRead?: number;
  tokensCacheWrite?: number;
  tokensReasoning?: number;
  costUsd?: number;
  decisionMade?: string;
  confidence?: number;
  sessionId?: string;
  userId?: string;
  attributes?: Record<string, unknown>;
  /** Prompt or tool input; sent only when the client has `captureContent` on. */
  input?: unknown;
  /** Completion or tool output; sent only when the client has `captureContent` on. */
  output?: unknown;
}

/** Turns whatever was thrown into the `{ type, message }` the server stores. */
export function toEventError(err: unknown): EventError {
  if (err instanceof Error) return { type: err.name || 'Error', message: String(err.message) };
  if (typeof err === 'object' && err !== null) {
    const o = err as { name?: unknown; type?: unknown; message?: unknown };
    const type = typeof o.name === 'string' ? o.name : typeof o.type === 'string' ? o.type : 'Error';
    return { type, message: typeof o.message === 'string' ? o.message : safeString(err) };
  }
  return { type: typeof err, message: safeString(err) };
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  } catch {
    return '[unserializable]';
  }
}
