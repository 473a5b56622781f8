// Builders for OTLP requests in both wire formats, for tests and the benchmark: one description
// of a span becomes an OTLP/JSON object or protobuf bytes.

import { encodeRequestProto } from './proto.js';

export type Value = string | number | boolean | bigint | Uint8Array | Value[] | { [key: string]: Value };

export interface SpanSpec {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startNanos: bigint;
  endNanos: bigint;
  attributes?: Record<string, Value>;
  events?: { name: string; timeNanos: bigint; attributes?: Record<string, Value> }[];
  status?: { code: number; message?: string };
}

export interface RequestSpec {
  resource?: Record<string, Value>;
  scope?: { name: string; version?: string };
  spans: SpanSpec[];
}

/** 2026-01-01T00:00:00Z in nanoseconds. */
export const T0 = 1_767_225_600_000n * 1_000_000n;

function anyValueJson(v: Value): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'bigint') return { intValue: v.toString() };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: v } : { doubleValue: v };
  if (v instanceof Uint8Array) return { bytesValue: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValueJson) } };
  return { kvlistValue: { values: kvJson(v) } };
}

function kvJson(attrs: Record<string, Value> = {}): Record<string, unknown>[] {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: anyValueJson(value) }));
}

/** An ExportTraceServiceRequest as OTLP/JSON (hex ids, int64 times as strings). */
export function tracesJson(spec: RequestSpec): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: { attributes: kvJson(spec.resource) },
        scopeSpans: [
          {
            scope: spec.scope ?? { name: 'sightline-test', version: '1.0.0' },
            spans: spec.spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              name: s.name,
              kind: s.kind ?? 1,
              startTimeUnixNano: s.startNanos.toString(),
              endTimeUnixNano: s.endNanos.toString(),
              attributes: kvJson(s.attributes),
              events: (s.events ?? []).map((e) => ({ name: e.name, timeUnixNano: e.timeNanos.toString(), attributes: kvJson(e.attributes) })),
              status: s.status ?? {},
            })),
          },
        ],
      },
    ],
  };
}

function anyValueProto(v: Value): Record<string, unknown> {
  if (v instanceof Uint8Array) return { bytesValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValueProto) } };
  if (typeof v === 'object') return { kvlistValue: { values: kvProto(v) } };
  return anyValueJson(v);
}

function kvProto(attrs: Record<string, Value> = {}): Record<string, unknown>[] {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: anyValueProto(value) }));
}

const hexBytes = (hex: string) => Buffer.from(hex, 'hex');

/** The same request as protobuf bytes. Ids are taken as hex, so odd lengths can be tested. */
export function tracesProto(spec: RequestSpec): Uint8Array {
  return encodeRequestProto('traces', {
    resourceSpans: [
      {
        resource: { attributes: kvProto(spec.resource) },
        scopeSpans: [
          {
            scope: spec.scope ?? { name: 'sightline-test', version: '1.0.0' },
            spans: spec.spans.map((s) => ({
              traceId: hexBytes(s.traceId),
              spanId: hexBytes(s.spanId),
              parentSpanId: hexBytes(s.parentSpanId ?? ''),
              name: s.name,
              kind: s.kind ?? 1,
              startTimeUnixNano: s.startNanos.toString(),
              endTimeUnixNano: s.endNanos.toString(),
              attributes: kvProto(s.attributes),
              events: (s.events ?? []).map((e) => ({ name: e.name, timeUnixNano: e.timeNanos.toString(), attributes: kvProto(e.attributes) })),
              status: s.status ?? {},
            })),
          },
        ],
      },
    ],
  });
}

/** A GenAI chat span with tokens, as most instrumentations send it. */
export function chatSpan(overrides: Partial<SpanSpec> & { attributes?: Record<string, Value> } = {}): SpanSpec {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '00f067aa0ba902b7',
    name: 'chat gpt-4o',
    kind: 3,
    startNanos: T0,
    endNanos: T0 + 1_250_000_000n,
    ...overrides,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.request.temperature': 0.2,
      ...overrides.attributes,
    },
  };
}
