// OTLP/HTTP request bodies → native events (traces), GenAI metric points (metrics) or a count
// (logs), and the Export*ServiceResponse bodies that answer them. No HTTP here: the route reads
// the body, calls these, runs the ingest pipeline and sends what they return.

import { evaluationScores } from './evaluation-events.js';
import type { FieldProblem } from '../../model/errors.js';
import type { IngestLimits } from '../../model/limits.js';
import { decompress, mediaTypeOf } from '../decompress.js';
import { droppedMetricsMessage, selectGenAiMetrics, type GenAiMetricPoint } from './genai-metrics.js';
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson } from './json.js';
import { mapSpan } from './map-span.js';
import { decodeMetricsProto, encodeResponseProto, type Signal } from './proto.js';
import { scanLogsProto, scanMetricsProto } from './proto-scan.js';
import { decodeTracesProto } from './proto-traces.js';
import type { InvalidItems, OtlpMetric } from './types.js';
import type { Decoded, DecodeBudget } from './wire.js';

export type OtlpFailure = { ok: false; status: 400 | 413 | 415; message: string };

type Format = 'protobuf' | 'json';
type Limits = Pick<IngestLimits, 'maxBodyBytes' | 'maxEventsPerRequest' | 'maxAttributes'>;

const PROTOBUF_TYPES = new Set(['application/x-protobuf', 'application/protobuf']);
const ACCEPTED_TYPES = 'application/x-protobuf, application/json';

/**
 * What one request may make the decoder build. Values (attributes, array elements, span events)
 * are bounded as if every item carried the most attributes an event may keep.
 */
export function decodeBudget(limits: Limits, itemName: string): DecodeBudget {
  return { maxItems: limits.maxEventsPerRequest, itemName, maxValues: limits.maxEventsPerRequest * limits.maxAttributes };
}

function formatOf(contentType: string | undefined): Format | null {
  const type = mediaTypeOf(contentType);
  if (PROTOBUF_TYPES.has(type)) return 'protobuf';
  return type === 'application/json' ? 'json' : null;
}

/** Content type and encoding checks, decompression and the format-specific decoder, in that order. */
function decodeBody<T>(
  body: Uint8Array,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  limits: Limits,
  itemName: string,
  decoders: { protobuf: (bytes: Uint8Array, budget: DecodeBudget) => Decoded<T>; json: (value: unknown, budget: DecodeBudget) => Decoded<T> },
): { ok: true; value: T } | OtlpFailure {
  const format = formatOf(contentType);
  if (format === null) {
    const given = contentType === undefined ? 'no Content-Type' : `unsupported Content-Type ${JSON.stringify(contentType)}`;
    return { ok: false, status: 415, message: `${given}; OTLP/HTTP accepts ${ACCEPTED_TYPES}` };
  }
  const decompressed = decompress(body, contentEncoding, limits.maxBodyBytes);
  if (!decompressed.ok) return decompressed;
  const budget = decodeBudget(limits, itemName);
  let decoded: Decoded<T>;
  if (format === 'protobuf') {
    decoded = decoders.protobuf(decompressed.bytes, budget);
  } else {
    const bytes = decompressed.bytes;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    } catch (err) {
      return { ok: false, status: 400, message: `invalid OTLP/JSON: ${(err as Error).message}` };
    }
    decoded = decoders.json(parsed, budget);
  }
  return decoded;
}

/** `scores`: raw /v1/scores items from the spans' GenAI evaluation events (evaluation-events.ts). */
export type DecodedTraces = { ok: true; events: unknown[]; invalid: InvalidItems; scores: Record<string, unknown>[] } | OtlpFailure;

/**
 * Decodes an OTLP/HTTP traces body into native events for the ingest pipeline.
 * Spans with ids of the wrong length or unknown enum values are left out and counted in
 * `invalid`; they make the answer a partial success, not a failed request.
 * @example
 * const decoded = decodeOtlpTraces(body, req.header('content-type'), req.header('content-encoding'), limits);
 * if (!decoded.ok) return fail(decoded.status, decoded.message);
 * const { spans, rejected } = pipeline.process(decoded.events, { project, now });
 * const partial = tracePartialSuccess(decoded.invalid, rejected, decoded.events);
 * const reply = encodeTraceResponse(req.header('content-type'), partial);
 */
export function decodeOtlpTraces(
  body: Uint8Array,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  limits: IngestLimits,
  /** markRead: write the doctor's READ_MARK on each event (the /v1/traces route does). */
  mapping: { markRead?: boolean } = {},
): DecodedTraces {
  const decoded = decodeBody(body, contentType, contentEncoding, limits, 'spans', { protobuf: decodeTracesProto, json: decodeTracesJson });
  if (!decoded.ok) return decoded;
  const { spans, origins, invalid } = decoded.value;
  const options = { captureContent: limits.captureContent, maxAttributes: limits.maxAttributes, markRead: mapping.markRead === true };
  const events = spans.map((span, i) => mapSpan(span, origins[i]!, options));
  return { ok: true, events, invalid, scores: evaluationScores(spans) };
}

const MAX_MESSAGE_PARTS = 10;

/**
 * The partial success to answer with: spans the decoder left out plus events the pipeline
 * rejected, each named by span id; undefined when everything was accepted.
 */
export function tracePartialSuccess(
  invalid: InvalidItems,
  rejected: readonly FieldProblem[],
  events: readonly unknown[],
): { rejectedSpans: number; errorMessage: string } | undefined {
  const byEvent = new Map<number, string[]>();
  for (const problem of rejected) {
    const list = byEvent.get(problem.index) ?? [];
    list.push(problem.error);
    byEvent.set(problem.index, list);
  }
  const rejectedSpans = invalid.count + byEvent.size;
  if (rejectedSpans === 0) return undefined;
  const parts = [...invalid.messages];
  for (const [index, errors] of byEvent) {
    if (parts.length >= MAX_MESSAGE_PARTS) break;
    const spanId = (events[index] as { span_id?: unknown } | undefined)?.span_id;
    parts.push(`span ${typeof spanId === 'string' ? spanId : `#${index}`}: ${errors.join('; ')}`);
  }
  const shown = parts.slice(0, MAX_MESSAGE_PARTS);
  const more = rejectedSpans > shown.length ? ` (and ${rejectedSpans - shown.length} more rejected spans)` : '';
  return { rejectedSpans, errorMessage: `${rejectedSpans} span${rejectedSpans === 1 ? '' : 's'} rejected: ${shown.join(' | ')}${more}` };
}

/** protobufjs decodes a metrics body only once the bounded scan has accepted it. */
function metricsProto(bytes: Uint8Array, budget: DecodeBudget): Decoded<OtlpMetric[]> {
  const scanned = scanMetricsProto(bytes, budget);
  if (!scanned.ok) return scanned;
  const decoded = decodeMetricsProto(bytes);
  return decoded.ok ? decoded : { ok: false, status: 400, message: decoded.message };
}

export type DecodedMetrics = { ok: true; points: GenAiMetricPoint[]; dropped: InvalidItems } | OtlpFailure;

/** Decodes an OTLP/HTTP metrics body, keeping only GenAI client histograms; the rest is counted in `dropped`. */
export function decodeOtlpMetrics(
  body: Uint8Array,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  limits: IngestLimits,
): DecodedMetrics {
  const decoded = decodeBody(body, contentType, contentEncoding, limits, 'data points', { protobuf: metricsProto, json: decodeMetricsJson });
  if (!decoded.ok) return decoded;
  const { points, dropped } = selectGenAiMetrics(decoded.value);
  if (points.length > limits.maxEventsPerRequest) {
    return { ok: false, status: 413, message: `${points.length} GenAI data points exceeds the limit of ${limits.maxEventsPerRequest} per request (maxEventsPerRequest)` };
  }
  return { ok: true, points, dropped };
}

/** The partial success for a metrics request: dropped data points and why; undefined when none were dropped. */
export function metricsPartialSuccess(dropped: InvalidItems): { rejectedDataPoints: number; errorMessage: string } | undefined {
  return dropped.count === 0 ? undefined : { rejectedDataPoints: dropped.count, errorMessage: droppedMetricsMessage(dropped) };
}

export type DecodedLogs = { ok: true; logRecords: number } | OtlpFailure;

/** Decodes an OTLP/HTTP logs body to count its records: Sightline does not store logs. */
export function decodeOtlpLogs(
  body: Uint8Array,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  limits: IngestLimits,
): DecodedLogs {
  const decoded = decodeBody(body, contentType, contentEncoding, limits, 'log records', { protobuf: scanLogsProto, json: decodeLogsJson });
  return decoded.ok ? { ok: true, logRecords: decoded.value } : decoded;
}

/** Every log record is reported as rejected, with the reason, so exporters do not count them as stored. */
export function logsPartialSuccess(logRecords: number): { rejectedLogRecords: number; errorMessage: string } | undefined {
  if (logRecords === 0) return undefined;
  return {
    rejectedLogRecords: logRecords,
    errorMessage: `Sightline does not store logs: ${logRecords} log record${logRecords === 1 ? '' : 's'} dropped. Send GenAI spans to /v1/traces (prompts and completions as span attributes) and GenAI metrics to /v1/metrics.`,
  };
}

export interface OtlpResponse {
  body: Buffer | string;
  contentType: 'application/x-protobuf' | 'application/json';
}

const JSON_REJECTED_FIELD: Record<Signal, string> = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords' };

function encodeResponse(signal: Signal, requestContentType: string | undefined, rejected: number, errorMessage: string): OtlpResponse {
  const partial = rejected === 0 && errorMessage === '' ? null : { rejected, errorMessage };
  if (formatOf(requestContentType) === 'protobuf') {
    return { body: encodeResponseProto(signal, partial), contentType: 'application/x-protobuf' };
  }
  // Proto3 JSON writes int64 as a decimal string; an empty partialSuccess means full success.
  const partialSuccess = partial === null ? {} : { [JSON_REJECTED_FIELD[signal]]: String(rejected), errorMessage };
  return { body: JSON.stringify({ partialSuccess }), contentType: 'application/json' };
}

/**
 * ExportTraceServiceResponse in the request's format (protobuf for application/x-protobuf,
 * JSON otherwise, e.g. for a 415 answer).
 */
export function encodeTraceResponse(requestContentType: string | undefined, partial?: { rejectedSpans: number; errorMessage: string }): OtlpResponse {
  return encodeResponse('traces', requestContentType, partial?.rejectedSpans ?? 0, partial?.errorMessage ?? '');
}

export function encodeMetricsResponse(requestContentType: string | undefined, partial?: { rejectedDataPoints: number; errorMessage: string }): OtlpResponse {
  return encodeResponse('metrics', requestContentType, partial?.rejectedDataPoints ?? 0, partial?.errorMessage ?? '');
}

export function encodeLogsResponse(requestContentType: string | undefined, partial?: { rejectedLogRecords: number; errorMessage: string }): OtlpResponse {
  return encodeResponse('logs', requestContentType, partial?.rejectedLogRecords ?? 0, partial?.errorMessage ?? '');
}
