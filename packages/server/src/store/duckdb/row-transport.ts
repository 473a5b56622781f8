// Query results on their way back from the store worker, column by column. postMessage clones an
// array of row objects key by key, object by object: ~1 µs a row for a dashboard read of a few
// thousand rollup rows, ~3 ms for a decision distribution and ~5 ms for 552 rows with 64-bucket
// histograms, paid twice (clone in the worker, rebuild on the main thread). Packed, numbers travel
// as one Float64Array per field (moved, not copied) and the rows are rebuilt on the main thread.

/** Rows packed by packRows: field names in row order, one column per field. */
export interface PackedRows {
  packedRows: true;
  rows: number;
  keys: string[];
  columns: PackedColumn[];
}

type PackedColumn =
  /** A number in every row. */
  | { kind: 'number'; values: Float64Array }
  /** An array of `width` numbers in every row, row after row. */
  | { kind: 'numbers'; width: number; values: Float64Array }
  /** An array of `width` values of any kind in every row, row after row. */
  | { kind: 'tuple'; width: number; values: unknown[] }
  /** Anything else (text, null, mixed): the values as they are. */
  | { kind: 'plain'; values: unknown[] };

/** Fewer rows than this are sent as they are: packing pays off only for larger results. */
const MIN_ROWS = 64;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

function packColumn(rows: Record<string, unknown>[], key: string): PackedColumn {
  const first = rows[0]![key];
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
      const numeric = rows.every((row) => (row[key] as unknown[]).every((x) => typeof x === 'number'));
      if (numeric) {
        const values = new Float64Array(rows.length * width);
        rows.forEach((row, r) => values.set(row[key] as number[], r * width));
        return { kind: 'numbers', width, values };
      }
      if (rows.every((row) => (row[key] as unknown[]).every((x) => !Array.isArray(x) && !isPlainObject(x)))) {
        return { kind: 'tuple', width, values: rows.flatMap((row) => row[key] as unknown[]) };
      }
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
  const transfer = columns.flatMap((c) => (c.kind === 'number' || c.kind === 'numbers' ? [c.values.buffer as ArrayBuffer] : []));
  const packed: PackedRows = { packedRows: true, rows: rows.length, keys, columns };
  return { value: packed, transfer };
}

const isPacked = (v: unknown): v is PackedRows => typeof v === 'object' && v !== null && (v as Partial<PackedRows>).packedRows === true;

/** The rows packRows packed (equal to the original, keys in the same order); other values as they are. */
export function unpackRows(value: unknown): unknown {
  if (!isPacked(value)) return value;
  const { rows: n, keys, columns } = value;
  const out: Record<string, unknown>[] = new Array(n);
  for (let r = 0; r < n; r++) {
    const row: Record<string, unknown> = {};
    for (let k = 0; k < keys.length; k++) {
      const c = columns[k]!;
      switch (c.kind) {
        case 'number':
        case 'plain':
          row[keys[k]!] = c.values[r];
          break;
        case 'numbers':
          row[keys[k]!] = Array.from(c.values.subarray(r * c.width, (r + 1) * c.width));
          break;
        case 'tuple':
          row[keys[k]!] = c.values.slice(r * c.width, (r + 1) * c.width);
          break;
      }
    }
    out[r] = row;
  }
  return out;
}
