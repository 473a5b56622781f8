// A bounded structural pass over an OTLP protobuf body, driven by the .proto schema: every
// known field must have its declared wire type, nested messages must fit their parents, and
// items (log records, data points) and values (attributes, array elements, repeated numbers)
// are counted against the request's budget without building anything. Logs need nothing more
// (Sightline only counts them); metrics are decoded by protobufjs only after this pass accepted
// them, so that decode is bounded too.

import protobuf from 'protobufjs';
import { fieldTable, root, type FieldTable } from './proto-schema.js';
import { BudgetCounter, createReader, DecodeStop, enter, known, leave, runDecode, type Decoded, type DecodeBudget, type Reader } from './wire.js';

/** Nesting beyond protoc's default recursion limit is an error, as it is for protobufjs. */
const MAX_DEPTH = 100;

const ITEM = 1;
const VALUE = 2;

interface ScanNode {
  table: FieldTable;
  /** The node of each message-typed field, by field number. */
  children: (ScanNode | undefined)[];
  /** Per field number: whether each occurrence is a repeated scalar to count as a value. */
  repeatedScalar: Uint8Array;
  /** Per field number: the wire type of one packed element (0 varint, 1 fixed64, 5 fixed32). */
  elementWire: Int8Array;
  role: number;
}

function buildNode(type: protobuf.Type, roles: Map<string, number>, nodes: Map<protobuf.Type, ScanNode>): ScanNode {
  const existing = nodes.get(type);
  if (existing !== undefined) return existing;
  const table = fieldTable(type.fullName.slice(1), {});
  const node: ScanNode = {
    table,
    children: [],
    repeatedScalar: new Uint8Array(table.wire.length),
    elementWire: new Int8Array(table.wire.length).fill(-1),
    role: roles.get(type.fullName.slice(1)) ?? 0,
  };
  nodes.set(type, node);
  for (const field of type.fieldsArray) {
    field.resolve();
    if (field.resolvedType instanceof protobuf.Type) node.children[field.id] = buildNode(field.resolvedType, roles, nodes);
    else if (field.repeated) {
      node.repeatedScalar[field.id] = 1;
      node.elementWire[field.id] = table.wire[field.id]!;
    }
  }
  return node;
}

/** Counts the elements of a packed field without reading their values. */
function packedCount(r: Reader, elementWire: number): number {
  const length = r.size();
  const end = r.pos + length;
  if (end > r.len) throw new DecodeStop(400, `index out of range: ${r.pos} + ${length} > ${r.len}`);
  let count = 0;
  if (elementWire === 1 || elementWire === 5) {
    const size = elementWire === 1 ? 8 : 4;
    if (length % size !== 0) throw new DecodeStop(400, `packed field of ${length} bytes is not a whole number of ${size}-byte elements`);
    count = length / size;
  } else {
    for (let i = r.pos; i < end; i++) if (r.buf[i]! < 0x80) count++;
    if (length > 0 && r.buf[end - 1]! >= 0x80) throw new DecodeStop(400, 'packed varint field ends inside a varint');
  }
  r.pos = end;
  return count;
}

function scan(r: Reader, node: ScanNode, counter: BudgetCounter, depth: number): void {
  if (depth > MAX_DEPTH) throw new DecodeStop(400, 'max depth exceeded');
  while (r.pos < r.len) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (!known(node.table, field, wire)) {
      r.skipType(wire, 0, field);
      continue;
    }
    const child = node.children[field];
    if (child !== undefined) {
      if (child.role === ITEM) counter.item();
      else if (child.role === VALUE) counter.value();
      const outer = enter(r);
      scan(r, child, counter, depth + 1);
      leave(r, outer);
    } else if (node.repeatedScalar[field] === 1 && wire === 2 && node.elementWire[field] !== 2) {
      for (let n = packedCount(r, node.elementWire[field]!); n > 0; n--) counter.value();
    } else {
      if (node.repeatedScalar[field] === 1) counter.value();
      r.skipType(wire, 0, field);
    }
  }
}

/** Message types counted as values in every signal: what a body can multiply cheaply. */
const VALUE_TYPES = ['opentelemetry.proto.common.v1.KeyValue', 'opentelemetry.proto.common.v1.AnyValue'];

function scanner(requestType: string, itemTypes: string[]): ScanNode {
  const roles = new Map<string, number>();
  for (const name of VALUE_TYPES) roles.set(name, VALUE);
  for (const name of itemTypes) roles.set(name, ITEM);
  return buildNode(root.lookupType(requestType), roles, new Map());
}

const LOGS = scanner('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest', ['opentelemetry.proto.logs.v1.LogRecord']);
const METRICS = scanner('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest', [
  'opentelemetry.proto.metrics.v1.NumberDataPoint',
  'opentelemetry.proto.metrics.v1.HistogramDataPoint',
  'opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint',
  'opentelemetry.proto.metrics.v1.SummaryDataPoint',
]);

function scanRequest(bytes: Uint8Array, node: ScanNode, messageName: string, budget: DecodeBudget): Decoded<number> {
  return runDecode(messageName, () => {
    const counter = new BudgetCounter(budget);
    scan(createReader(bytes), node, counter, 0);
    return counter.items;
  });
}

/** Checks an ExportLogsServiceRequest and counts its log records, within the budget. */
export function scanLogsProto(bytes: Uint8Array, budget: DecodeBudget): Decoded<number> {
  return scanRequest(bytes, LOGS, 'ExportLogsServiceRequest', budget);
}

/** Checks an ExportMetricsServiceRequest and counts its data points, within the budget. */
export function scanMetricsProto(bytes: Uint8Array, budget: DecodeBudget): Decoded<number> {
  return scanRequest(bytes, METRICS, 'ExportMetricsServiceRequest', budget);
}
