import { describe, expect, it } from 'vitest';
import { sameData } from './same-data';

describe('a chart redraws only when its numbers change', () => {
  it('compares every column value by value', () => {
    const drawn = [[60, 120, 180], [1, null, 3], [0.5, 0.25, NaN]];
    expect(sameData(drawn, [[60, 120, 180], [1, null, 3], [0.5, 0.25, NaN]])).toBe(true);
    expect(sameData(null, drawn)).toBe(false);
    // The running bucket's value moved.
    expect(sameData(drawn, [[60, 120, 180], [1, null, 3.5], [0.5, 0.25, NaN]])).toBe(false);
    // A gap filled, a bucket added, a series added.
    expect(sameData(drawn, [[60, 120, 180], [1, 0, 3], [0.5, 0.25, NaN]])).toBe(false);
    expect(sameData(drawn, [[60, 120, 180, 240], [1, null, 3, 4], [0.5, 0.25, NaN, 1]])).toBe(false);
    expect(sameData(drawn, [...drawn, [1, 2, 3]])).toBe(false);
    expect(sameData([[60], [null]], [[60], [undefined]])).toBe(false);
  });
});
