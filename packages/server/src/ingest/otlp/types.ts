// The decoded shape of OTLP data that both wire formats (protobuf and JSON) produce, so the
// mapping to native events is written once.

/** An OTLP AnyValue as plain JSON: int64 beyond 2^53 is a decimal string, bytes are base64. */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };

/** OTLP attributes as a plain object, built with setAttribute so a `__proto__` key stays a key. */
export type Attributes = Record<string, AttrValue>;

export interface OtlpEvent {
  name: string;
  timeNanos: bigint;
  attributes: Attributes;
}

/** One span whose ids and enums have been checked; ids are lowercase hex. */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  /** null for a root span. */
  parentSpanId: string | null;
  name: string;
  kind: number;
  startNanos: bigint;
  endNanos: bigint;
  attributes: Attributes;
  events: OtlpEvent[];
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
}

/** What a span inherits from its envelope: resource attributes and instrumentation scope. */
export interface SpanOrigin {
  resource: Attributes;
  scopeName: string;
  scopeVersion: string;
}

export interface InvalidItems {
  count: number;
  /** At most a few dozen, each naming the item and the problem. */
  messages: string[];
}

export interface DecodedSpans {
  spans: OtlpSpan[];
  /** Parallel to `spans`. */
  origins: SpanOrigin[];
  invalid: InvalidItems;
}

/** A decoded metric: only what Sightline needs to keep GenAI metrics and explain the rest. */
export interface OtlpMetric {
  name: string;
  unit: string;
  kind: 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary' | 'empty';
  /** 0 unspecified, 1 delta, 2 cumulative. */
  temporality: number;
  resource: Attributes;
  histogramPoints: OtlpHistogramPoint[];
  /** All data points of any kind, for counting what is dropped. */
  pointCount: number;
}

export interface OtlpHistogramPoint {
  attributes: Attributes;
  startNanos: bigint;
  timeNanos: bigint;
  count: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  bucketCounts: number[];
  explicitBounds: number[];
}

/** At most this many problem messages are kept per request; the count is always exact. */
export const MAX_INVALID_MESSAGES = 20;

export function noteInvalid(invalid: InvalidItems, message: string): void {
  invalid.count++;
  if (invalid.messages.length < MAX_INVALID_MESSAGES) invalid.messages.push(message);
}

export function newAttributes(): Attributes {
  return {};
}

/**
 * Sets one attribute. `__proto__` becomes an own key instead of replacing the prototype, so the
 * attribute validator sees it and rejects it by name.
 */
export function setAttribute(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
