// Spans on their way to the store worker, column by column. postMessage of span objects costs a
// structured clone of every field, and the worker (the thread every append waits for) paid several
// µs a span to rebuild them. Encoded here, a batch is a handful of typed arrays (moved, not copied)
// and a few strings: low-cardinality text as codes into one dictionary, the rest concatenated per
// column with end offsets. The worker appends straight from these arrays.

import type { DuckDBAppender } from '@duckdb/node-api';
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

/** Appends every row of `c` (then `seq`, the append batch's number) in table order. */
export function appendSpanColumns(a: DuckDBAppender, c: SpanColumns, seq: bigint): void {
  const starts = new Int32Array(PACKED.length);
  for (let r = 0; r < c.rows; r++) {
    let d = 0;
    let p = 0;
    let n = 0;
    for (const col of COLUMNS) {
      if (col.kind === 'dict') {
        const code = c.codes[r * DICT.length + d++]!;
        if (code === -1) a.appendNull();
        else a.appendVarchar(c.dict[code]!);
      } else if (col.kind === 'packed') {
        const end = c.ends[r * PACKED.length + p]!;
        if (end === -1) a.appendNull();
        else {
          a.appendVarchar(c.packed[p]!.slice(starts[p], end));
          starts[p] = end;
        }
        p++;
      } else {
        const v = c.numbers[r * NUMBERS.length + n++]!;
        if (Number.isNaN(v)) a.appendNull();
        else if (col.kind === 'double') a.appendDouble(v);
        else a.appendBigInt(BigInt(Math.round(v)));
      }
    }
    a.appendBigInt(seq);
    a.endRow();
  }
}
