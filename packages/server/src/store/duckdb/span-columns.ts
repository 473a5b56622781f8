// Spans on their way to the store worker, column by column. postMessage of span objects costs a
// structured clone of every field, and the worker (the thread every append waits for) paid several
// µs a span to rebuild them. Encoded here, a batch is a handful of typed arrays (moved, not copied)
// and a few strings: low-cardinality text as codes into one dictionary, the rest concatenated per
// column with end offsets. The worker fills DuckDB data chunks straight from these arrays, one
// append batch per transaction (appendSpanBatch).

import { BIGINT, DOUBLE, DuckDBDataChunk, VARCHAR, type DuckDBAppender, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import type { Span } from '../../model/span.js';
import type { IdempotencyRecord } from '../store.js';
import { rollbackQuietly } from './transaction.js';

type TextField = { [K in keyof Span]: Span[K] extends string | null ? K : never }[keyof Span];
type NumberField = { [K in keyof Span]: Span[K] extends number | null ? K : never }[keyof Span];

/** How each span column travels, in table order (schema.ts SPAN_COLUMNS). */
type Column =
  | { kind: 'dict'; field: TextField; get: (s: Span) => string | null }
  | { kind: 'packed'; field: TextField | 'attributes'; get: (s: Span) => string | null }
  | { kind: 'bigint' | 'double'; field: NumberField; get: (s: Span) => number | null };

// `get` reads the field by name in its own function: one object shape per load site, where one
// `span[field]` site for every column was a megamorphic keyed load (~1 µs of a ~2 µs encode a span).
const COLUMNS: Column[] = [
  { kind: 'dict', field: 'project', get: (s) => s.project },
  { kind: 'bigint', field: 'timestamp', get: (s) => s.timestamp },
  { kind: 'dict', field: 'agent_id', get: (s) => s.agent_id },
  { kind: 'packed', field: 'trace_id', get: (s) => s.trace_id },
  { kind: 'packed', field: 'span_id', get: (s) => s.span_id },
  { kind: 'packed', field: 'parent_span_id', get: (s) => s.parent_span_id },
  { kind: 'dict', field: 'span_type', get: (s) => s.span_type },
  { kind: 'dict', field: 'name', get: (s) => s.name },
  { kind: 'dict', field: 'model', get: (s) => s.model },
  { kind: 'dict', field: 'provider', get: (s) => s.provider },
  { kind: 'bigint', field: 'tokens_input', get: (s) => s.tokens_input },
  { kind: 'bigint', field: 'tokens_output', get: (s) => s.tokens_output },
  { kind: 'bigint', field: 'tokens_cache_read', get: (s) => s.tokens_cache_read },
  { kind: 'bigint', field: 'tokens_cache_write', get: (s) => s.tokens_cache_write },
  { kind: 'bigint', field: 'tokens_reasoning', get: (s) => s.tokens_reasoning },
  { kind: 'double', field: 'latency_ms', get: (s) => s.latency_ms },
  { kind: 'double', field: 'cost_usd', get: (s) => s.cost_usd },
  { kind: 'dict', field: 'cost_source', get: (s) => s.cost_source },
  { kind: 'dict', field: 'decision_made', get: (s) => s.decision_made },
  { kind: 'double', field: 'confidence', get: (s) => s.confidence },
  { kind: 'dict', field: 'error_type', get: (s) => s.error_type },
  { kind: 'packed', field: 'error_message', get: (s) => s.error_message },
  { kind: 'packed', field: 'session_id', get: (s) => s.session_id },
  { kind: 'packed', field: 'user_id', get: (s) => s.user_id },
  { kind: 'packed', field: 'attributes', get: (s) => JSON.stringify(s.attributes) },
  { kind: 'packed', field: 'input', get: (s) => s.input },
  { kind: 'packed', field: 'output', get: (s) => s.output },
  { kind: 'bigint', field: 'ingested_at', get: (s) => s.ingested_at },
];

const DICT = COLUMNS.flatMap((c) => (c.kind === 'dict' ? [c.field] : []));
const PACKED = COLUMNS.flatMap((c) => (c.kind === 'packed' ? [c.field] : []));
const NUMBERS = COLUMNS.flatMap((c) => (c.kind === 'bigint' || c.kind === 'double' ? [c.field] : []));
const GET_DICT = COLUMNS.flatMap((c) => (c.kind === 'dict' ? [c.get] : []));
const GET_PACKED = COLUMNS.flatMap((c) => (c.kind === 'packed' ? [c.get] : []));
const GET_NUMBER = COLUMNS.flatMap((c) => (c.kind === 'bigint' || c.kind === 'double' ? [c.get] : []));

/** A batch of spans, column by column; every array is row-major (row × its columns). */
export interface SpanColumns {
  rows: number;
  /** Distinct values of the dictionary columns. */
  dict: string[];
  /** Index into dict, -1 for null. */
  codes: Int32Array;
  /** Per packed column, its values concatenated. */
  packed: string[];
  /** End offset of each value in its packed string; -1 for null (the next value starts where the last non-null ended). */
  ends: Int32Array;
  /** Numeric fields; NaN for null (validated numbers are always finite). */
  numbers: Float64Array;
}

/** Encodes spans; `transfer` lists the buffers postMessage can move instead of copying. */
export function encodeSpanColumns(spans: readonly Span[]): { columns: SpanColumns; transfer: ArrayBuffer[] } {
  const rows = spans.length;
  const dict: string[] = [];
  const dictIndex = new Map<string, number>();
  const codes = new Int32Array(rows * DICT.length);
  const parts: string[][] = PACKED.map(() => []);
  const lengths = new Int32Array(PACKED.length);
  const ends = new Int32Array(rows * PACKED.length);
  const numbers = new Float64Array(rows * NUMBERS.length);
  for (let r = 0; r < rows; r++) {
    const s = spans[r]!;
    for (let k = 0; k < DICT.length; k++) {
      const v = GET_DICT[k]!(s);
      let code = -1;
      if (v !== null) {
        code = dictIndex.get(v) ?? -1;
        if (code === -1) {
          code = dict.push(v) - 1;
          dictIndex.set(v, code);
        }
      }
      codes[r * DICT.length + k] = code;
    }
    for (let k = 0; k < PACKED.length; k++) {
      const v = GET_PACKED[k]!(s);
      if (v === null) {
        ends[r * PACKED.length + k] = -1;
      } else {
        parts[k]!.push(v);
        lengths[k] = lengths[k]! + v.length;
        ends[r * PACKED.length + k] = lengths[k]!;
      }
    }
    for (let k = 0; k < NUMBERS.length; k++) {
      const v = GET_NUMBER[k]!(s);
      numbers[r * NUMBERS.length + k] = v === null ? NaN : v;
    }
  }
  const columns = { rows, dict, codes, packed: parts.map((p) => p.join('')), ends, numbers };
  return { columns, transfer: [codes.buffer, ends.buffer, numbers.buffer] };
}

const TYPES: DuckDBType[] = [...COLUMNS.map((c) => (c.kind === 'bigint' ? BIGINT : c.kind === 'double' ? DOUBLE : VARCHAR)), BIGINT];
const TWO_32 = 4_294_967_296;
/** Rows per data chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;
/**
 * A VARCHAR vector holds DuckDB's 16-byte string_t per row: the UTF-8 length (u32), then up to 12
 * bytes of text inline, zero-padded; longer text lives on the vector's heap behind a pointer.
 */
const STRING_T = 16;
const INLINE_MAX = 12;
const utf8 = new TextEncoder();

/**
 * Writes `text[start, end)` as an inline string_t at byte `at` of `bytes` and returns true, or
 * returns false (leaving the slot for vector_assign_string_element) when its UTF-8 is over 12 bytes.
 */
function writeInline(bytes: Uint8Array, at: number, text: string, start: number, end: number): boolean {
  const len = end - start;
  if (len > INLINE_MAX) return false;
  bytes.fill(0, at, at + STRING_T);
  for (let i = 0; i < len; i++) {
    const code = text.charCodeAt(start + i);
    if (code >= 0x80) {
      // Non-ASCII: encode into the 12 inline bytes; it fits only if every character did.
      bytes.fill(0, at + 4, at + STRING_T);
      const { read, written } = utf8.encodeInto(text.slice(start, end), bytes.subarray(at + 4, at + STRING_T));
      if (read < len) return false;
      writeLength(bytes, at, written);
      return true;
    }
    bytes[at + 4 + i] = code;
  }
  writeLength(bytes, at, len);
  return true;
}

function writeLength(bytes: Uint8Array, at: number, n: number): void {
  bytes[at] = n;
  bytes[at + 1] = 0;
  bytes[at + 2] = 0;
  bytes[at + 3] = 0;
}

/**
 * Fills one VARCHAR vector: values of up to 12 UTF-8 bytes are written as inline string_t entries
 * and copied in one call with the nulls' empty entries; longer ones are assigned one native call
 * each (which copies them to the vector's heap), except a value repeated from an earlier row (a
 * trace's id in its spans, a parent's id in its children, a long model name): that row gets a copy
 * of the earlier row's entry, pointing at the same heap bytes. One native call per value was
 * ~0.2 µs a value, most of the worker's time per span.
 */
class TextVectorWriter {
  private readonly bytes = new Uint8Array(CHUNK_ROWS * STRING_T);
  private readonly words = new Uint32Array(this.bytes.buffer);
  private readonly longRows: number[] = [];
  private readonly longValues: string[] = [];
  /** Rows that repeat an assigned value, and the row whose entry they copy. */
  private readonly repeatRows: number[] = [];
  private readonly repeatOf: number[] = [];
  private lastLong: string | null = null;
  private lastLongRow = -1;

  clear(row: number): void {
    const w = row * 4;
    this.words[w] = this.words[w + 1] = this.words[w + 2] = this.words[w + 3] = 0;
  }

  /** Copies a prepared entry (from `entries`, 4 words each) to `row`. */
  copyEntry(row: number, entries: Uint32Array, entry: number): void {
    const w = row * 4;
    const e = entry * 4;
    this.words[w] = entries[e]!;
    this.words[w + 1] = entries[e + 1]!;
    this.words[w + 2] = entries[e + 2]!;
    this.words[w + 3] = entries[e + 3]!;
  }

  /** `row` holds the same text as `earlier`, a row of this chunk already given a long value. */
  repeat(row: number, earlier: number): void {
    this.clear(row);
    this.repeatRows.push(row);
    this.repeatOf.push(earlier);
  }

  /** Sets `text[start, end)`; returns true when it went to the heap (the row can be repeated). */
  set(row: number, text: string, start: number, end: number): boolean {
    if (writeInline(this.bytes, row * STRING_T, text, start, end)) return false;
    const value = start === 0 && end === text.length ? text : text.slice(start, end);
    if (value === this.lastLong) {
      this.repeat(row, this.lastLongRow);
      return true;
    }
    this.clear(row);
    this.longRows.push(row);
    this.longValues.push(value);
    this.lastLong = value;
    this.lastLongRow = row;
    return true;
  }

  flush(vector: bindings.Vector, n: number): void {
    bindings.copy_data_to_vector(vector, 0, this.bytes.buffer, 0, n * STRING_T);
    for (let i = 0; i < this.longRows.length; i++) bindings.vector_assign_string_element(vector, this.longRows[i]!, this.longValues[i]!);
    if (this.repeatRows.length > 0) {
      // The assigned entries now hold heap pointers: read them back (a copy), copy each to the
      // rows that repeat it, and write the vector's entries again.
      this.bytes.set(bindings.vector_get_data(vector, n * STRING_T));
      for (let i = 0; i < this.repeatRows.length; i++) {
        const from = this.repeatOf[i]! * STRING_T;
        this.bytes.copyWithin(this.repeatRows[i]! * STRING_T, from, from + STRING_T);
      }
      bindings.copy_data_to_vector(vector, 0, this.bytes.buffer, 0, n * STRING_T);
    }
    this.longRows.length = 0;
    this.longValues.length = 0;
    this.repeatRows.length = 0;
    this.repeatOf.length = 0;
    this.lastLong = null;
    this.lastLongRow = -1;
  }
}

/**
 * Appends every row of `c` (then `seq`, the append batch's number) as data chunks: numbers, null
 * masks and short text are copied into DuckDB's vectors a column at a time, longer text one value
 * at a time. Row by row, the appender took one native call per value (~30 a span) and a BigInt per
 * integer.
 */
export function appendSpanColumns(a: DuckDBAppender, c: SpanColumns, seq: bigint): void {
  const starts = new Int32Array(PACKED.length);
  // Scratch for one column of one chunk: int64 as two 32-bit words (little-endian), doubles, validity bits.
  const words = new Uint32Array(CHUNK_ROWS * 2);
  const doubles = new Float64Array(CHUNK_ROWS);
  const validity = new Uint32Array(CHUNK_ROWS / 32);
  const text = new TextVectorWriter();
  // Each dictionary value's inline entry, made once for the batch; inline[k] says whether it fits.
  const dictBytes = new Uint8Array(c.dict.length * STRING_T);
  const dictEntries = new Uint32Array(dictBytes.buffer);
  const inline = c.dict.map((v, k) => writeInline(dictBytes, k * STRING_T, v, 0, v.length));
  // Per dictionary value, the row of the current chunk and column that was given it (-1: none yet).
  const assignedRow = new Int32Array(c.dict.length);
  const seqWords = new Uint32Array(CHUNK_ROWS * 2);
  const seqHigh = Number(seq >> 32n) >>> 0;
  const seqLow = Number(seq & 0xffffffffn) >>> 0;
  for (let i = 0; i < CHUNK_ROWS; i++) {
    seqWords[2 * i] = seqLow;
    seqWords[2 * i + 1] = seqHigh;
  }
  for (let base = 0; base < c.rows; base += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, c.rows - base);
    const chunk = DuckDBDataChunk.create(TYPES, n);
    let d = 0;
    let p = 0;
    let num = 0;
    COLUMNS.forEach((col, index) => {
      const vector = bindings.data_chunk_get_vector(chunk.chunk, index);
      let nulls = false;
      validity.fill(0xffffffff);
      const setNull = (i: number): void => {
        nulls = true;
        validity[i >>> 5] = validity[i >>> 5]! & ~(1 << (i & 31));
      };
      if (col.kind === 'dict') {
        assignedRow.fill(-1);
        for (let i = 0; i < n; i++) {
          const code = c.codes[(base + i) * DICT.length + d]!;
          if (code === -1) {
            setNull(i);
            text.clear(i);
          } else if (inline[code]) {
            text.copyEntry(i, dictEntries, code);
          } else if (assignedRow[code] !== -1) {
            text.repeat(i, assignedRow[code]!);
          } else {
            const v = c.dict[code]!;
            text.set(i, v, 0, v.length);
            assignedRow[code] = i;
          }
        }
        text.flush(vector, n);
        d++;
      } else if (col.kind === 'packed') {
        const packed = c.packed[p]!;
        for (let i = 0; i < n; i++) {
          const end = c.ends[(base + i) * PACKED.length + p]!;
          if (end === -1) {
            setNull(i);
            text.clear(i);
          } else {
            text.set(i, packed, starts[p]!, end);
            starts[p] = end;
          }
        }
        text.flush(vector, n);
        p++;
      } else {
        for (let i = 0; i < n; i++) {
          const v = c.numbers[(base + i) * NUMBERS.length + num]!;
          if (Number.isNaN(v)) {
            setNull(i);
            doubles[i] = 0;
            words[2 * i] = 0;
            words[2 * i + 1] = 0;
          } else if (col.kind === 'double') {
            doubles[i] = v;
          } else {
            // Two's complement from a safe integer, without a BigInt per value.
            const r = Math.round(v);
            const high = Math.floor(r / TWO_32);
            words[2 * i] = (r - high * TWO_32) >>> 0;
            words[2 * i + 1] = high >>> 0;
          }
        }
        const source = col.kind === 'double' ? doubles.buffer : words.buffer;
        bindings.copy_data_to_vector(vector, 0, source, 0, n * 8);
        num++;
      }
      if (nulls) {
        bindings.vector_ensure_validity_writable(vector);
        bindings.copy_data_to_vector_validity(vector, 0, validity.buffer, 0, Math.ceil(n / 64) * 8);
      }
    });
    bindings.copy_data_to_vector(bindings.data_chunk_get_vector(chunk.chunk, COLUMNS.length), 0, seqWords.buffer, 0, n * 8);
    a.appendDataChunk(chunk);
  }
}

/**
 * One append batch in one transaction: its spans (each row carrying `seq`) and its requests'
 * Idempotency-Key records, so after a crash both are there or neither. Resolves after COMMIT.
 */
export async function appendSpanBatch(conn: DuckDBConnection, c: SpanColumns, seq: bigint, keys: readonly IdempotencyRecord[]): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  try {
    const appender = await conn.createAppender('spans');
    try {
      appendSpanColumns(appender, c, seq);
      appender.flushSync();
    } finally {
      closeQuietly(appender);
    }
    for (const k of keys) {
      await conn.run('INSERT INTO ingest_keys VALUES (?, ?, ?)', [k.key, k.response, BigInt(k.created_at)]);
    }
    await conn.run('COMMIT');
  } catch (err) {
    await rollbackQuietly(conn);
    throw err;
  }
}

function closeQuietly(appender: DuckDBAppender): void {
  try {
    appender.closeSync();
  } catch {
    // A failed flush already reported the cause; closing the broken appender adds nothing.
  }
}
