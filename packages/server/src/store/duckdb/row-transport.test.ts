// Rows packed for postMessage come back equal to the originals, field order included (it is the
// order of API JSON); values that are not uniform rows pass through untouched.

import { describe, expect, it } from 'vitest';
import { packRows, unpackRows } from './row-transport.js';

/** Packs, moves as postMessage moves (transfer), unpacks. */
function roundTrip(value: unknown): { back: unknown; packed: boolean } {
  const { value: packed, transfer } = packRows(value);
  const moved: unknown = structuredClone(packed, { transfer });
  return { back: unpackRows(moved), packed: packed !== value };
}

const rollupRows = Array.from({ length: 100 }, (_, i) => ({
  bucket: 1_700_000_000_000 + i * 60_000,
  group: [`agent-${i % 3}`, i % 4 === 0 ? null : 'gpt-4o'],
  count: i,
  cost_usd: i / 7,
  latency_hist: Array.from({ length: 64 }, (_, b) => (b === i % 64 ? i : 0)),
  note: i % 5 === 0 ? null : `n${i}`,
  mixed: i % 2 === 0 ? 1.5 : 'text',
}));

describe('row transport', () => {
  it('round-trips uniform rows exactly: numbers, nulls, text, number arrays, mixed tuples, key order', () => {
    const { back, packed } = roundTrip(rollupRows);
    expect(packed).toBe(true);
    expect(back).toEqual(rollupRows);
    expect(JSON.stringify(back)).toBe(JSON.stringify(rollupRows));
  });

  it('keeps special numbers (NaN, -0, ±Infinity, large integers) and empty arrays', () => {
    const rows = Array.from({ length: 64 }, (_, i) => ({ v: [NaN, -0, Infinity, -Infinity, 2 ** 53 - 1][i % 5]!, h: [] as number[] }));
    const { back, packed } = roundTrip(rows);
    expect(packed).toBe(true);
    expect(back).toEqual(rows);
    expect(Object.is((back as { v: number }[])[1]!.v, -0)).toBe(true);
  });

  it('packs each result of a list of results (one per query), and gives back the same list', () => {
    const list = [rollupRows, [], rollupRows.slice(0, 10), [[1, 2], [3]], rollupRows.slice(20)];
    const { value, transfer } = packRows(list);
    // The two packed row arrays move their number columns (4 each); the rest pass as they are.
    expect(transfer).toHaveLength(8);
    const back = unpackRows(structuredClone(value, { transfer }));
    expect(back).toEqual(list);
    expect(JSON.stringify(back)).toBe(JSON.stringify(list));
  });

  it('sends arrays with a hole as they are, hole included', () => {
    const rows = rollupRows.map((r, i) => {
      const latency_hist = [...r.latency_hist];
      if (i === 5) delete latency_hist[1];
      return { ...r, latency_hist };
    });
    const { back } = roundTrip(rows);
    expect((back as typeof rows)[5]!.latency_hist).toHaveLength(64);
    expect(1 in (back as typeof rows)[5]!.latency_hist).toBe(false);
    expect(back).toEqual(rows);
  });

  it('moves the number columns instead of copying them', () => {
    const { value, transfer } = packRows(rollupRows);
    // bucket, count, cost_usd and latency_hist travel as Float64Arrays.
    expect(transfer).toHaveLength(4);
    structuredClone(value, { transfer });
    expect(transfer.every((b) => b.byteLength === 0)).toBe(true);
  });

  it('leaves small results, non-row values and rows of differing shape as they are', () => {
    const small = rollupRows.slice(0, 10);
    expect(packRows(small).value).toBe(small);
    for (const v of [null, 3, 'x', { a: 1 }, [1, 2, 3], new Array(100).fill(7)]) expect(packRows(v).value).toBe(v);
    const reordered = rollupRows.map((r, i) => {
      if (i !== 50) return r;
      const { bucket, ...rest } = r;
      return { ...rest, bucket };
    });
    expect(packRows(reordered).value).toBe(reordered);
    const missing = rollupRows.map((r, i) => (i === 99 ? { ...r, extra: 1 } : r));
    expect(packRows(missing).value).toBe(missing);
    const proto = Array.from({ length: 64 }, () => JSON.parse('{"__proto__": 1, "a": 2}') as unknown);
    expect(packRows(proto).value).toBe(proto);
  });

  it('sends repetitive text once per distinct value, with an index array that is moved', () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ bucket: i, agent_id: `agent-${i % 7}`, decision: ['a', '', 'é\u{1F600}'][i % 3]!, id: `t${i}` }));
    const { value, transfer } = packRows(rows);
    const kinds = (value as { columns: { kind: string }[] }).columns.map((c) => c.kind);
    // id has a value per row: a dictionary would not pay, so it goes as it is.
    expect(kinds).toEqual(['number', 'text', 'text', 'plain']);
    expect(transfer).toHaveLength(3);
    const back = unpackRows(structuredClone(value, { transfer }));
    expect(back).toEqual(rows);
    expect(JSON.stringify(back)).toBe(JSON.stringify(rows));
  });

  it('sends text with a value of another kind, or long text, as plain values', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ model: i === 80 ? null : 'gpt-4o', n: i === 90 ? 1 : 'x', long: i === 50 ? 'y'.repeat(300) : 'y' }));
    const { value } = packRows(rows);
    expect((value as { columns: { kind: string }[] }).columns.map((c) => c.kind)).toEqual(['plain', 'plain', 'plain']);
    expect(roundTrip(rows).back).toEqual(rows);
  });

  it('sends a column that is not uniform as plain values', () => {
    const rows = Array.from({ length: 70 }, (_, i) => ({ n: i === 69 ? null : i, arr: i === 3 ? [1] : [1, 2], deep: [{ x: i }] }));
    expect(roundTrip(rows).back).toEqual(rows);
  });
});
