// Live updates of a time series: a tail fetch (from the last bucket on) is merged into the panel's
// series instead of refetching the whole range.
import type { Series } from '@sightline/api';
import { describe, expect, it } from 'vitest';
import { mergeTail } from './use-api';

describe('mergeTail', () => {
  const old: Series[] = [
    { group: 'b', points: [[0, 5], [60, 6]] },
    { group: 'a', points: [[0, 1], [60, 2], [120, 3]] },
  ];

  it('replaces the still-filling bucket, appends new ones, adds new groups and drops buckets that left the window', () => {
    const tail: Series[] = [
      { group: 'a', points: [[120, 4], [180, 5]] },
      { group: 'c', points: [[180, 1]] },
    ];
    expect(mergeTail(old, tail, 60)).toEqual([
      { group: 'a', points: [[60, 2], [120, 4], [180, 5]] },
      { group: 'b', points: [[60, 6]] },
      { group: 'c', points: [[180, 1]] },
    ]);
  });

  it('keeps a group whose tail is empty as it was, and a group with no bucket left as an empty series', () => {
    expect(mergeTail(old, [{ group: 'a', points: [] }], 120)).toEqual([
      { group: 'a', points: [[120, 3]] },
      { group: 'b', points: [] },
    ]);
  });

  it('keeps null values (empty buckets) as gaps', () => {
    expect(mergeTail([{ group: 'all', points: [[0, 1]] }], [{ group: 'all', points: [[60, null]] }], 0)).toEqual([{ group: 'all', points: [[0, 1], [60, null]] }]);
  });
});
