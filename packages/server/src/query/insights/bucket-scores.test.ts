import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS, type RollupRow } from '../../store/store.js';
import { groupTotals } from './bucket-scores.js';

const MIN = 60_000;

function row(bucket: number, group: (string | null)[], count: number, hist = true): RollupRow {
  const latency_hist = hist ? Array.from({ length: LATENCY_BUCKETS }, (_, i) => (i === 10 ? count : i === 20 ? 1 : 0)) : [];
  return {
    bucket,
    group,
    count: count + (hist ? 1 : 0),
    errors: 1,
    latency_sum: 100 * count,
    tokens_input: 10,
    tokens_output: 5,
    tokens_cache_read: 2,
    tokens_cache_write: 0,
    tokens_reasoning: 0,
    cost_usd: 0.5,
    confidence_sum: 0.25,
    confidence_count: 1,
    latency_hist,
  };
}

describe('groupTotals', () => {
  it('sums rows of the same bucket and group, coarser buckets, and leaves the rows as they were', () => {
    const rows = [row(0, ['a'], 3), row(0, ['a'], 4), row(5 * MIN, ['a'], 2), row(0, [null], 6), row(0, ['b', 'x'], 1)];
    const before = structuredClone(rows);
    const out = groupTotals(rows, 5 * MIN);
    expect(rows).toEqual(before);
    expect([...out.keys()]).toEqual(['a', '(none)', 'b | x']);
    const a0 = out.get('a')!.get(0)!;
    expect([a0.count, a0.errors, a0.latency_sum, a0.tokens_input, a0.cost_usd, a0.confidence_count]).toEqual([9, 2, 700, 20, 1, 2]);
    expect(a0.latency_hist[10]).toBe(7);
    expect(a0.latency_hist[20]).toBe(2);
    expect(a0.latency_hist.reduce((x, y) => x + y, 0)).toBe(9);
    // A row alone in its bucket and group gives its own figures.
    expect(out.get('a')!.get(5 * MIN)!.count).toBe(3);
    expect(out.get('(none)')!.get(0)!.latency_hist[10]).toBe(6);

    const hour = groupTotals(rows, 60 * MIN);
    expect(hour.get('a')!.get(0)!.count).toBe(12);
    expect(hour.get('a')!.get(0)!.latency_hist[10]).toBe(9);
    expect(rows).toEqual(before);
  });

  it('gives rows read without histograms totals with an empty 64-bucket histogram', () => {
    const out = groupTotals([row(0, ['a'], 3, false)], 5 * MIN);
    const t = out.get('a')!.get(0)!;
    expect(t.count).toBe(3);
    expect(t.latency_hist).toEqual(new Array(LATENCY_BUCKETS).fill(0));
  });
});
