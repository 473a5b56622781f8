// ExportTraceServiceRequest (protobuf) → DecodedSpans in one pass, without building protobufjs
// message objects first: the hot path of OTLP ingest. It gives exactly what protobufjs's decode
// followed by the object mapping gives (proto-reference.ts; proto-traces.test.ts checks both on
// generated requests), while it counts spans and values against the request's budget, stops at
// the limit with a 413, and rejects a known field sent with the wrong wire type (400).

import { isUtf8 } from 'node:buffer';
import { idProblem, SPAN_KINDS, spanLabel, STATUS_CODES, enumValue } from './ids.js';
import { doubleValue } from './proto.js';
import { fieldTable } from './proto-schema.js';
import { newAttributes, noteInvalid, setAttribute, type Attributes, type AttrValue, type DecodedSpans, type OtlpEvent, type SpanOrigin } from './types.js';
import { BudgetCounter, createReader, DecodeStop, enter, fixed64, int64Value, known, leave, lengthDelimited, runDecode, type Decoded, type DecodeBudget, type Reader } from './wire.js';

const REQUEST = fieldTable('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest', { resourceSpans: 1 });
const RESOURCE_SPANS = fieldTable('opentelemetry.proto.trace.v1.ResourceSpans', { resource: 1, scopeSpans: 2 });
const RESOURCE = fieldTable('opentelemetry.proto.resource.v1.Resource', { attributes: 1 });
const SCOPE_SPANS = fieldTable('opentelemetry.proto.trace.v1.ScopeSpans', { scope: 1, spans: 2 });
const SCOPE = fieldTable('opentelemetry.proto.common.v1.InstrumentationScope', { name: 1, version: 2 });
const SPAN = fieldTable('opentelemetry.proto.trace.v1.Span', {
  traceId: 1,
  spanId: 2,
  parentSpanId: 4,
  name: 5,
  kind: 6,
  startTimeUnixNano: 7,
  endTimeUnixNano: 8,
  attributes: 9,
  events: 11,
  status: 15,
});
const EVENT = fieldTable('opentelemetry.proto.trace.v1.Span.Event', { timeUnixNano: 1, name: 2, attributes: 3 });
const STATUS = fieldTable('opentelemetry.proto.trace.v1.Status', { message: 2, code: 3 });
const KEY_VALUE = fieldTable('opentelemetry.proto.common.v1.KeyValue', { key: 1, value: 2 });
const ANY_VALUE = fieldTable('opentelemetry.proto.common.v1.AnyValue', {
  stringValue: 1,
  boolValue: 2,
  intValue: 3,
  doubleValue: 4,
  arrayValue: 5,
  kvlistValue: 6,
  bytesValue: 7,
});
const ARRAY_VALUE = fieldTable('opentelemetry.proto.common.v1.ArrayValue', { values: 1 });
const KEY_VALUE_LIST = fieldTable('opentelemetry.proto.common.v1.KeyValueList', { values: 1 });

/** Deeper values are null, as in the JSON decoder; the attribute validator rejects far shallower nesting anyway. */
const MAX_VALUE_DEPTH = 16;

/** Node's Buffer slicers without toString's encoding dispatch (protobufjs uses utf8Slice too). */
type Slicing = Buffer & {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
  base64Slice(start: number, end: number): string;
};

// Attribute keys and short values repeat on every span ("gen_ai.request.model", "chat"): a small
// direct-mapped cache of short ASCII strings turns most of them into a lookup, not an allocation.
const INTERN_SLOTS = 2048;
const MAX_INTERNED = 48;
const internText: string[] = new Array<string>(INTERN_SLOTS).fill('');
const internLength = new Int32Array(INTERN_SLOTS).fill(-1);

/** proto3 strings must be UTF-8: protobufjs and the Collector reject a body with one that is not. */
function utf8(buf: Slicing, start: number, end: number): string {
  if (!isUtf8(buf.subarray(start, end))) throw new DecodeStop(400, `the string at byte ${start} is not valid UTF-8`);
  return buf.utf8Slice(start, end);
}

function text(r: Reader): string {
  const start = lengthDelimited(r);
  const end = r.pos;
  const length = end - start;
  if (length === 0) return '';
  const buf = r.buf as Slicing;
  if (length > MAX_INTERNED) return utf8(buf, start, end);
  // A few sampled bytes pick the slot; the full comparison below decides.
  const mid = start + (length >> 1);
  const hash = Math.imul(Math.imul(Math.imul(length, 31) + buf[start]!, 31) + buf[mid]!, 31) + buf[end - 1]! + buf[start + (length >> 2)]!;
  const slot = hash & (INTERN_SLOTS - 1);
  if (internLength[slot] === length) {
    const cached = internText[slot]!;
    let i = 0;
    while (i < length && cached.charCodeAt(i) === buf[start + i]) i++;
    if (i === length) return cached;
  }
  const fresh = utf8(buf, start, end);
  // Only a string with a character per byte, i.e. ASCII, can be compared byte for byte.
  if (fresh.length === length) {
    internText[slot] = fresh;
    internLength[slot] = length;
  }
  return fresh;
}

/** The last id read for one field: spans of a batch mostly share their trace id and parents. */
interface IdCache {
  start: number;
  length: number;
  hex: string;
}

function hexId(r: Reader, cache: IdCache): string {
  const start = lengthDelimited(r);
  const length = r.pos - start;
  if (length === 0) return '';
  const buf = r.buf;
  if (cache.length === length) {
    let i = 0;
    while (i < length && buf[start + i] === buf[cache.start + i]) i++;
    if (i === length) return cache.hex;
  }
  const hex = (buf as Slicing).hexSlice(start, start + length);
  cache.start = start;
  cache.length = length;
  cache.hex = hex;
  return hex;
}

interface State {
  counter: BudgetCounter;
  out: DecodedSpans;
  position: number;
  traceIds: IdCache;
  parentIds: IdCache;
  spanIds: IdCache;
}

function skipValue(r: Reader): null {
  lengthDelimited(r);
  return null;
}

function anyValue(r: Reader, depth: number, counter: BudgetCounter): AttrValue {
  const outer = enter(r);
  let value: AttrValue = null;
  while (r.pos < r.len) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (!known(ANY_VALUE, field, wire)) {
      r.skipType(wire, 0, field);
      continue;
    }
    switch (field) {
      case 1:
        value = text(r);
        break;
      case 2:
        value = r.bool();
        break;
      case 3:
        value = int64Value(r);
        break;
      case 4:
        value = doubleValue(r.double());
        break;
      case 5:
        value = arrayValue(r, depth + 1, counter);
        break;
      case 6:
        value = keyValueList(r, depth + 1, counter);
        break;
      case 7: {
        const start = lengthDelimited(r);
        value = (r.buf as Slicing).base64Slice(start, r.pos);
        break;
      }
    }
  }
  leave(r, outer);
  return value;
}

/** An ArrayValue whose elements are at `depth`. */
function arrayValue(r: Reader, depth: number, counter: BudgetCounter): AttrValue[] {
  const outer = enter(r);
  const values: AttrValue[] = [];
  while (r.pos < r.len) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (!known(ARRAY_VALUE, field, wire)) {
      r.skipType(wire, 0, field);
      continue;
    }
    counter.value();
    values.push(depth > MAX_VALUE_DEPTH ? skipValue(r) : anyValue(r, depth, counter));
  }
  leave(r, outer);
  return values;
}

function keyValueList(r: Reader, depth: number, counter: BudgetCounter): Attributes {
  const outer = enter(r);
  const out = newAttributes();
  while (r.pos < r.len) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (!known(KEY_VALUE_LIST, field, wire)) {
      r.skipType(wire, 0, field);
      continue;
    }
    keyValue(r, out, depth, counter);
  }
  leave(r, outer);
  return out;
}

/** One KeyValue into `out`; its value is at `depth` (1 for a span's own attributes). */
function keyValue(r: Reader, out: Attributes, depth: number, counter: BudgetCounter): void {
  counter.value();
  const outer = enter(r);
  let key = '';
  let value: AttrValue = null;
  while (r.pos < r.len) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (!known(KEY_VALUE, field, wire)) r.skipType(wire, 0, field);
    else if (field === 1) key = text(r);
    else value = depth > MAX_VALUE_DEPTH ? skipValue(r) : anyValue(r, depth, counter);
  }
  leave(r, outer);
  setAttribute(out, key, value);
}

function event(r: Reader, counter: BudgetCounter): OtlpEvent {
  counter.value();
  const outer = enter(r);
  let name = '';
  let timeNanos = 0n;
  const attributes = newAttributes();
  while (r.pos < r.len) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (!known(EVENT, field, wire)) r.skipType(wire, 0, field);
    else if (field === 1) timeNanos = fixed64(r);
    else if (field === 2) name = text(r);
    else if (field === 3) keyValue(r, attributes, 1, counter);
    else r.skipType(wire, 0, field);
  }
  leave(r, outer);
  return { name, timeNanos, attributes };
}

function spanMessage(r: Reader, st: State, origin: SpanOrigin): void {
  st.counter.item();
  const position = st.position++;
  const outer = enter(r);
  let traceId = '';
  let spanId = '';
  let parent = '';
  let name = '';
  let kind = 0;
  let startNanos = 0n;
  let endNanos = 0n;
  let statusCode = 0;
  let statusMessage = '';
  const attributes = newAttributes();
  const events: OtlpEvent[] = [];
  while (r.pos < r.len) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (!known(SPAN, field, wire)) {
      r.skipType(wire, 0, field);
      continue;
    }
    switch (field) {
      case 1:
        traceId = hexId(r, st.traceIds);
        break;
      case 2:
        spanId = hexId(r, st.spanIds);
        break;
      case 4:
        parent = hexId(r, st.parentIds);
        break;
      case 5:
        name = text(r);
        break;
      case 6:
        kind = r.int32();
        break;
      case 7:
        startNanos = fixed64(r);
        break;
      case 8:
        endNanos = fixed64(r);
        break;
      case 9:
        keyValue(r, attributes, 1, st.counter);
        break;
      case 11:
        events.push(event(r, st.counter));
        break;
      case 15: {
        // A repeated singular message merges into the first, as protobufjs (and the spec) do.
        const statusOuter = enter(r);
        while (r.pos < r.len) {
          const statusTag = r.tag();
          const statusField = statusTag >>> 3;
          const statusWire = statusTag & 7;
          if (!known(STATUS, statusField, statusWire)) r.skipType(statusWire, 0, statusField);
          else if (statusField === 2) statusMessage = text(r);
          else if (statusField === 3) statusCode = r.int32();
          else r.skipType(statusWire, 0, statusField);
        }
        leave(r, statusOuter);
        break;
      }
      default:
        r.skipType(wire, 0, field);
    }
  }
  leave(r, outer);
  const problem = spanProblem(traceId, spanId, parent, kind, statusCode);
  if (problem !== null) {
    noteInvalid(st.out.invalid, `${spanLabel(spanId, position)}: ${problem}`);
    return;
  }
  st.out.spans.push({
    traceId,
    spanId,
    parentSpanId: parent === '' ? null : parent,
    name,
    kind,
    startNanos,
    endNanos,
    attributes,
    events,
    statusCode,
    statusMessage,
  });
  st.out.origins.push(origin);
}

/** The same checks, in the same order and words, as the JSON decoder's. */
function spanProblem(traceId: string, spanId: string, parent: string, kind: number, statusCode: number): string | null {
  const problem =
    idProblem('traceId', traceId, 32) ?? idProblem('spanId', spanId, 16) ?? (parent === '' ? null : idProblem('parentSpanId', parent, 16));
  if (problem !== null) return problem;
  if (enumValue(kind, SPAN_KINDS) < 0) return `kind ${kind} is not a SpanKind (0..5)`;
  if (enumValue(statusCode, STATUS_CODES) < 0) return `status.code ${statusCode} is not a StatusCode (0 unset, 1 ok, 2 error)`;
  return null;
}

function scopeSpans(r: Reader, st: State, resource: Attributes): void {
  st.counter.value();
  const outer = enter(r);
  // Filled in place: a scope sent after its spans still applies to them.
  const origin: SpanOrigin = { resource, scopeName: '', scopeVersion: '' };
  while (r.pos < r.len) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (!known(SCOPE_SPANS, field, wire)) r.skipType(wire, 0, field);
    else if (field === 2) spanMessage(r, st, origin);
    else if (field === 1) {
      const scopeOuter = enter(r);
      while (r.pos < r.len) {
        const scopeTag = r.tag();
        const scopeField = scopeTag >>> 3;
        const scopeWire = scopeTag & 7;
        if (!known(SCOPE, scopeField, scopeWire)) r.skipType(scopeWire, 0, scopeField);
        else if (scopeField === 1) origin.scopeName = text(r);
        else if (scopeField === 2) origin.scopeVersion = text(r);
        else r.skipType(scopeWire, 0, scopeField);
      }
      leave(r, scopeOuter);
    } else r.skipType(wire, 0, field);
  }
  leave(r, outer);
}

function resourceSpans(r: Reader, st: State): void {
  st.counter.value();
  const outer = enter(r);
  const resource = newAttributes();
  while (r.pos < r.len) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (!known(RESOURCE_SPANS, field, wire)) r.skipType(wire, 0, field);
    else if (field === 2) scopeSpans(r, st, resource);
    else if (field === 1) {
      const resourceOuter = enter(r);
      while (r.pos < r.len) {
        const resourceTag = r.tag();
        const resourceField = resourceTag >>> 3;
        const resourceWire = resourceTag & 7;
        if (!known(RESOURCE, resourceField, resourceWire)) r.skipType(resourceWire, 0, resourceField);
        else if (resourceField === 1) keyValue(r, resource, 1, st.counter);
        else r.skipType(resourceWire, 0, resourceField);
      }
      leave(r, resourceOuter);
    } else r.skipType(wire, 0, field);
  }
  leave(r, outer);
}

const noIds = (): IdCache => ({ start: 0, length: -1, hex: '' });

/**
 * Decodes an ExportTraceServiceRequest. Spans with bad ids or enums are counted as invalid, not
 * fatal; a body that is not the message is a 400, one over the budget a 413.
 * @example
 * decodeTracesProto(bytes, { maxItems: 10_000, itemName: 'spans', maxValues: 1_280_000 })
 * // → { ok: true, value: { spans: [...], origins: [...], invalid: { count: 0, messages: [] } } }
 */
export function decodeTracesProto(bytes: Uint8Array, budget: DecodeBudget): Decoded<DecodedSpans> {
  return runDecode('ExportTraceServiceRequest', () => {
    const r = createReader(bytes);
    const st: State = {
      counter: new BudgetCounter(budget),
      out: { spans: [], origins: [], invalid: { count: 0, messages: [] } },
      position: 0,
      traceIds: noIds(),
      parentIds: noIds(),
      spanIds: noIds(),
    };
    while (r.pos < r.len) {
      const tag = r.tag();
      const field = tag >>> 3;
      const wire = tag & 7;
      if (known(REQUEST, field, wire)) resourceSpans(r, st);
      else r.skipType(wire, 0, field);
    }
    return st.out;
  });
}
