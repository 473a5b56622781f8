// Text order of the stores, for rows a backend sorts in JS after reading them unordered.

/**
 * How both databases order text (by UTF-8 bytes, that is by code point) for two JS strings, without
 * encoding them: UTF-16 code units differ from that order only where a surrogate (a code point
 * above U+FFFF) meets U+E000–U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    return sx === sy ? x - y : sx ? 1 : -1;
  }
  return a.length - b.length;
}

/** Group values (one per dimension) in the stores' `ORDER BY … ASC NULLS LAST` order. */
export function compareGroups(a: readonly (string | null)[], b: readonly (string | null)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    return compareUtf8(x, y);
  }
  return 0;
}
