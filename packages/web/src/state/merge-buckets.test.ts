import { describe, expect, it } from 'vitest';
import { emptyValue, mergeBuckets, refetchFrom, windowStart } from './merge-buckets';

const M = 60_000;

describe('merging refetched buckets', () => {
  it('replaces buckets from the refetch on, slides the window, fills groups that are new or quiet', () => {
    const held = [
      { group: 'a', points: [[0, 1], [M, 2], [2 * M, 3]] as [number, number | null][] },
      { group: 'gone', points: [[0, 4], [M, 0], [2 * M, 0]] as [number, number | null][] },
    ];
    const fresh = [
      { group: 'a', points: [[2 * M, 5], [3 * M, 1]] as [number, number | null][] },
      { group: 'new', points: [[2 * M, 0], [3 * M, 7]] as [number, number | null][] },
    ];
    expect(refetchFrom(held, 3 * M + 5, M, windowStart(3 * M + 10, 3 * M, M))).toBe(2 * M);
    expect(mergeBuckets(held, fresh, { from: 2 * M, windowStart: M, intervalMs: M, empty: 0 })).toEqual([
      { group: 'a', points: [[M, 2], [2 * M, 5], [3 * M, 1]] },
      { group: 'new', points: [[M, 0], [2 * M, 0], [3 * M, 7]] },
    ]);
    // With the window still at 0, the quiet group keeps its old value and gets empty new buckets.
    expect(mergeBuckets(held, fresh, { from: 2 * M, windowStart: 0, intervalMs: M, empty: 0 })[1]).toEqual({ group: 'gone', points: [[0, 4], [M, 0], [2 * M, 0], [3 * M, 0]] });
  });

  it('uses null for empty buckets of metrics without a zero, and refetches from a late span', () => {
    expect([emptyValue('count'), emptyValue('cost'), emptyValue('latency_p95'), emptyValue('error_rate')]).toEqual([0, 0, null, null]);
    const held = [{ group: 'all', points: [[0, 10], [M, 20], [2 * M, null]] as [number, number | null][] }];
    expect(refetchFrom(held, M + 1, M, 0)).toBe(M);
    expect(refetchFrom(held, -5 * M, M, 0)).toBe(0);
    expect(mergeBuckets(held, [{ group: 'all', points: [[M, 25], [2 * M, null], [3 * M, 30]] }], { from: M, windowStart: 0, intervalMs: M, empty: null })).toEqual([
      { group: 'all', points: [[0, 10], [M, 25], [2 * M, null], [3 * M, 30]] },
    ]);
  });
});
