// OTLP protobuf: decodes Export{Trace,Metrics,Logs}ServiceRequest with protobufjs over the
// vendored opentelemetry-proto files (packages/server/proto) and encodes the responses.
// The .proto files are parsed once, when this module is first imported.

import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { SightlineError } from '../../model/errors.js';
import { enumValue, idProblem, SPAN_KINDS, spanLabel, STATUS_CODES } from './ids.js';
import {
  newAttributes,
  noteInvalid,
  setAttribute,
  type Attributes,
  type AttrValue,
  type DecodedSpans,
  type OtlpEvent,
  type OtlpHistogramPoint,
  type OtlpMetric,
  type OtlpSpan,
} from './types.js';

/** Same relative path from src/ingest/otlp (vitest, tsx) and dist/ingest/otlp (built). */
const PROTO_ROOT = fileURLToPath(new URL('../../../proto/', import.meta.url));

const SERVICE_FILES = [
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
];

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // Imports name files relative to the proto root ("opentelemetry/proto/common/v1/common.proto").
  root.resolvePath = (_origin, target) => PROTO_ROOT + target;
  try {
    root.loadSync(SERVICE_FILES, { keepCase: false });
    root.resolveAll();
  } catch (err) {
    throw new SightlineError('INTERNAL', `cannot load the OTLP .proto files from ${PROTO_ROOT}: ${(err as Error).message}`, { cause: err });
  }
  return root;
}

const root = loadRoot();
const TraceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const MetricsRequest = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
const LogsRequest = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
const RESPONSE_TYPES = {
  traces: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
  metrics: root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse'),
  logs: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse'),
};

// protobufjs messages are dynamic; these name only the fields read here.
type Long = { low: number; high: number; unsigned: boolean };
type Int64 = Long | number | string;
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
interface PbKeyValue {
  key: string;
  value?: PbAnyValue | null;
}
interface PbScope {
  name?: string;
  version?: string;
}
interface PbSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: Int64;
  endTimeUnixNano: Int64;
  attributes: PbKeyValue[];
  events: { timeUnixNano: Int64; name: string; attributes: PbKeyValue[] }[];
  status?: { code: number; message: string } | null;
}
interface PbResourceSpans {
  resource?: { attributes: PbKeyValue[] } | null;
  scopeSpans: { scope?: PbScope | null; spans: PbSpan[] }[];
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

function hex(bytes: Uint8Array | undefined): string {
  if (bytes === undefined || bytes.length === 0) return '';
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
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

function keyValues(list: PbKeyValue[] | undefined, depth: number): Attributes {
  const out = newAttributes();
  if (list === undefined) return out;
  for (const kv of list) setAttribute(out, kv.key, anyValue(kv.value, depth));
  return out;
}

function spanFromProto(pb: PbSpan, position: number): OtlpSpan | string {
  const spanId = hex(pb.spanId);
  const label = spanLabel(spanId, position);
  const traceId = hex(pb.traceId);
  const parent = hex(pb.parentSpanId);
  const problem =
    idProblem('traceId', traceId, 32) ??
    idProblem('spanId', spanId, 16) ??
    (parent === '' ? null : idProblem('parentSpanId', parent, 16));
  if (problem !== null) return `${label}: ${problem}`;
  const kind = enumValue(pb.kind, SPAN_KINDS);
  if (kind < 0) return `${label}: kind ${pb.kind} is not a SpanKind (0..5)`;
  const statusCode = enumValue(pb.status?.code ?? 0, STATUS_CODES);
  if (statusCode < 0) return `${label}: status.code ${pb.status?.code} is not a StatusCode (0 unset, 1 ok, 2 error)`;
  const events: OtlpEvent[] = pb.events.map((e) => ({
    name: e.name,
    timeNanos: int64ToBigInt(e.timeUnixNano),
    attributes: keyValues(e.attributes, 1),
  }));
  return {
    traceId,
    spanId,
    parentSpanId: parent === '' ? null : parent,
    name: pb.name,
    kind,
    startNanos: int64ToBigInt(pb.startTimeUnixNano),
    endNanos: int64ToBigInt(pb.endTimeUnixNano),
    attributes: keyValues(pb.attributes, 1),
    events,
    statusCode,
    statusMessage: pb.status?.message ?? '',
  };
}

export type ProtoDecoded<T> = { ok: true; value: T } | { ok: false; message: string };

function decodeMessage(type: protobuf.Type, bytes: Uint8Array): ProtoDecoded<unknown> {
  try {
    return { ok: true, value: type.decode(bytes) };
  } catch (err) {
    return { ok: false, message: `undecodable ${type.name} protobuf: ${(err as Error).message}` };
  }
}

/** Decodes an ExportTraceServiceRequest; spans with bad ids or enums are counted as invalid, not fatal. */
export function decodeTracesProto(bytes: Uint8Array): ProtoDecoded<DecodedSpans> {
  const decoded = decodeMessage(TraceRequest, bytes);
  if (!decoded.ok) return decoded;
  const request = decoded.value as { resourceSpans: PbResourceSpans[] };
  const out: DecodedSpans = { spans: [], origins: [], invalid: { count: 0, messages: [] } };
  let position = 0;
  for (const rs of request.resourceSpans) {
    const resource = keyValues(rs.resource?.attributes, 1);
    for (const ss of rs.scopeSpans) {
      const origin = { resource, scopeName: ss.scope?.name ?? '', scopeVersion: ss.scope?.version ?? '' };
      for (const pb of ss.spans) {
        const span = spanFromProto(pb, position++);
        if (typeof span === 'string') {
          noteInvalid(out.invalid, span);
          continue;
        }
        out.spans.push(span);
        out.origins.push(origin);
      }
    }
  }
  return { ok: true, value: out };
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

/** Decodes an ExportLogsServiceRequest and returns how many log records it holds. */
export function decodeLogsProto(bytes: Uint8Array): ProtoDecoded<number> {
  const decoded = decodeMessage(LogsRequest, bytes);
  if (!decoded.ok) return decoded;
  const request = decoded.value as { resourceLogs: { scopeLogs: { logRecords: unknown[] }[] }[] };
  let count = 0;
  for (const rl of request.resourceLogs) for (const sl of rl.scopeLogs) count += sl.logRecords.length;
  return { ok: true, value: count };
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
