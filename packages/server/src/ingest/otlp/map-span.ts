// Maps one decoded OTLP span onto a native Sightline event (snake_case, as sent to /v1/events),
// reading the OTel GenAI semantic conventions (current and deprecated names), OpenInference, the
// Vercel AI SDK and other frameworks' names (sources.ts, conventions/).
// The ingest pipeline then validates and prices it like any native event.
// docs/otlp-mapping.md is the table this file implements; change both together.

import { READ_MARK } from '../../model/reserved-attributes.js';
import { AGENT_FALLBACK } from '../../model/span.js';
import { AttributeReader } from './attribute-reader.js';
import { isContentKey, spanContent } from './content.js';
import { classify } from './conventions/classify.js';
import type { Convention } from './conventions/convention.js';
import { runMetadata, type RunMetadata } from './conventions/open-inference.js';
import { NOT_A_PROVIDER, SOURCES } from './sources.js';
import { setAttribute, type AttrValue, type OtlpSpan, type SpanOrigin } from './types.js';

export interface MapOptions {
  /** Whether prompts and completions are read at all (the pipeline also enforces it). */
  captureContent: boolean;
  /** The pipeline's attribute-count limit: resource attributes are dropped first to stay within it. */
  maxAttributes: number;
  /** Whether to write READ_MARK (the ingest route does; unit tests of the mapping leave it out). */
  markRead?: boolean;
}

/** Resource attributes never copied: command lines can carry secrets passed as flags. */
const SECRET_RESOURCE_KEYS = new Set(['process.command', 'process.command_line', 'process.command_args']);

/** Id-like values: strings as they are, numbers and booleans as text; anything else is left for the validator to reject. */
function text(value: AttrValue | undefined): unknown {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/** Counts and amounts may arrive as numeric strings (some SDKs stringify every attribute). */
function numeric(value: AttrValue | undefined): unknown {
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return value;
}

function assignTokens(event: Record<string, unknown>, reader: AttributeReader): void {
  const input = numeric(reader.take(SOURCES.tokensInput));
  const output = numeric(reader.take(SOURCES.tokensOutput));
  const total = numeric(reader.take(SOURCES.tokensTotal));
  const cacheRead = numeric(reader.take(SOURCES.tokensCacheRead));
  const cacheWrite = numeric(reader.take(SOURCES.tokensCacheWrite));
  const reasoning = numeric(reader.take(SOURCES.tokensReasoning));
  let inputCount = input;
  if (inputCount === undefined && typeof total === 'number' && typeof output === 'number' && total >= output) inputCount = total - output;
  const cached = (typeof cacheRead === 'number' ? cacheRead : 0) + (typeof cacheWrite === 'number' ? cacheWrite : 0);
  if (typeof inputCount === 'number' && inputCount < cached) inputCount += cached;
  let outputCount = output;
  if (typeof outputCount === 'number' && typeof reasoning === 'number' && outputCount < reasoning) outputCount += reasoning;
  if (inputCount !== undefined) event.tokens_input = inputCount;
  if (outputCount !== undefined) event.tokens_output = outputCount;
  if (cacheRead !== undefined) event.tokens_cache_read = cacheRead;
  if (cacheWrite !== undefined) event.tokens_cache_write = cacheWrite;
  if (reasoning !== undefined) event.tokens_reasoning = reasoning;
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

/** The provider named by the first provider attribute that names one (not a framework), in the convention's terms. */
function providerOf(reader: AttributeReader, conv: Convention, metadata: RunMetadata): unknown {
  for (const key of SOURCES.provider) {
    const value = reader.attributes[key];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'string' && NOT_A_PROVIDER.has(value)) continue;
    reader.consumed.add(key);
    return typeof value === 'string' && conv.provider !== undefined ? conv.provider(value) : text(value);
  }
  return metadata.provider;
}

/**
 * Model, provider, tokens and cost, set on `event`. A roll-up span's (an agent run around its
 * model calls) stay in `attributes`: its children carry them, and counting both would count every
 * token twice.
 */
function assignUsage(event: Record<string, unknown>, reader: AttributeReader, conv: Convention, metadata: RunMetadata): void {
  if (conv.rollup) return;
  const model = reader.take(SOURCES.model) ?? metadata.model;
  if (model !== undefined) event.model = text(model);
  const provider = providerOf(reader, conv, metadata);
  if (provider !== undefined) event.provider = provider;
  assignTokens(event, reader);
  const cost = costOf(reader);
  if (cost !== undefined) event.cost_usd = cost;
}

/**
 * Maps an OTLP span to a native event for the ingest pipeline.
 * @example
 * mapSpan(span, { resource: { 'service.name': 'support-bot' }, scopeName: '', scopeVersion: '' }, { captureContent: false, maxAttributes: 128 })
 * // → { timestamp: 1767225600000, agent_id: 'support-bot', span_type: 'llm_call', model: 'gpt-4o', tokens_input: 1200, ... }
 */
export function mapSpan(span: OtlpSpan, origin: SpanOrigin, options: MapOptions): Record<string, unknown> {
  const reader = new AttributeReader(span.attributes);
  const conv = classify(span, reader);
  const metadata = runMetadata(reader);
  const name = conv.name ?? span.name;
  const agent = reader.take(SOURCES.agent);
  const event: Record<string, unknown> = {
    timestamp: Number(span.startNanos / 1_000_000n),
    agent_id: text(agent ?? origin.resource['service.name'] ?? 'unknown_service'),
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    name: name === '' ? null : name,
    latency_ms: Number(span.endNanos - span.startNanos) / 1e6,
  };
  // Trace attribution replaces a fallback agent with an ancestor's (store/trace-attribution.ts).
  // Not enumerable: the event's fields stay what the payload said.
  if (agent === undefined) Object.defineProperty(event, AGENT_FALLBACK, { value: true });
  if (conv.spanType !== undefined) event.span_type = conv.spanType;
  assignUsage(event, reader, conv, metadata);
  const decision = reader.take(SOURCES.decision) ?? (conv.spanType === 'tool_call' ? conv.toolName : undefined);
  if (decision !== undefined) event.decision_made = text(decision);
  const confidence = reader.take(SOURCES.confidence);
  if (confidence !== undefined) event.confidence = numeric(confidence);
  const error = errorOf(span, reader);
  if (error !== undefined) event.error = error;
  const session = reader.take(SOURCES.session) ?? metadata.session;
  if (session !== undefined) event.session_id = text(session);
  const user = reader.take(SOURCES.user) ?? metadata.user;
  if (user !== undefined) event.user_id = text(user);
  event.attributes = attributesOf(reader, origin, options.maxAttributes, options.markRead === true);
  if (options.captureContent) {
    const content = spanContent(span.attributes, span.events);
    if (content.input !== undefined) event.input = content.input;
    if (content.output !== undefined) event.output = content.output;
  }
  return event;
}
