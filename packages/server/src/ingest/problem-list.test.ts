import { describe, expect, it } from 'vitest';
import { createProblemList } from './problem-list.js';

describe('createProblemList', () => {
  it('keeps the first problem of every event, further ones up to the limit, and counts the rest', () => {
    const list = createProblemList(3);
    const problems = (index: number, n: number) => Array.from({ length: n }, (_, i) => ({ index, field: `f${i}`, error: `e${i}` }));
    list.add(problems(0, 2));
    list.add(problems(1, 3));
    list.add(problems(2, 2));
    expect(list.kept).toEqual([
      { index: 0, field: 'f0', error: 'e0' },
      { index: 0, field: 'f1', error: 'e1' },
      { index: 1, field: 'f0', error: 'e0' },
      { index: 2, field: 'f0', error: 'e0' },
    ]);
    expect(list.omitted()).toBe(3);
  });

  it('clips fields and messages past 256 characters in the middle, keeping the start and the end and saying how long they were', () => {
    const list = createProblemList();
    const error = `attributes.${'k'.repeat(1_000)}.b: nesting depth 5 exceeds the limit of 4`;
    list.add([{ index: 7, field: `attributes.${'k'.repeat(1_000)}`, error }]);
    expect(list.kept).toEqual([
      {
        index: 7,
        field: `attributes.${'k'.repeat(85)}…(1011 characters)…${'k'.repeat(128)}`,
        error: `attributes.${'k'.repeat(85)}…(${error.length} characters)…${'k'.repeat(86)}.b: nesting depth 5 exceeds the limit of 4`,
      },
    ]);
    // At the limit, nothing is clipped.
    const exact = 'x'.repeat(256);
    list.add([{ index: 8, field: exact, error: exact }]);
    expect(list.kept[1]).toEqual({ index: 8, field: exact, error: exact });
  });
});
