// Comparing two API answers that should carry the same figures.

import { expect } from 'vitest';

/** Deep equality, with numbers equal to 1e-9 relative (sums may be added in another order). */
export function expectSameFigures(a: unknown, b: unknown, at = '$'): void {
  if (typeof a === 'number' && typeof b === 'number') {
    expect(Math.abs(a - b), at).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));
  } else if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    expect(Object.keys(a), at).toEqual(Object.keys(b));
    for (const k of Object.keys(a)) expectSameFigures((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
  } else {
    expect(a, at).toEqual(b);
  }
}
