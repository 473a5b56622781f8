// Spans on their way to the store worker, column by column. postMessage of span objects costs a
// structured clone of every field, and the worker (the thread every append waits for) paid several
// µs a span to rebuild them. Encoded here, a batch is a handful of typed arrays (moved, not copied)
// and a few strings: low-cardinality text as codes into one dictionary, the rest concatenated per
// column with end offsets. The worker fills DuckDB data chunks straight from these arrays.

import { BIGINT, DOUBLE, DuckDBDataChunk, VARCHAR, type DuckDBAppender, type DuckDBType } from '@duckdb/node-api';
import bindings from '@duckdb/node-bindings';
import type { Span } from '../../model/span.js';

type TextField = { [K in keyof Span]: Span[K] extends string | null ? K : never }[keyof Span];
type NumberField = { [K in keyof Span]: Span[K] extends number | null ? K : never }[keyof Span];

/** How each span column travels, in table order (schema.ts SPAN_COLUMNS). */
type Column =
  | { kind: 'dict'; field: TextField }
  | { kind: 'packed'; field: TextField | 'attributes' }
  | { kind: 'bigint' | 'double'; field: NumberField };

const COLUMNS: Column[] = [
  { kind: 'dict', field: 'project' },
  { kind: 'bigint', field: 'timestamp' },
  { kind: 'dict', field: 'agent_id' },
  { kind: 'packed', field: 'trace_id' },
  { kind: 'packed', field: 'span_id' },
  { kind: 'packed', field: 'parent_span_id' },
  { kind: 'dict', field: 'span_type' },
  { kind: 'dict', field: 'name' },
  { kind: 'dict', field: 'model' },
  { kind: 'dict', field: 'provider' },
  { kind: 'bigint', field: 'tokens_input' },
  { kind: 'bigint', field: 'tokens_output' },
  { kind: 'bigint', field: 'tokens_cache_read' },
  { kind: 'bigint', field: 'tokens_cache_write' },
  { kind: 'bigint', field: 'tokens_reasoning' },
  { kind: 'double', field: 'latency_ms' },
  { kind: 'double', field: 'cost_usd' },
  { kind: 'dict', field: 'cost_source' },
  { kind: 'dict', field: 'decision_made' },
  { kind: 'double', field: 'confidence' },
  { kind: 'dict', field: 'error_type' },
  { kind: 'packed', field: 'error_message' },
  { kind: 'packed', field: 'session_id' },
  { kind: 'packed', field: 'user_id' },
  { kind: 'packed', field: 'attributes' },
  { kind: 'packed', field: 'input' },
  { kind: 'packed', field: 'output' },
  { kind: 'bigint', field: 'ingested_at' },
];

const DICT = COLUMNS.flatMap((c) => (c.kind === 'dict' ? [c.field] : []));
const PACKED = COLUMNS.flatMap((c) => (c.kind === 'packed' ? [c.field] : []));
const NUMBERS = COLUMNS.flatMap((c) => (c.kind === 'bigint' || c.kind === 'double' ? [c.field] : []));

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
      const v = s[DICT[k]!];
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
      const field = PACKED[k]!;
      const v = field === 'attributes' ? JSON.stringify(s.attributes) : s[field];
      if (v === null) {
        ends[r * PACKED.length + k] = -1;
      } else {
        parts[k]!.push(v);
        lengths[k] = lengths[k]! + v.length;
        ends[r * PACKED.length + k] = lengths[k]!;
      }
    }
    for (let k = 0; k < NUMBERS.length; k++) {
      const v = s[NUMBERS[k]!];
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
 * Appends every row of `c` (then `seq`, the append batch's number) as data chunks: numbers and
 * null masks are copied into DuckDB's vectors a column at a time, text one value at a time.
 * Row by row, the appender took one native call per value (~30 a span) and a BigInt per integer.
 */
export function appendSpanColumns(a: DuckDBAppender, c: SpanColumns, seq: bigint): void {
  const starts = new Int32Array(PACKED.length);
  // Scratch for one column of one chunk: int64 as two 32-bit words (little-endian), doubles, validity bits.
  const words = new Uint32Array(CHUNK_ROWS * 2);
  const doubles = new Float64Array(CHUNK_ROWS);
  const validity = new Uint32Array(CHUNK_ROWS / 32);
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
        for (let i = 0; i < n; i++) {
          const code = c.codes[(base + i) * DICT.length + d]!;
          if (code === -1) setNull(i);
          else bindings.vector_assign_string_element(vector, i, c.dict[code]!);
        }
        d++;
      } else if (col.kind === 'packed') {
        const text = c.packed[p]!;
        for (let i = 0; i < n; i++) {
          const end = c.ends[(base + i) * PACKED.length + p]!;
          if (end === -1) setNull(i);
          else {
            bindings.vector_assign_string_element(vector, i, text.slice(starts[p], end));
            starts[p] = end;
          }
        }
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
