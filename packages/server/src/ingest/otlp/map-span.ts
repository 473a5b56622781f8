// Maps one decoded OTLP span onto a native Sightline event (snake_case, as sent to /v1/events),
// reading the OTel GenAI semantic conventions (current and deprecated names) and OpenInference.
// The ingest pipeline then validates and prices it like any native event.
// docs/otlp-mapping.md is the table this file implements; change both together.

import { READ_MARK } from '../../model/reserved-attributes.js';
import { isContentKey, spanContent } from './content.js';
import { setAttribute, type Attributes, type AttrValue, type OtlpSpan, type SpanOrigin } from './types.js';

export interface MapOptions {
  /** Whether prompts and completions are read at all (the pipeline also enforces it). */
  captureContent: boolean;
  /** The pipeline's attribute-count limit: resource attributes are dropped first to stay within it. */
  maxAttributes: number;
  /** Whether to write READ_MARK (the ingest route does; unit tests of the mapping leave it out). */
  markRead?: boolean;
}

/** Attribute names read for each native field, highest precedence first. */
export const SOURCES = {
  model: ['gen_ai.response.model', 'gen_ai.request.model', 'llm.model_name'],
  provider: ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system'],
  tokensInput: ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt', 'llm.usage.prompt_tokens'],
  tokensOutput: ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'llm.token_count.completion', 'llm.usage.completion_tokens'],
  tokensTotal: ['gen_ai.usage.total_tokens', 'llm.token_count.total', 'llm.usage.total_tokens'],
  tokensCacheRead: [
    'gen_ai.usage.cache_read.input_tokens',
    'gen_ai.usage.cache_read_input_tokens',
    'llm.token_count.prompt_details.cache_read',
  ],
  tokensCacheWrite: [
    'gen_ai.usage.cache_creation.input_tokens',
    'gen_ai.usage.cache_creation_input_tokens',
    'llm.token_count.prompt_details.cache_write',
  ],
  tokensReasoning: [
    'gen_ai.usage.reasoning.output_tokens',
    'gen_ai.usage.reasoning_tokens',
    'llm.token_count.completion_details.reasoning',
  ],
  cost: ['llm.cost.total', 'gen_ai.usage.cost'],
  agent: ['gen_ai.agent.id', 'gen_ai.agent.name'],
  session: ['gen_ai.conversation.id', 'session.id'],
  user: ['user.id'],
  decision: ['sightline.decision'],
  confidence: ['sightline.confidence'],
  spanType: ['sightline.span_type'],
  toolName: ['gen_ai.tool.name', 'tool.name'],
} as const;

/** gen_ai.operation.name → span_type. */
const OPERATION_TYPES: Record<string, string> = {
  chat: 'llm_call',
  generate_content: 'llm_call',
  text_completion: 'llm_call',
  completion: 'llm_call',
  embeddings: 'embedding',
  execute_tool: 'tool_call',
  invoke_agent: 'agent_step',
  create_agent: 'agent_step',
  invoke_workflow: 'agent_step',
  retrieval: 'retrieval',
};

/** openinference.span.kind (upper case) → span_type. */
const OPENINFERENCE_TYPES: Record<string, string> = {
  LLM: 'llm_call',
  TOOL: 'tool_call',
  AGENT: 'agent_step',
  CHAIN: 'agent_step',
  RETRIEVER: 'retrieval',
  RERANKER: 'retrieval',
  EMBEDDING: 'embedding',
  GUARDRAIL: 'decision',
  EVALUATOR: 'custom',
  PROMPT: 'custom',
};

/** Resource attributes never copied: command lines can carry secrets passed as flags. */
const SECRET_RESOURCE_KEYS = new Set(['process.command', 'process.command_line', 'process.command_args']);

/**
 * Reads attributes by precedence and remembers which ones became native fields (`consumed`) and
 * which it looked at but kept (`read`: peeked ones and lower-precedence alternatives). Read every
 * attribute through it: the telemetry doctor reports the span's other attributes as read by no
 * mapping (see READ_MARK).
 */
class AttributeReader {
  readonly consumed = new Set<string>();
  readonly read = new Set<string>();
  constructor(readonly attributes: Attributes) {}

  /** The first present value among `keys` (null and "" count as absent); marks it consumed. */
  take(keys: readonly string[]): AttrValue | undefined {
    const i = this.first(keys);
    if (i < 0) return undefined;
    this.consumed.add(keys[i]!);
    return this.attributes[keys[i]!];
  }

  /** Like take, without consuming: the attribute stays in `attributes` too. */
  peek(keys: readonly string[]): AttrValue | undefined {
    const i = this.first(keys);
    return i < 0 ? undefined : this.attributes[keys[i]!];
  }

  /** Index of the first present key; it and every later present key count as read. */
  private first(keys: readonly string[]): number {
    let found = -1;
    for (let i = 0; i < keys.length; i++) {
      const value = this.attributes[keys[i]!];
      if (value === undefined || value === null || value === '') continue;
      if (found < 0) found = i;
      this.read.add(keys[i]!);
    }
    return found;
  }
}


/** Id-like values: strings as they are, numbers and booleans as text; anything else is left for the validator to reject. */
function text(value: AttrValue | undefined): unknown {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/** Counts and amounts may arrive as numeric strings (some SDKs stringify every attribute). */
function numeric(value: AttrValue | undefined): unknown {
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return value;
}

function spanTypeOf(reader: AttributeReader): string | undefined {
  const explicit = reader.take(SOURCES.spanType);
  if (explicit !== undefined) return String(explicit);
  const operation = reader.peek(['gen_ai.operation.name']);
  if (typeof operation === 'string' && Object.hasOwn(OPERATION_TYPES, operation)) return OPERATION_TYPES[operation];
  const kind = reader.peek(['openinference.span.kind']);
  if (typeof kind === 'string') {
    const upper = kind.toUpperCase();
    if (Object.hasOwn(OPENINFERENCE_TYPES, upper)) return OPENINFERENCE_TYPES[upper];
  }
  return undefined;
}

interface Tokens {
  tokens_input?: unknown;
  tokens_output?: unknown;
  tokens_cache_read?: unknown;
  tokens_cache_write?: unknown;
  tokens_reasoning?: unknown;
}

/**
 * Input tokens include cached ones (GenAI conventions), so cached tokens are never added on
 * top — except when the sender evidently counted them apart (input < cache read + write, as in
 * Anthropic's raw usage): then input = input + cached, the only reading that is not impossible.
 * The same holds for reasoning tokens within output tokens.
 */
function tokensOf(reader: AttributeReader): Tokens {
  const input = numeric(reader.take(SOURCES.tokensInput));
  const output = numeric(reader.take(SOURCES.tokensOutput));
  const total = numeric(reader.take(SOURCES.tokensTotal));
  const cacheRead = numeric(reader.take(SOURCES.tokensCacheRead));
  const cacheWrite = numeric(reader.take(SOURCES.tokensCacheWrite));
  const reasoning = numeric(reader.take(SOURCES.tokensReasoning));
  const tokens: Tokens = {};
  let inputCount = input;
  if (inputCount === undefined && typeof total === 'number' && typeof output === 'number' && total >= output) inputCount = total - output;
  const cached = (typeof cacheRead === 'number' ? cacheRead : 0) + (typeof cacheWrite === 'number' ? cacheWrite : 0);
  if (typeof inputCount === 'number' && inputCount < cached) inputCount += cached;
  let outputCount = output;
  if (typeof outputCount === 'number' && typeof reasoning === 'number' && outputCount < reasoning) outputCount += reasoning;
  if (inputCount !== undefined) tokens.tokens_input = inputCount;
  if (outputCount !== undefined) tokens.tokens_output = outputCount;
  if (cacheRead !== undefined) tokens.tokens_cache_read = cacheRead;
  if (cacheWrite !== undefined) tokens.tokens_cache_write = cacheWrite;
  if (reasoning !== undefined) tokens.tokens_reasoning = reasoning;
  return tokens;
}

function costOf(reader: AttributeReader): unknown {
  const total = reader.take(SOURCES.cost);
  if (total !== undefined) return numeric(total);
  const prompt = numeric(reader.peek(['llm.cost.prompt']));
  const completion = numeric(reader.peek(['llm.cost.completion']));
  if (typeof prompt === 'number' && typeof completion === 'number') return prompt + completion;
  return undefined;
}

/** Status ERROR, an `error.type` attribute or an `exception` event each mark the span failed. */
function errorOf(span: OtlpSpan, reader: AttributeReader): { type: unknown; message: string | null } | undefined {
  const exception = span.events.find((e) => e.name === 'exception');
  const errorType = reader.take(['error.type']) ?? exception?.attributes['exception.type'] ?? undefined;
  if (span.statusCode !== 2 && errorType === undefined && exception === undefined) return undefined;
  const exceptionMessage = exception?.attributes['exception.message'];
  const message = span.statusMessage !== '' ? span.statusMessage : typeof exceptionMessage === 'string' && exceptionMessage !== '' ? exceptionMessage : null;
  return { type: errorType === undefined || errorType === null ? null : text(errorType), message };
}

function attributesOf(reader: AttributeReader, origin: SpanOrigin, maxAttributes: number, markRead: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let count = 0;
  const readKept: string[] = [];
  for (const key in reader.attributes) {
    if (reader.consumed.has(key) || isContentKey(key)) continue;
    setAttribute(out, key, reader.attributes[key]);
    if (reader.read.has(key)) readKept.push(key);
    count++;
  }
  // Within the limit only: a span already at it is not rejected for the doctor's sake.
  if (markRead && count < maxAttributes) {
    out[READ_MARK] = readKept;
    count++;
  }
  if (origin.scopeName !== '') {
    out['otel.scope.name'] = origin.scopeName;
    count++;
  }
  if (origin.scopeVersion !== '') {
    out['otel.scope.version'] = origin.scopeVersion;
    count++;
  }
  let dropped = 0;
  for (const key in origin.resource) {
    if (SECRET_RESOURCE_KEYS.has(key)) continue;
    // One key is kept free for the dropped count.
    if (count >= maxAttributes - 1) {
      dropped++;
      continue;
    }
    setAttribute(out, `resource.${key}`, origin.resource[key]);
    count++;
  }
  if (dropped > 0) out['sightline.resource_attributes_dropped'] = dropped;
  return out;
}

/**
 * Maps an OTLP span to a native event for the ingest pipeline.
 * @example
 * mapSpan(span, { resource: { 'service.name': 'support-bot' }, scopeName: '', scopeVersion: '' }, { captureContent: false, maxAttributes: 128 })
 * // → { timestamp: 1767225600000, agent_id: 'support-bot', span_type: 'llm_call', model: 'gpt-4o', tokens_input: 1200, ... }
 */
export function mapSpan(span: OtlpSpan, origin: SpanOrigin, options: MapOptions): Record<string, unknown> {
  const reader = new AttributeReader(span.attributes);
  const spanType = spanTypeOf(reader);
  const event: Record<string, unknown> = {
    timestamp: Number(span.startNanos / 1_000_000n),
    agent_id: text(reader.take(SOURCES.agent) ?? origin.resource['service.name'] ?? 'unknown_service'),
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    name: span.name === '' ? null : span.name,
    latency_ms: Number(span.endNanos - span.startNanos) / 1e6,
  };
  if (spanType !== undefined) event.span_type = spanType;
  const model = reader.take(SOURCES.model);
  if (model !== undefined) event.model = text(model);
  const provider = reader.take(SOURCES.provider);
  if (provider !== undefined) event.provider = text(provider);
  Object.assign(event, tokensOf(reader));
  const cost = costOf(reader);
  if (cost !== undefined) event.cost_usd = cost;
  const decision = reader.take(SOURCES.decision) ?? (spanType === 'tool_call' ? reader.peek(SOURCES.toolName) : undefined);
  if (decision !== undefined) event.decision_made = text(decision);
  const confidence = reader.take(SOURCES.confidence);
  if (confidence !== undefined) event.confidence = numeric(confidence);
  const error = errorOf(span, reader);
  if (error !== undefined) event.error = error;
  const session = reader.take(SOURCES.session);
  if (session !== undefined) event.session_id = text(session);
  const user = reader.take(SOURCES.user);
  if (user !== undefined) event.user_id = text(user);
  event.attributes = attributesOf(reader, origin, options.maxAttributes, options.markRead === true);
  if (options.captureContent) {
    const content = spanContent(span.attributes, span.events);
    if (content.input !== undefined) event.input = content.input;
    if (content.output !== undefined) event.output = content.output;
  }
  return event;
}
