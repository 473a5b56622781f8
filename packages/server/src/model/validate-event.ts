// Turns one native-format event into a canonical Span, or into every problem found with it.
// Hand-written checks, no schema library: this runs for every ingested event.

import type { FieldProblem } from './errors.js';
import { describe, parseIsoTimestamp, randomHexId, truncateUtf8 } from './event-fields.js';
import type { IngestLimits } from './limits.js';
import { SPAN_TYPES, type Span, type SpanType } from './span.js';
import { buildAttributes, isForbiddenKey } from './validate-attributes.js';

export interface ValidateContext {
  /** From the API key, never from the payload. */
  project: string;
  /** Server clock, ms since epoch: default timestamp, future-skew reference and ingested_at. */
  now: number;
  limits: IngestLimits;
}

export type EventValidation = { ok: true; span: Span } | { ok: false; problems: FieldProblem[] };

/** Top-level fields with a meaning; any other field is moved into attributes. */
const KNOWN_FIELDS = new Set([
  'timestamp', 'agent_id', 'trace_id', 'span_id', 'parent_span_id', 'span_type', 'name', 'model', 'provider',
  'tokens_input', 'tokens_output', 'tokens_cache_read', 'tokens_cache_write', 'tokens_reasoning',
  'latency_ms', 'cost_usd', 'decision_made', 'decision', 'confidence', 'error', 'error_type', 'error_message',
  'session_id', 'user_id', 'attributes', 'input', 'output',
]);

const SPAN_TYPE_SET: ReadonlySet<string> = new Set(SPAN_TYPES);
const SPAN_TYPE_LIST = SPAN_TYPES.join(', ');

type Out = FieldProblem[];

/** An optional string field: absent, null and "" all mean null. */
function optionalString(value: unknown, field: string, maxLength: number, index: number, out: Out): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') {
    out.push({ index, field, error: `${field}: must be a string, got ${describe(value)}` });
    return null;
  }
  if (value.length > maxLength) {
    out.push({ index, field, error: `${field}: ${value.length} characters exceeds the limit of ${maxLength}` });
    return null;
  }
  return value;
}

function tokenCount(value: unknown, field: string, limits: IngestLimits, index: number, out: Out): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    out.push({ index, field, error: `${field}: must be a non-negative integer, got ${describe(value)}` });
    return 0;
  }
  if (value > limits.maxTokens) {
    out.push({ index, field, error: `${field}: ${value} exceeds the limit of ${limits.maxTokens}` });
    return 0;
  }
  return value;
}

function nonNegativeNumber(value: unknown, field: string, index: number, out: Out): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    out.push({ index, field, error: `${field}: must be a non-negative number, got ${describe(value)}` });
    return null;
  }
  return value;
}

function timestampOf(value: unknown, ctx: ValidateContext, index: number, out: Out): number {
  if (value === undefined || value === null) return ctx.now;
  let ms: number | null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      out.push({ index, field: 'timestamp', error: `timestamp: must be an ISO-8601 string or epoch milliseconds, got ${value}` });
      return ctx.now;
    }
    ms = Math.floor(value);
  } else if (typeof value === 'string') {
    ms = parseIsoTimestamp(value);
    if (ms === null) {
      out.push({ index, field: 'timestamp', error: `timestamp: ${describe(value)} is not an ISO-8601 date-time` });
      return ctx.now;
    }
  } else {
    out.push({ index, field: 'timestamp', error: `timestamp: must be an ISO-8601 string or epoch milliseconds, got ${describe(value)}` });
    return ctx.now;
  }
  const { minTimestamp, maxFutureSkewMs } = ctx.limits;
  if (ms < minTimestamp) {
    const hint = typeof value === 'number' ? ' (epoch milliseconds expected, not seconds)' : '';
    out.push({ index, field: 'timestamp', error: `timestamp: ${describe(value)} is before the limit of ${new Date(minTimestamp).toISOString()}${hint}` });
  } else if (ms > ctx.now + maxFutureSkewMs) {
    out.push({ index, field: 'timestamp', error: `timestamp: ${describe(value)} is more than ${maxFutureSkewMs} ms ahead of the server clock` });
  }
  return ms;
}

function agentIdOf(value: unknown, limits: IngestLimits, index: number, out: Out): string | null {
  if (value === undefined || value === null) {
    out.push({ index, field: 'agent_id', error: 'agent_id: is required' });
    return null;
  }
  if (value === '') {
    out.push({ index, field: 'agent_id', error: 'agent_id: must not be empty' });
    return null;
  }
  return optionalString(value, 'agent_id', limits.maxIdLength, index, out);
}

function latencyOf(value: unknown, limits: IngestLimits, index: number, out: Out): number {
  const latency = nonNegativeNumber(value, 'latency_ms', index, out);
  if (latency === null) return 0;
  if (latency > limits.maxLatencyMs) {
    out.push({ index, field: 'latency_ms', error: `latency_ms: ${latency} exceeds the limit of ${limits.maxLatencyMs}` });
  }
  return latency;
}

function costOf(value: unknown, limits: IngestLimits, index: number, out: Out): number | null {
  const cost = nonNegativeNumber(value, 'cost_usd', index, out);
  if (cost === null || cost <= limits.maxCostUsd) return cost;
  out.push({ index, field: 'cost_usd', error: `cost_usd: ${cost} exceeds the limit of ${limits.maxCostUsd} USD for one event` });
  return null;
}

function spanTypeOf(value: unknown, hasModel: boolean, index: number, out: Out): SpanType {
  if (value === undefined || value === null || value === '') return hasModel ? 'llm_call' : 'custom';
  if (typeof value === 'string' && SPAN_TYPE_SET.has(value)) return value as SpanType;
  out.push({ index, field: 'span_type', error: `span_type: ${describe(value)} is not one of ${SPAN_TYPE_LIST}` });
  return 'custom';
}

function confidenceOf(value: unknown, index: number, out: Out): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    out.push({ index, field: 'confidence', error: `confidence: must be a number in 0..1, got ${describe(value)}` });
    return null;
  }
  if (value < 0 || value > 1) {
    out.push({ index, field: 'confidence', error: `confidence: ${value} is outside 0..1` });
    return null;
  }
  return value;
}

function decisionOf(event: Record<string, unknown>, limits: IngestLimits, index: number, out: Out): string | null {
  const made = optionalString(event.decision_made, 'decision_made', limits.maxIdLength, index, out);
  const alias = optionalString(event.decision, 'decision', limits.maxIdLength, index, out);
  if (made !== null && alias !== null && made !== alias) {
    out.push({ index, field: 'decision', error: `decision: ${describe(alias)} conflicts with decision_made ${describe(made)}` });
  }
  return made ?? alias;
}

/**
 * `error` may be a string (the message), true, or {type, message}; `error_type`/`error_message`
 * fill what it leaves out. Any error without a type gets the type "error".
 */
function errorOf(event: Record<string, unknown>, limits: IngestLimits, index: number, out: Out): [string | null, string | null] {
  const error = event.error;
  let type: string | null;
  let message: string | null;
  let failed = false;
  if (error === undefined || error === null || error === false || error === '') {
    type = optionalString(event.error_type, 'error_type', limits.maxIdLength, index, out);
    message = optionalString(event.error_message, 'error_message', Infinity, index, out);
  } else if (typeof error === 'string' || error === true) {
    failed = true;
    type = optionalString(event.error_type, 'error_type', limits.maxIdLength, index, out);
    message = error === true ? optionalString(event.error_message, 'error_message', Infinity, index, out) : error;
  } else if (typeof error === 'object' && !Array.isArray(error)) {
    failed = true;
    const record = error as Record<string, unknown>;
    type = optionalString(record.type, 'error.type', limits.maxIdLength, index, out);
    message = optionalString(record.message, 'error.message', Infinity, index, out);
  } else {
    out.push({ index, field: 'error', error: `error: must be a string, true or an object {type, message}, got ${describe(error)}` });
    return [null, null];
  }
  if (message !== null) message = truncateUtf8(message, limits.maxErrorMessageLength);
  if (type === null && (failed || message !== null)) type = 'error';
  return [type, message];
}

/** input/output: stored only when captureContent is on; non-strings become JSON; long text is truncated. */
function contentOf(value: unknown, field: string, limits: IngestLimits, index: number, out: Out): string | null {
  if (!limits.captureContent || value === undefined || value === null) return null;
  let text: string | undefined;
  if (typeof value === 'string') {
    text = value;
  } else {
    try {
      text = JSON.stringify(value);
    } catch {
      text = undefined;
    }
    if (text === undefined) {
      out.push({ index, field, error: `${field}: must be a string or a JSON value, got ${describe(value)}` });
      return null;
    }
  }
  return truncateUtf8(text, limits.maxContentBytes);
}

/** Cached tokens are part of tokens_input, reasoning tokens part of tokens_output (GenAI conventions). */
function checkTokenPartitions(
  input: number,
  output: number,
  cacheRead: number,
  cacheWrite: number,
  reasoning: number,
  index: number,
  out: Out,
): void {
  const cached = cacheRead + cacheWrite;
  if (cached > input) {
    out.push({
      index,
      field: 'tokens_input',
      error: `tokens_input: ${input} is less than tokens_cache_read + tokens_cache_write (${cached}); tokens_input must include cached tokens`,
    });
  }
  if (reasoning > output) {
    out.push({
      index,
      field: 'tokens_output',
      error: `tokens_output: ${output} is less than tokens_reasoning (${reasoning}); tokens_output must include reasoning tokens`,
    });
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Validates and normalises one native event.
 * @example
 * validateEvent({ agent_id: 'planner', model: 'gpt-4o', tokens_input: 1200 }, 0, { project: 'p', now: Date.now(), limits: DEFAULT_LIMITS })
 * // → { ok: true, span: { span_type: 'llm_call', trace_id: '<32 hex>', ... } }
 */
export function validateEvent(raw: unknown, index: number, ctx: ValidateContext): EventValidation {
  if (!isPlainObject(raw)) {
    return { ok: false, problems: [{ index, field: 'event', error: `event: must be a JSON object, got ${describe(raw)}` }] };
  }
  const limits = ctx.limits;
  const out: Out = [];
  let extraKeys: string[] | null = null;
  for (const key in raw) {
    if (KNOWN_FIELDS.has(key)) continue;
    if (isForbiddenKey(key)) out.push({ index, field: key, error: `${key}: key is not allowed` });
    else (extraKeys ??= []).push(key);
  }

  // Checked in the documented field order, so problems come back in that order.
  const timestamp = timestampOf(raw.timestamp, ctx, index, out);
  const agentId = agentIdOf(raw.agent_id, limits, index, out);
  const traceId = optionalString(raw.trace_id, 'trace_id', limits.maxIdLength, index, out);
  const spanId = optionalString(raw.span_id, 'span_id', limits.maxIdLength, index, out);
  const parentSpanId = optionalString(raw.parent_span_id, 'parent_span_id', limits.maxIdLength, index, out);
  const model = optionalString(raw.model, 'model', limits.maxIdLength, index, out);
  const spanType = spanTypeOf(raw.span_type, model !== null, index, out);
  const name = optionalString(raw.name, 'name', limits.maxNameLength, index, out);
  const provider = optionalString(raw.provider, 'provider', limits.maxIdLength, index, out);
  const beforeTokens = out.length;
  const tokensInput = tokenCount(raw.tokens_input, 'tokens_input', limits, index, out);
  const tokensOutput = tokenCount(raw.tokens_output, 'tokens_output', limits, index, out);
  const tokensCacheRead = tokenCount(raw.tokens_cache_read, 'tokens_cache_read', limits, index, out);
  const tokensCacheWrite = tokenCount(raw.tokens_cache_write, 'tokens_cache_write', limits, index, out);
  const tokensReasoning = tokenCount(raw.tokens_reasoning, 'tokens_reasoning', limits, index, out);
  if (out.length === beforeTokens) {
    checkTokenPartitions(tokensInput, tokensOutput, tokensCacheRead, tokensCacheWrite, tokensReasoning, index, out);
  }
  const latency = latencyOf(raw.latency_ms, limits, index, out);
  const cost = costOf(raw.cost_usd, limits, index, out);
  const decision = decisionOf(raw, limits, index, out);
  const confidence = confidenceOf(raw.confidence, index, out);
  const [errorType, errorMessage] = errorOf(raw, limits, index, out);
  const sessionId = optionalString(raw.session_id, 'session_id', limits.maxIdLength, index, out);
  const userId = optionalString(raw.user_id, 'user_id', limits.maxIdLength, index, out);
  const attributes = buildAttributes(raw.attributes, extraKeys, raw, limits, index, out);
  const input = contentOf(raw.input, 'input', limits, index, out);
  const output = contentOf(raw.output, 'output', limits, index, out);
  if (out.length > 0) return { ok: false, problems: out };

  const span: Span = {
    project: ctx.project,
    timestamp,
    agent_id: agentId as string,
    trace_id: traceId ?? randomHexId(16),
    span_id: spanId ?? randomHexId(8),
    parent_span_id: parentSpanId,
    span_type: spanType,
    name,
    model,
    provider,
    tokens_input: tokensInput,
    tokens_output: tokensOutput,
    tokens_cache_read: tokensCacheRead,
    tokens_cache_write: tokensCacheWrite,
    tokens_reasoning: tokensReasoning,
    latency_ms: latency,
    cost_usd: cost,
    cost_source: cost === null ? 'none' : 'given',
    decision_made: decision,
    confidence,
    error_type: errorType,
    error_message: errorMessage,
    session_id: sessionId,
    user_id: userId,
    attributes,
    input,
    output,
    ingested_at: ctx.now,
  };
  return { ok: true, span };
}
