// OTLP/JSON (opentelemetry-proto docs/specification.md, "JSON Protobuf Encoding"): lowerCamelCase
// keys, hex trace/span ids, enums as integers (names accepted too), int64 as number or decimal
// string, bytes as base64, unknown fields ignored. Produces the same shapes as the protobuf decoder.

import { enumValue, idProblem, SPAN_KINDS, spanLabel, STATUS_CODES } from './ids.js';
import { doubleValue, int64Value } from './proto.js';
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
import { BudgetCounter, DecodeStop, type Decoded, type DecodeBudget } from './wire.js';

type Json = Record<string, unknown>;

const MAX_VALUE_DEPTH = 16;
const INTEGER = /^-?\d+$/;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** An int64 sent as a JSON number or a decimal string; null when it is neither. */
export function jsonInt64(value: unknown): bigint | null {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : null;
  if (typeof value === 'string' && INTEGER.test(value) && value.length <= 21) return BigInt(value);
  return null;
}

function jsonDouble(value: unknown): number | string | null {
  if (typeof value === 'number') return value;
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function anyValue(v: unknown, depth: number, counter: BudgetCounter): AttrValue {
  if (!isObject(v) || depth > MAX_VALUE_DEPTH) return null;
  if ('stringValue' in v) return typeof v.stringValue === 'string' ? v.stringValue : null;
  if ('boolValue' in v) return typeof v.boolValue === 'boolean' ? v.boolValue : null;
  if ('intValue' in v) {
    const n = jsonInt64(v.intValue);
    return n === null ? null : int64Value(n);
  }
  if ('doubleValue' in v) {
    const d = jsonDouble(v.doubleValue);
    return d === null ? null : doubleValue(typeof d === 'string' ? Number(d) : d);
  }
  if ('arrayValue' in v) {
    const values = isObject(v.arrayValue) ? list(v.arrayValue.values) : [];
    return values.map((item) => {
      counter.value();
      return anyValue(item, depth + 1, counter);
    });
  }
  if ('kvlistValue' in v) return keyValues(isObject(v.kvlistValue) ? v.kvlistValue.values : undefined, depth + 1, counter);
  if ('bytesValue' in v) return typeof v.bytesValue === 'string' ? v.bytesValue : null;
  return null;
}

function keyValues(value: unknown, depth: number, counter: BudgetCounter): Attributes {
  const out = newAttributes();
  for (const kv of list(value)) {
    counter.value();
    if (isObject(kv) && typeof kv.key === 'string') setAttribute(out, kv.key, anyValue(kv.value, depth, counter));
  }
  return out;
}

function idOf(value: unknown): string {
  return typeof value === 'string' ? value.toLowerCase() : '';
}

function spanFromJson(raw: unknown, position: number, counter: BudgetCounter): OtlpSpan | string {
  if (!isObject(raw)) return `span #${position}: must be a JSON object`;
  const spanId = idOf(raw.spanId);
  const label = spanLabel(spanId, position);
  const traceId = idOf(raw.traceId);
  const parent = idOf(raw.parentSpanId);
  const problem =
    idProblem('traceId', traceId, 32) ??
    idProblem('spanId', spanId, 16) ??
    (parent === '' ? null : idProblem('parentSpanId', parent, 16));
  if (problem !== null) return `${label}: ${problem}`;
  const kind = enumValue(raw.kind, SPAN_KINDS);
  if (kind < 0) return `${label}: kind ${JSON.stringify(raw.kind)} is not a SpanKind (0..5)`;
  const status = isObject(raw.status) ? raw.status : {};
  const statusCode = enumValue(status.code, STATUS_CODES);
  if (statusCode < 0) return `${label}: status.code ${JSON.stringify(status.code)} is not a StatusCode (0 unset, 1 ok, 2 error)`;
  const start = raw.startTimeUnixNano === undefined ? 0n : jsonInt64(raw.startTimeUnixNano);
  const end = raw.endTimeUnixNano === undefined ? 0n : jsonInt64(raw.endTimeUnixNano);
  if (start === null) return `${label}: startTimeUnixNano ${JSON.stringify(raw.startTimeUnixNano)} must be an integer (number or decimal string)`;
  if (end === null) return `${label}: endTimeUnixNano ${JSON.stringify(raw.endTimeUnixNano)} must be an integer (number or decimal string)`;
  const events: OtlpEvent[] = [];
  for (const e of list(raw.events)) {
    counter.value();
    if (!isObject(e)) continue;
    events.push({
      name: typeof e.name === 'string' ? e.name : '',
      timeNanos: jsonInt64(e.timeUnixNano) ?? 0n,
      attributes: keyValues(e.attributes, 1, counter),
    });
  }
  return {
    traceId,
    spanId,
    parentSpanId: parent === '' ? null : parent,
    name: typeof raw.name === 'string' ? raw.name : '',
    kind,
    startNanos: start,
    endNanos: end,
    attributes: keyValues(raw.attributes, 1, counter),
    events,
    statusCode,
    statusMessage: typeof status.message === 'string' ? status.message : '',
  };
}

function requestList(request: unknown, field: string): Decoded<unknown[]> {
  if (!isObject(request)) return { ok: false, status: 400, message: `OTLP/JSON body must be a JSON object with "${field}"` };
  const value = request[field];
  if (value === undefined || value === null) return { ok: true, value: [] };
  if (!Array.isArray(value)) return { ok: false, status: 400, message: `${field}: must be an array` };
  return { ok: true, value };
}

/** Runs a decode whose budget counter throws DecodeStop(413) past a limit; returns it as a value. */
function bounded<T>(budget: DecodeBudget, run: (counter: BudgetCounter) => Decoded<T>): Decoded<T> {
  try {
    return run(new BudgetCounter(budget));
  } catch (err) {
    if (err instanceof DecodeStop) return { ok: false, status: err.status, message: err.message };
    throw err;
  }
}

/**
 * Decodes a parsed ExportTraceServiceRequest; spans with bad ids or enums are counted as invalid.
 * Spans and values are counted against the budget as they are mapped: 413 past it.
 */
export function decodeTracesJson(request: unknown, budget: DecodeBudget): Decoded<DecodedSpans> {
  const top = requestList(request, 'resourceSpans');
  if (!top.ok) return top;
  return bounded(budget, (counter) => {
    const out: DecodedSpans = { spans: [], origins: [], invalid: { count: 0, messages: [] } };
    let position = 0;
    for (const rs of top.value) {
      counter.value();
      if (!isObject(rs)) continue;
      const resource = keyValues(isObject(rs.resource) ? rs.resource.attributes : undefined, 1, counter);
      for (const ss of list(rs.scopeSpans)) {
        counter.value();
        if (!isObject(ss)) continue;
        const scope = isObject(ss.scope) ? ss.scope : {};
        const origin = {
          resource,
          scopeName: typeof scope.name === 'string' ? scope.name : '',
          scopeVersion: typeof scope.version === 'string' ? scope.version : '',
        };
        for (const raw of list(ss.spans)) {
          counter.item();
          const span = spanFromJson(raw, position++, counter);
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
  });
}

function numberOrNull(value: unknown): number | null {
  const d = jsonDouble(value);
  return typeof d === 'number' ? d : null;
}

function histogramPoint(p: Json, counter: BudgetCounter): OtlpHistogramPoint {
  return {
    attributes: keyValues(p.attributes, 1, counter),
    startNanos: jsonInt64(p.startTimeUnixNano) ?? 0n,
    timeNanos: jsonInt64(p.timeUnixNano) ?? 0n,
    count: Number(jsonInt64(p.count) ?? 0n),
    sum: numberOrNull(p.sum),
    min: numberOrNull(p.min),
    max: numberOrNull(p.max),
    bucketCounts: list(p.bucketCounts).map((c) => Number(jsonInt64(c) ?? 0n)),
    explicitBounds: list(p.explicitBounds).map((b) => numberOrNull(b) ?? 0),
  };
}

const TEMPORALITIES = ['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE'];

const METRIC_KINDS = [
  ['gauge', 'gauge'],
  ['sum', 'sum'],
  ['histogram', 'histogram'],
  ['exponentialHistogram', 'exponential_histogram'],
  ['summary', 'summary'],
] as const;

function metricFromJson(m: Json, resource: Attributes, counter: BudgetCounter): OtlpMetric {
  const metric: OtlpMetric = {
    name: typeof m.name === 'string' ? m.name : '',
    unit: typeof m.unit === 'string' ? m.unit : '',
    kind: 'empty',
    temporality: 0,
    resource,
    histogramPoints: [],
    pointCount: 0,
  };
  for (const [key, kind] of METRIC_KINDS) {
    const data = m[key];
    if (!isObject(data)) continue;
    const points = list(data.dataPoints);
    metric.kind = kind;
    metric.temporality = Math.max(0, enumValue(data.aggregationTemporality, TEMPORALITIES));
    for (let i = 0; i < points.length; i++) counter.item();
    metric.pointCount = points.length;
    if (kind === 'histogram') metric.histogramPoints = points.filter(isObject).map((p) => histogramPoint(p, counter));
    break;
  }
  return metric;
}

/** Decodes a parsed ExportMetricsServiceRequest; data points count against the budget (413 past it). */
export function decodeMetricsJson(request: unknown, budget: DecodeBudget): Decoded<OtlpMetric[]> {
  const top = requestList(request, 'resourceMetrics');
  if (!top.ok) return top;
  return bounded(budget, (counter) => {
    const metrics: OtlpMetric[] = [];
    for (const rm of top.value) {
      if (!isObject(rm)) continue;
      const resource = keyValues(isObject(rm.resource) ? rm.resource.attributes : undefined, 1, counter);
      for (const sm of list(rm.scopeMetrics)) {
        if (!isObject(sm)) continue;
        for (const m of list(sm.metrics)) if (isObject(m)) metrics.push(metricFromJson(m, resource, counter));
      }
    }
    return { ok: true, value: metrics };
  });
}

/** Counts the log records of a parsed ExportLogsServiceRequest; 413 past the budget. */
export function decodeLogsJson(request: unknown, budget: DecodeBudget): Decoded<number> {
  const top = requestList(request, 'resourceLogs');
  if (!top.ok) return top;
  return bounded(budget, (counter) => {
    for (const rl of top.value) {
      if (!isObject(rl)) continue;
      for (const sl of list(rl.scopeLogs)) if (isObject(sl)) for (let n = list(sl.logRecords).length; n > 0; n--) counter.item();
    }
    return { ok: true, value: counter.items };
  });
}
