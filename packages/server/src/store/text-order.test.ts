import { describe, expect, it } from 'vitest';
import { compareUtf8 } from './text-order.js';

describe('compareUtf8', () => {
  it('orders like the UTF-8 bytes, where UTF-16 order differs too', () => {
    // U+FF5E sorts before U+1F600 by code point and bytes, after it by UTF-16 code units.
    expect(compareUtf8('\uff5e', '\u{1f600}')).toBeLessThan(0);
    expect('\uff5e' < '\u{1f600}').toBe(false);
    const alphabet = ['a', 'b', 'é', '\u4e2d', '\ue000', '\uffff', '\u{1f600}', '\u{10ffff}', ''];
    let seed = 7;
    const pick = () => alphabet[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % alphabet.length]!;
    const strings = Array.from({ length: 400 }, () => Array.from({ length: seed % 4 }, pick).join('') + pick());
    for (let i = 1; i < strings.length; i++) {
      const [a, b] = [strings[i - 1]!, strings[i]!];
      expect([a, b, Math.sign(compareUtf8(a, b))]).toEqual([a, b, Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)))]);
    }
  });
});
