// Query results on their way back from the store worker, column by column. postMessage clones an
// array of row objects key by key, object by object: ~1 µs a row for a dashboard read of a few
// thousand rollup rows, ~3 ms for a decision distribution and ~5 ms for 552 rows with 64-bucket
// histograms, paid twice (clone in the worker, rebuild on the main thread). Packed, numbers travel
// as one Float64Array per field (moved, not copied), repetitive text as its distinct values and an
// index array, and the rows are rebuilt on the main thread.

/** Rows packed by packRows: field names in row order, one column per field. */
export interface PackedRows {
  packedRows: true;
  rows: number;
  keys: string[];
  columns: PackedColumn[];
}

/** A list of results, each packed by packRows (or as it was). */
interface PackedList {
  packedList: true;
  items: unknown[];
}

type PackedColumn =
  /** A number in every row. */
  | { kind: 'number'; values: Float64Array }
  /** An array of `width` numbers in every row, row after row. */
  | { kind: 'numbers'; width: number; values: Float64Array }
  /** An array of `width` values of any kind in every row, row after row. */
  | { kind: 'tuple'; width: number; values: unknown[] }
  /** Text from few distinct values: each value once, and its index in every row. */
  | { kind: 'text'; words: string[]; indices: Uint32Array }
  /** Anything else (text, null, mixed): the values as they are. */
  | { kind: 'plain'; values: unknown[] };

/** Fewer rows than this are sent as they are: packing pays off only for larger results. */
const MIN_ROWS = 64;
/** A text column becomes a 'text' column while it has at most one distinct value per this many rows. */
const ROWS_PER_WORD = 4;
/** Longer text goes as it is: finding its repeats (hashing) would cost about what copying it does. */
const MAX_WORD_LENGTH = 256;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/**
 * The column as words and indices, or null once it has a value that is not short text or too many
 * distinct values: postMessage copies a string per row (7,140 decision-count strings: ~0.9 ms), an
 * index array is moved.
 */
function packText(rows: Record<string, unknown>[], key: string): PackedColumn | null {
  const maxWords = Math.floor(rows.length / ROWS_PER_WORD);
  const index = new Map<string, number>();
  const words: string[] = [];
  const indices = new Uint32Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const v = rows[r]![key];
    if (typeof v !== 'string' || v.length > MAX_WORD_LENGTH) return null;
    let i = index.get(v);
    if (i === undefined) {
      if (words.length >= maxWords) return null;
      index.set(v, (i = words.length));
      words.push(v);
    }
    indices[r] = i;
  }
  return { kind: 'text', words, indices };
}

/** Arrays of `width` numbers in one pass (checked while copied), or null at the first non-number. */
function packNumbers(rows: Record<string, unknown>[], key: string, width: number): PackedColumn | null {
  const values = new Float64Array(rows.length * width);
  for (let r = 0, o = 0; r < rows.length; r++) {
    const a = rows[r]![key] as unknown[];
    for (let i = 0; i < width; i++, o++) {
      const v = a[i];
      if (typeof v !== 'number') return null;
      values[o] = v;
    }
  }
  return { kind: 'numbers', width, values };
}

/**
 * Arrays of `width` flat values (no arrays or objects inside), row after row, or null. A hole in a
 * sparse array makes it null: copying would turn it into undefined (and flat() would drop it).
 */
function packTuples(rows: Record<string, unknown>[], key: string, width: number): PackedColumn | null {
  const values: unknown[] = new Array(rows.length * width);
  for (let r = 0, o = 0; r < rows.length; r++) {
    const a = rows[r]![key] as unknown[];
    for (let i = 0; i < width; i++, o++) {
      if (!(i in a)) return null;
      const v = a[i];
      if (Array.isArray(v) || isPlainObject(v)) return null;
      values[o] = v;
    }
  }
  return { kind: 'tuple', width, values };
}

function packColumn(rows: Record<string, unknown>[], key: string): PackedColumn {
  const first = rows[0]![key];
  if (typeof first === 'string') {
    const text = packText(rows, key);
    if (text !== null) return text;
  }
  if (typeof first === 'number') {
    const values = new Float64Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const v = rows[r]![key];
      if (typeof v !== 'number') return { kind: 'plain', values: rows.map((row) => row[key]) };
      values[r] = v;
    }
    return { kind: 'number', values };
  }
  if (Array.isArray(first)) {
    const width = first.length;
    if (rows.every((row) => Array.isArray(row[key]) && (row[key] as unknown[]).length === width)) {
      const numbers = packNumbers(rows, key, width);
      if (numbers !== null) return numbers;
      const tuple = packTuples(rows, key, width);
      if (tuple !== null) return tuple;
    }
  }
  return { kind: 'plain', values: rows.map((row) => row[key]) };
}

/**
 * `value` packed column by column when it is an array of at least MIN_ROWS plain objects that all
 * have the same keys in the same order; anything else is returned as it is. `transfer` lists the
 * buffers postMessage can move.
 */
export function packRows(value: unknown): { value: unknown; transfer: ArrayBuffer[] } {
  // A list of results (alertRollups: one row array per query of an alert tick) is packed result by
  // result; it was cloned object by object.
  if (Array.isArray(value) && value.length > 0 && value.every(Array.isArray)) {
    const items = value.map(packRows);
    const list: PackedList = { packedList: true, items: items.map((i) => i.value) };
    return { value: list, transfer: items.flatMap((i) => i.transfer) };
  }
  if (!Array.isArray(value) || value.length < MIN_ROWS || !isPlainObject(value[0])) return { value, transfer: [] };
  const keys = Object.keys(value[0]);
  // Rebuilt by assignment, which would set a prototype for this key rather than a field.
  if (keys.includes('__proto__')) return { value, transfer: [] };
  for (const row of value) {
    if (!isPlainObject(row)) return { value, transfer: [] };
    const k = Object.keys(row);
    if (k.length !== keys.length || k.some((x, i) => x !== keys[i])) return { value, transfer: [] };
  }
  const rows = value as Record<string, unknown>[];
  const columns = keys.map((key) => packColumn(rows, key));
  const transfer = columns.flatMap((c) =>
    c.kind === 'number' || c.kind === 'numbers' ? [c.values.buffer as ArrayBuffer] : c.kind === 'text' ? [c.indices.buffer as ArrayBuffer] : [],
  );
  const packed: PackedRows = { packedRows: true, rows: rows.length, keys, columns };
  return { value: packed, transfer };
}

const isPacked = (v: unknown): v is PackedRows => typeof v === 'object' && v !== null && (v as Partial<PackedRows>).packedRows === true;
const isPackedList = (v: unknown): v is PackedList => typeof v === 'object' && v !== null && (v as Partial<PackedList>).packedList === true;

/** The rows packRows packed (equal to the original, keys in the same order); other values as they are. */
export function unpackRows(value: unknown): unknown {
  if (isPackedList(value)) return value.items.map(unpackRows);
  if (!isPacked(value)) return value;
  const { rows: n, keys, columns } = value;
  const out: Record<string, unknown>[] = new Array(n);
  for (let r = 0; r < n; r++) out[r] = {};
  // Column by column: each loop stores one key, so its store stays monomorphic (row by row, one
  // store site sees every key: ~30% slower for 3,570 decision counts).
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const c = columns[k]!;
    switch (c.kind) {
      case 'number':
      case 'plain':
        for (let r = 0; r < n; r++) out[r]![key] = c.values[r];
        break;
      case 'text':
        for (let r = 0; r < n; r++) out[r]![key] = c.words[c.indices[r]!];
        break;
      case 'numbers':
        // A loop, not Array.from(subarray), which goes through the typed array's iterator (~3× slower).
        for (let r = 0; r < n; r++) {
          const a = new Array<number>(c.width);
          for (let i = 0, o = r * c.width; i < c.width; i++) a[i] = c.values[o + i]!;
          out[r]![key] = a;
        }
        break;
      case 'tuple':
        for (let r = 0; r < n; r++) out[r]![key] = c.values.slice(r * c.width, (r + 1) * c.width);
        break;
    }
  }
  return out;
}
