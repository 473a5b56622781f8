// The reference for proto-traces.ts: ExportTraceServiceRequest decoded by protobufjs into its
// message objects, then mapped to DecodedSpans. Not on the request path (it builds every object
// twice); the property tests and the decode benchmark compare the fast reader with it.

import { enumValue, idProblem, SPAN_KINDS, spanLabel, STATUS_CODES } from './ids.js';
import { decodeMessage, int64ToBigInt, keyValues, TraceRequest, type Int64, type PbKeyValue, type ProtoDecoded } from './proto.js';
import { noteInvalid, type DecodedSpans, type OtlpEvent, type OtlpSpan } from './types.js';

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

function hex(bytes: Uint8Array | undefined): string {
  if (bytes === undefined || bytes.length === 0) return '';
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
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

/** Decodes an ExportTraceServiceRequest; spans with bad ids or enums are counted as invalid, not fatal. */
export function decodeTracesProtobufjs(bytes: Uint8Array): ProtoDecoded<DecodedSpans> {
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

