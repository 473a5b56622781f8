// Reads span attributes by precedence and remembers which ones became native fields (`consumed`),
// so those are not stored twice (once as a field, once in `attributes`), and which it looked at but
// kept (`read`: peeked ones, lower-precedence alternatives, strings a convention inspected). Read
// every attribute through it: the telemetry doctor reports a span's other attributes as read by no
// mapping (see READ_MARK).

import type { Attributes, AttrValue } from './types.js';

export class AttributeReader {
  readonly consumed = new Set<string>();
  readonly read = new Set<string>();
  constructor(readonly attributes: Attributes) {}

  /** The first present value among `keys` (null and "" count as absent); marks it consumed. */
  take(keys: readonly string[]): AttrValue | undefined {
    const i = this.first(keys);
    if (i < 0) return undefined;
    this.consumed.add(keys[i]!);
    return this.attributes[keys[i]!];
  }

  /** Like take, without consuming: the attribute stays in `attributes` too. */
  peek(keys: readonly string[]): AttrValue | undefined {
    const i = this.first(keys);
    return i < 0 ? undefined : this.attributes[keys[i]!];
  }

  /** A present string attribute, not consumed. */
  string(key: string): string | undefined {
    const value = this.attributes[key];
    if (typeof value !== 'string' || value === '') return undefined;
    this.read.add(key);
    return value;
  }

  /** Index of the first present key; it and every later present key count as read. */
  private first(keys: readonly string[]): number {
    let found = -1;
    for (let i = 0; i < keys.length; i++) {
      const value = this.attributes[keys[i]!];
      if (value === undefined || value === null || value === '') continue;
      if (found < 0) found = i;
      this.read.add(keys[i]!);
    }
    return found;
  }
}
