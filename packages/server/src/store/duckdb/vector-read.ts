// Number columns of a result chunk read in bulk, straight from DuckDB's vector memory. node-api's
// getItem checks a row's validity with BigInt arithmetic (~0.1 µs a value), which was most of the
// cost of reading rollup rows with 64 histogram columns; here a column is a typed-array view and
// validity is a byte test.

import bindings from '@duckdb/node-bindings';
import type { DuckDBDataChunk } from '@duckdb/node-api';
import type { RollupRow } from '../store.js';

export interface NumberColumn {
  /** The column's values, row by row; rows that are NULL hold garbage (see `valid`). */
  values: Float64Array | Int32Array;
  /** Validity bitmap (bit r of byte r >> 3), or null when every row is valid. */
  valid: Uint8Array | null;
}

/**
 * Column `column` of `chunk`, which must be DOUBLE (`kind` 'double') or INTEGER ('integer') in the
 * query's result: the SQL casts what it selects, so the type is known. The views are valid while
 * the result is.
 */
export function numberColumn(chunk: DuckDBDataChunk, column: number, kind: 'double' | 'integer'): NumberColumn {
  const rows = chunk.rowCount;
  const vector = bindings.data_chunk_get_vector(chunk.chunk, column);
  const width = kind === 'double' ? 8 : 4;
  const data = bindings.vector_get_data(vector, rows * width);
  const values = kind === 'double' ? new Float64Array(data.buffer, data.byteOffset, rows) : new Int32Array(data.buffer, data.byteOffset, rows);
  // The bitmap is 64-bit words; little-endian, so bit r is bit (r & 7) of byte r >> 3.
  // No bitmap at all (a null pointer, typed as an array by the bindings) when every row is valid.
  const validity = bindings.vector_get_validity(vector, Math.ceil(rows / 64) * 8) as Uint8Array | null | undefined;
  return { values, valid: validity ?? null };
}

/** The value of row `r`, with NULL read as 0 (what a sum adds for it). */
export function numberOrZero(c: NumberColumn, r: number): number {
  if (c.valid !== null && ((c.valid[r >> 3]! >> (r & 7)) & 1) === 0) return 0;
  return c.values[r]!;
}

/**
 * Column `column` of `chunk`, an INTEGER[width] array that is never NULL and holds no NULLs (the
 * SQL guarantees it): every row's `width` values, row after row.
 */
export function arrayColumn(chunk: DuckDBDataChunk, column: number, width: number): Int32Array {
  const child = bindings.array_vector_get_child(bindings.data_chunk_get_vector(chunk.chunk, column));
  const n = chunk.rowCount * width;
  const data = bindings.vector_get_data(child, n * 4);
  return new Int32Array(data.buffer, data.byteOffset, n);
}

/**
 * A rollup row from row `r` of its figure columns (`f`, in ROLLUP_SUM_COLUMNS order), NULL read
 * as 0.
 */
export function rollupRowAt(bucket: number, group: (string | null)[], f: readonly NumberColumn[], r: number, latency_hist: number[]): RollupRow {
  return {
    bucket,
    group,
    count: numberOrZero(f[0]!, r),
    errors: numberOrZero(f[1]!, r),
    latency_sum: numberOrZero(f[2]!, r),
    tokens_input: numberOrZero(f[3]!, r),
    tokens_output: numberOrZero(f[4]!, r),
    tokens_cache_read: numberOrZero(f[5]!, r),
    tokens_cache_write: numberOrZero(f[6]!, r),
    tokens_reasoning: numberOrZero(f[7]!, r),
    cost_usd: numberOrZero(f[8]!, r),
    confidence_sum: numberOrZero(f[9]!, r),
    confidence_count: numberOrZero(f[10]!, r),
    latency_hist,
  };
}

/** Adds row `r` of the figure columns (ROLLUP_SUM_COLUMNS order) to `row`'s figures. */
export function addRollupFiguresAt(row: RollupRow, f: readonly NumberColumn[], r: number): void {
  row.count += numberOrZero(f[0]!, r);
  row.errors += numberOrZero(f[1]!, r);
  row.latency_sum += numberOrZero(f[2]!, r);
  row.tokens_input += numberOrZero(f[3]!, r);
  row.tokens_output += numberOrZero(f[4]!, r);
  row.tokens_cache_read += numberOrZero(f[5]!, r);
  row.tokens_cache_write += numberOrZero(f[6]!, r);
  row.tokens_reasoning += numberOrZero(f[7]!, r);
  row.cost_usd += numberOrZero(f[8]!, r);
  row.confidence_sum += numberOrZero(f[9]!, r);
  row.confidence_count += numberOrZero(f[10]!, r);
}
