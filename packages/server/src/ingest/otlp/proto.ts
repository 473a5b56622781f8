// OTLP protobuf with protobufjs over the vendored opentelemetry-proto files: decodes
// ExportMetricsServiceRequest (after proto-count.ts has bounded it) and encodes the responses.
// Traces are read by proto-traces.ts, logs are only counted (proto-count.ts).

import type protobuf from 'protobufjs';
import { root } from './proto-schema.js';
import type { Attributes, AttrValue, OtlpHistogramPoint, OtlpMetric } from './types.js';
import { newAttributes, setAttribute } from './types.js';

export const TraceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const MetricsRequest = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
const LogsRequest = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
const RESPONSE_TYPES = {
  traces: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
  metrics: root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse'),
  logs: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse'),
};

// protobufjs messages are dynamic; these name only the fields read here.
type Long = { low: number; high: number; unsigned: boolean };
export type Int64 = Long | number | string;
interface PbAnyValue {
  value?: string;
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Int64;
  doubleValue?: number;
  arrayValue?: { values?: PbAnyValue[] };
  kvlistValue?: { values?: PbKeyValue[] };
  bytesValue?: Uint8Array;
}
export interface PbKeyValue {
  key: string;
  value?: PbAnyValue | null;
}
/** Deeper values are replaced by null; the attribute validator rejects far shallower nesting anyway. */
const MAX_VALUE_DEPTH = 16;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function int64ToBigInt(value: Int64): bigint {
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  if (typeof value === 'string') return BigInt(value);
  const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return value.unsigned ? bits : BigInt.asIntN(64, bits);
}

/** int64 attribute values: a number when exact, else a decimal string (never silently rounded). */
export function int64Value(value: bigint): number | string {
  return value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : value.toString();
}

/** JSON has no NaN or Infinity; the OTLP/JSON spellings are kept as strings. */
export function doubleValue(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

function anyValue(v: PbAnyValue | null | undefined, depth: number): AttrValue {
  if (v === null || v === undefined || depth > MAX_VALUE_DEPTH) return null;
  switch (v.value) {
    case 'stringValue':
      return v.stringValue ?? '';
    case 'boolValue':
      return v.boolValue ?? false;
    case 'intValue':
      return int64Value(int64ToBigInt(v.intValue ?? 0));
    case 'doubleValue':
      return doubleValue(v.doubleValue ?? 0);
    case 'arrayValue':
      return (v.arrayValue?.values ?? []).map((item) => anyValue(item, depth + 1));
    case 'kvlistValue':
      return keyValues(v.kvlistValue?.values, depth + 1);
    case 'bytesValue':
      return v.bytesValue === undefined ? '' : Buffer.from(v.bytesValue).toString('base64');
    default:
      return null;
  }
}

export function keyValues(list: PbKeyValue[] | undefined, depth: number): Attributes {
  const out = newAttributes();
  if (list === undefined) return out;
  for (const kv of list) setAttribute(out, kv.key, anyValue(kv.value, depth));
  return out;
}

export type ProtoDecoded<T> = { ok: true; value: T } | { ok: false; message: string };

export function decodeMessage(type: protobuf.Type, bytes: Uint8Array): ProtoDecoded<unknown> {
  try {
    return { ok: true, value: type.decode(bytes) };
  } catch (err) {
    return { ok: false, message: `undecodable ${type.name} protobuf: ${(err as Error).message}` };
  }
}

interface PbHistogramPoint {
  attributes: PbKeyValue[];
  startTimeUnixNano: Int64;
  timeUnixNano: Int64;
  count: Int64;
  sum?: number | null;
  min?: number | null;
  max?: number | null;
  bucketCounts: Int64[];
  explicitBounds: number[];
}
interface PbMetric {
  name: string;
  unit: string;
  data?: string;
  gauge?: { dataPoints: unknown[] };
  sum?: { dataPoints: unknown[]; aggregationTemporality: number };
  histogram?: { dataPoints: PbHistogramPoint[]; aggregationTemporality: number };
  exponentialHistogram?: { dataPoints: unknown[]; aggregationTemporality: number };
  summary?: { dataPoints: unknown[] };
}

function histogramPoint(p: PbHistogramPoint): OtlpHistogramPoint {
  // Optional doubles are unset (null/undefined) or numbers; protobufjs leaves the prototype default otherwise.
  const optional = (v: number | null | undefined, present: boolean) => (present && typeof v === 'number' ? v : null);
  return {
    attributes: keyValues(p.attributes, 1),
    startNanos: int64ToBigInt(p.startTimeUnixNano),
    timeNanos: int64ToBigInt(p.timeUnixNano),
    count: Number(int64ToBigInt(p.count)),
    sum: optional(p.sum, Object.hasOwn(p, 'sum')),
    min: optional(p.min, Object.hasOwn(p, 'min')),
    max: optional(p.max, Object.hasOwn(p, 'max')),
    bucketCounts: p.bucketCounts.map((c) => Number(int64ToBigInt(c))),
    explicitBounds: [...p.explicitBounds],
  };
}

function metricFromProto(pb: PbMetric, resource: Attributes): OtlpMetric {
  const metric: OtlpMetric = { name: pb.name, unit: pb.unit, kind: 'empty', temporality: 0, resource, histogramPoints: [], pointCount: 0 };
  switch (pb.data) {
    case 'gauge':
      metric.kind = 'gauge';
      metric.pointCount = pb.gauge?.dataPoints.length ?? 0;
      break;
    case 'sum':
      metric.kind = 'sum';
      metric.temporality = pb.sum?.aggregationTemporality ?? 0;
      metric.pointCount = pb.sum?.dataPoints.length ?? 0;
      break;
    case 'histogram':
      metric.kind = 'histogram';
      metric.temporality = pb.histogram?.aggregationTemporality ?? 0;
      metric.histogramPoints = (pb.histogram?.dataPoints ?? []).map(histogramPoint);
      metric.pointCount = metric.histogramPoints.length;
      break;
    case 'exponentialHistogram':
      metric.kind = 'exponential_histogram';
      metric.temporality = pb.exponentialHistogram?.aggregationTemporality ?? 0;
      metric.pointCount = pb.exponentialHistogram?.dataPoints.length ?? 0;
      break;
    case 'summary':
      metric.kind = 'summary';
      metric.pointCount = pb.summary?.dataPoints.length ?? 0;
      break;
  }
  return metric;
}

export function decodeMetricsProto(bytes: Uint8Array): ProtoDecoded<OtlpMetric[]> {
  const decoded = decodeMessage(MetricsRequest, bytes);
  if (!decoded.ok) return decoded;
  const request = decoded.value as {
    resourceMetrics: { resource?: { attributes: PbKeyValue[] } | null; scopeMetrics: { metrics: PbMetric[] }[] }[];
  };
  const metrics: OtlpMetric[] = [];
  for (const rm of request.resourceMetrics) {
    const resource = keyValues(rm.resource?.attributes, 1);
    for (const sm of rm.scopeMetrics) for (const m of sm.metrics) metrics.push(metricFromProto(m, resource));
  }
  return { ok: true, value: metrics };
}

export type Signal = keyof typeof RESPONSE_TYPES;

const REJECTED_FIELD: Record<Signal, string> = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords' };

/** Export<Signal>ServiceResponse; `partial_success` is left unset unless something is rejected or there is a message. */
export function encodeResponseProto(signal: Signal, partial: { rejected: number; errorMessage: string } | null): Buffer {
  const type = RESPONSE_TYPES[signal];
  const body = partial === null ? {} : { partialSuccess: { [REJECTED_FIELD[signal]]: partial.rejected, errorMessage: partial.errorMessage } };
  const bytes = type.encode(type.fromObject(body)).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** For tests and the benchmark: encodes a request given as a protobufjs-style plain object. */
export function encodeRequestProto(signal: Signal, request: Record<string, unknown>): Uint8Array {
  const type = signal === 'traces' ? TraceRequest : signal === 'metrics' ? MetricsRequest : LogsRequest;
  return type.encode(type.fromObject(request)).finish();
}

/** For tests: reads an Export<Signal>ServiceResponse back into a plain object (int64 as strings). */
export function decodeResponseProto(signal: Signal, bytes: Uint8Array): Record<string, unknown> {
  const type = RESPONSE_TYPES[signal];
  return type.toObject(type.decode(bytes), { longs: String });
}
