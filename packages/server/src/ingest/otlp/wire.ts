// Protobuf wire reading shared by the hand-rolled OTLP readers: protobufjs's Reader for varints
// and skipping, plus what it does not do — a strict wire-type check per field (as the
// Collector's decoder does: `08 96 01` is an error, not an empty request), nested message bounds,
// and the decode budget that stops a hostile body at its limit instead of after materialising it.

import protobuf from 'protobufjs';
import { WIRE_NAMES, type FieldTable } from './proto-schema.js';

export type Reader = protobuf.Reader & { buf: Buffer; pos: number; len: number };

/** Why a decode stopped: 400 for a body that is not the message, 413 for one over a limit. */
export class DecodeStop extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; status: 400 | 413; message: string };

/**
 * What one request may make the decoder build: `items` (spans, data points or log records) and
 * `values` (attributes, array elements, span events), each checked as it is read.
 */
export interface DecodeBudget {
  maxItems: number;
  /** Named in the 413, e.g. "spans". */
  itemName: string;
  maxValues: number;
}

/**
 * Counts against a budget; `item()` and `value()` throw DecodeStop(413) past the limit, which the
 * reader's entry point turns into a value.
 */
export class BudgetCounter {
  items = 0;
  values = 0;
  constructor(readonly budget: DecodeBudget) {}

  item(): void {
    if (++this.items > this.budget.maxItems) {
      const { maxItems, itemName } = this.budget;
      throw new DecodeStop(413, `more than ${maxItems} ${itemName} in one request exceeds the limit of ${maxItems} per request (maxEventsPerRequest)`);
    }
  }

  value(): void {
    if (++this.values > this.budget.maxValues) {
      const { maxValues } = this.budget;
      throw new DecodeStop(
        413,
        `more than ${maxValues} attribute values, array elements and span events in one request exceeds the limit of ${maxValues} (maxEventsPerRequest × maxAttributes)`,
      );
    }
  }
}

export function createReader(bytes: Uint8Array): Reader {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return protobuf.Reader.create(buf) as Reader;
}

/**
 * Checks a field's wire type against its table. Returns true when the field is one the message
 * defines (the caller reads it), false for an unknown field (the caller skips it).
 */
export function known(table: FieldTable, field: number, wire: number): boolean {
  if (field === 0) throw new DecodeStop(400, `${table.message}: field number 0 is not allowed`);
  const want = field < table.wire.length ? table.wire[field]! : -1;
  if (want === -1) return false;
  if (want === wire || (wire === 2 && table.packable[field] === 1)) return true;
  throw new DecodeStop(
    400,
    `${table.message}.${table.names[field]} (field ${field}) has wire type ${wire} (${WIRE_NAMES[wire]}), expected ${want} (${WIRE_NAMES[want]})`,
  );
}

/** Reads a length prefix and narrows the reader to the nested message; returns the outer limit to restore. */
export function enter(r: Reader): number {
  const length = r.size();
  const end = r.pos + length;
  if (end > r.len) throw new DecodeStop(400, `index out of range: ${r.pos} + ${length} > ${r.len}`);
  const outer = r.len;
  r.len = end;
  return outer;
}

export function leave(r: Reader, outer: number): void {
  if (r.pos !== r.len) throw new DecodeStop(400, `index out of range: nested message ends at ${r.len}, read to ${r.pos}`);
  r.len = outer;
}

/** A length-delimited field's bounds, checked; the reader moves past it. */
export function lengthDelimited(r: Reader): number {
  const length = r.size();
  const start = r.pos;
  if (start + length > r.len) throw new DecodeStop(400, `index out of range: ${start} + ${length} > ${r.len}`);
  r.pos = start + length;
  return start;
}

/** fixed64 as an unsigned bigint (OTLP timestamps in nanoseconds). */
export function fixed64(r: Reader): bigint {
  if (r.pos + 8 > r.len) throw new DecodeStop(400, `index out of range: ${r.pos} + 8 > ${r.len}`);
  const value = r.buf.readBigUInt64LE(r.pos);
  r.pos += 8;
  return value;
}

const TWO_32 = 4_294_967_296;

/** An int64 varint as OTLP/JSON would give it: a number when exact, else a decimal string. */
export function int64Value(r: Reader): number | string {
  const buf = r.buf;
  let lo = 0;
  let hi = 0;
  let i = 0;
  for (; ; i++) {
    if (r.pos >= r.len) throw new DecodeStop(400, `index out of range: ${r.pos} + 1 > ${r.len}`);
    const b = buf[r.pos++]!;
    if (i < 4) lo |= (b & 0x7f) << (7 * i);
    else if (i === 4) {
      lo |= (b & 0x0f) << 28;
      hi |= (b & 0x7f) >> 4;
    } else hi |= (b & 0x7f) << (7 * i - 32);
    if (b < 0x80) break;
    if (i === 9) throw new DecodeStop(400, 'invalid varint encoding');
  }
  lo >>>= 0;
  hi >>>= 0;
  // Below 2^53 on either side of zero the number is exact; elsewhere go through BigInt.
  if (hi <= 0x1fffff) return hi * TWO_32 + lo;
  if (hi >= 0xffe00000 && (hi !== 0xffe00000 || lo !== 0)) return -((~hi >>> 0) * TWO_32 + (~lo >>> 0) + 1);
  const big = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
}

/** Wraps a reader's run: DecodeStop and protobufjs's own errors become a value. */
export function runDecode<T>(messageName: string, run: () => T): Decoded<T> {
  try {
    return { ok: true, value: run() };
  } catch (err) {
    if (err instanceof DecodeStop && err.status === 413) return { ok: false, status: 413, message: err.message };
    return { ok: false, status: 400, message: `undecodable ${messageName} protobuf: ${(err as Error).message}` };
  }
}
