// A tracing processor for the OpenAI Agents SDK (@openai/agents), whose tracing is its own and not
// OpenTelemetry: each finished Agents span becomes one Sightline event, queued on the client's
// background exporter. Types here are structural, so the SDK keeps zero runtime dependencies:
// pass the processor to the Agents SDK's `addTraceProcessor` or `setTraceProcessors`.

import type { Sightline } from './client.js';
import type { EventError, IntegrationEvent, SpanType } from './event.js';

/** The parts of an Agents SDK trace this processor reads. */
export interface AgentsTrace {
  traceId: string;
  name: string;
  groupId: string | null;
  metadata?: Record<string, unknown>;
}

/** The span data of an Agents SDK span: `type` says which fields it has (agent, generation, function, …). */
export interface AgentsSpanData {
  type: string;
  [field: string]: unknown;
}

/** The parts of an Agents SDK span this processor reads. */
export interface AgentsSpan {
  traceId: string;
  spanId: string;
  parentId: string | null;
  spanData: AgentsSpanData;
  startedAt: string | null;
  endedAt: string | null;
  error: { message: string; data?: Record<string, unknown> } | null;
}

/** The Agents SDK's TracingProcessor interface. */
export interface AgentsTracingProcessor {
  onTraceStart(trace: AgentsTrace): Promise<void>;
  onTraceEnd(trace: AgentsTrace): Promise<void>;
  onSpanStart(span: AgentsSpan): Promise<void>;
  onSpanEnd(span: AgentsSpan): Promise<void>;
  shutdown(timeout?: number): Promise<void>;
  forceFlush(): Promise<void>;
}

interface TraceInfo {
  session: string | undefined;
  user: string | undefined;
  /** span id → parent id and the agent the span names (agent spans only), for finding a span's agent. */
  spans: Map<string, { parentId: string | null; agent: string | undefined }>;
}

/** Open traces remembered at once; a trace that never ends is dropped first. */
const MAX_OPEN_TRACES = 10_000;

type Mapped = Pick<IntegrationEvent, 'span_type' | 'name'> & Partial<IntegrationEvent>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
const field = (o: unknown, key: string): unknown => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined);

/** Responses-API usage (`input_tokens_details.cached_tokens`) or the Agents SDK's `details` bag. */
function usageFields(usage: unknown): Partial<IntegrationEvent> {
  const details = field(usage, 'details');
  const cached = count(field(field(usage, 'input_tokens_details'), 'cached_tokens')) ?? count(field(details, 'cached_tokens'));
  const reasoning = count(field(field(usage, 'output_tokens_details'), 'reasoning_tokens')) ?? count(field(details, 'reasoning_tokens'));
  const out: Partial<IntegrationEvent> = {};
  const input = count(field(usage, 'input_tokens'));
  const output = count(field(usage, 'output_tokens'));
  if (input !== undefined) out.tokens_input = input;
  if (output !== undefined) out.tokens_output = output;
  if (cached !== undefined) out.tokens_cache_read = cached;
  if (reasoning !== undefined) out.tokens_reasoning = reasoning;
  return out;
}

/** One Agents span → the event's type, name and fields. Task and turn usage is the sum of their generations: kept as attributes only. */
function mapData(data: AgentsSpanData): Mapped {
  switch (data.type) {
    case 'task':
      return { span_type: 'agent_step', name: str(data.name) ?? 'task', attributes: { 'agents.span_type': 'task', 'agents.usage': data.usage } };
    case 'agent':
      return { span_type: 'agent_step', name: str(data.name) ?? 'agent', attributes: { 'agents.span_type': 'agent', 'agents.handoffs': data.handoffs, 'agents.tools': data.tools, 'agents.output_type': data.output_type } };
    case 'turn':
      return { span_type: 'agent_step', name: `turn ${String(data.turn)}`, attributes: { 'agents.span_type': 'turn', 'agents.usage': data.usage } };
    case 'generation':
      return { span_type: 'llm_call', name: str(data.model) ?? 'generation', model: str(data.model), ...usageFields(data.usage), input: data.input, output: data.output, attributes: { 'agents.span_type': 'generation', 'agents.model_config': data.model_config } };
    case 'response': {
      const response = data._response;
      const model = str(field(response, 'model'));
      return { span_type: 'llm_call', name: model ?? 'response', model, ...usageFields(field(response, 'usage')), input: data._input, output: field(response, 'output'), attributes: { 'agents.span_type': 'response', 'agents.response_id': data.response_id } };
    }
    case 'function':
      return { span_type: 'tool_call', name: str(data.name) ?? 'function', decision_made: str(data.name), input: data.input, output: data.output, attributes: { 'agents.span_type': 'function', 'agents.mcp_data': data.mcp_data } };
    case 'handoff':
      return { span_type: 'decision', name: 'handoff', decision_made: str(data.to_agent), attributes: { 'agents.span_type': 'handoff', 'agents.from_agent': data.from_agent, 'agents.to_agent': data.to_agent } };
    case 'guardrail':
      return { span_type: 'decision', name: str(data.name) ?? 'guardrail', decision_made: data.triggered === true ? 'triggered' : 'passed', attributes: { 'agents.span_type': 'guardrail', 'agents.triggered': data.triggered === true } };
    default: {
      const { type, ...rest } = data;
      return { span_type: 'custom' satisfies SpanType, name: str(data.name) ?? type, attributes: { 'agents.span_type': type, ...rest } };
    }
  }
}

function withoutUndefined(attributes: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes ?? {})) if (value !== undefined) out[key] = value;
  return out;
}

function errorOf(span: AgentsSpan): EventError | undefined {
  if (span.error === null) return undefined;
  return { type: `${span.spanData.type}_error`, message: span.error.message };
}

/**
 * @example
 * import { addTraceProcessor } from '@openai/agents';
 * const sightline = createSightline({ agentId: 'support-service' });
 * addTraceProcessor(createOpenAIAgentsProcessor(sightline));
 * // agent, generation/response, function, handoff and guardrail spans now arrive as Sightline events:
 * // agent = the nearest enclosing Agents `agent` span, session = the run's groupId, user = traceMetadata.user_id
 */
export function createOpenAIAgentsProcessor(sightline: Sightline): AgentsTracingProcessor {
  const traces = new Map<string, TraceInfo>();

  function infoOf(traceId: string): TraceInfo {
    let info = traces.get(traceId);
    if (info === undefined) {
      if (traces.size >= MAX_OPEN_TRACES) traces.delete(traces.keys().next().value as string);
      info = { session: undefined, user: undefined, spans: new Map() };
      traces.set(traceId, info);
    }
    return info;
  }

  /** The name of the nearest agent span at or above `spanId`. */
  function agentOf(info: TraceInfo, spanId: string | null): string | undefined {
    for (let id = spanId, hops = 0; id !== null && hops < 1000; hops++) {
      const span = info.spans.get(id);
      if (span === undefined) return undefined;
      if (span.agent !== undefined) return span.agent;
      id = span.parentId;
    }
    return undefined;
  }

  return {
    async onTraceStart(trace) {
      const info = infoOf(trace.traceId);
      info.session = str(trace.groupId);
      info.user = str(field(trace.metadata, 'user_id')) ?? str(field(trace.metadata, 'userId'));
    },
    async onTraceEnd(trace) {
      traces.delete(trace.traceId);
    },
    async onSpanStart(span) {
      const agent = span.spanData.type === 'agent' ? str(span.spanData.name) : undefined;
      infoOf(span.traceId).spans.set(span.spanId, { parentId: span.parentId, agent });
    },
    async onSpanEnd(span) {
      const info = infoOf(span.traceId);
      const mapped = mapData(span.spanData);
      const started = span.startedAt === null ? Date.now() : Date.parse(span.startedAt);
      const ended = span.endedAt === null ? started : Date.parse(span.endedAt);
      const event: IntegrationEvent = {
        ...mapped,
        timestamp: started,
        latency_ms: Math.max(0, ended - started),
        trace_id: span.traceId,
        span_id: span.spanId,
        ...(span.parentId !== null && { parent_span_id: span.parentId }),
        attributes: withoutUndefined(mapped.attributes),
      };
      const agent = agentOf(info, span.spanId);
      if (agent !== undefined) event.agent_id = agent;
      if (info.session !== undefined) event.session_id = info.session;
      if (info.user !== undefined) event.user_id = info.user;
      const error = errorOf(span);
      if (error !== undefined) event.error = error;
      sightline.recordEvent(event);
    },
    shutdown: () => sightline.flush(),
    forceFlush: () => sightline.flush(),
  };
}
