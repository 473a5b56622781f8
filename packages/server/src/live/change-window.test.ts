import { describe, expect, it } from 'vitest';
import type { Span } from '../model/span.js';
import { createChangeWindow } from './change-window.js';

const at = (timestamp: number) => ({ timestamp }) as Span;

describe('change window', () => {
  it('folds spans into one range and hands it out at most once per interval', () => {
    const w = createChangeWindow(5_000);
    expect(w.dueIn(0)).toBe(null);
    w.add([at(120_000), at(60_500)]);
    w.add([at(90_000)]);
    expect(w.dueIn(1_000)).toBe(0);
    expect(w.take(1_000)).toEqual({ from: 60_500, to: 120_000, spans: 3 });
    expect(w.take(1_001)).toBe(null);
    w.add([at(200_000)]);
    expect(w.dueIn(2_000)).toBe(4_000);
    expect(w.dueIn(6_000)).toBe(0);
    expect(w.take(6_000)).toEqual({ from: 200_000, to: 200_000, spans: 1 });
    expect(w.dueIn(6_000)).toBe(null);
  });
});
