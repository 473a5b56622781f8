// Reads span attributes by precedence and remembers which ones became native fields, so those
// are not stored twice (once as a field, once in `attributes`).

import type { Attributes, AttrValue } from './types.js';

export class AttributeReader {
  readonly consumed = new Set<string>();
  constructor(readonly attributes: Attributes) {}

  /** The first present value among `keys` (null and "" count as absent); marks it consumed. */
  take(keys: readonly string[]): AttrValue | undefined {
    for (const key of keys) {
      const value = this.attributes[key];
      if (value !== undefined && value !== null && value !== '') {
        this.consumed.add(key);
        return value;
      }
    }
    return undefined;
  }

  /** Like take, without consuming: the attribute stays in `attributes` too. */
  peek(keys: readonly string[]): AttrValue | undefined {
    for (const key of keys) {
      const value = this.attributes[key];
      if (value !== undefined && value !== null && value !== '') return value;
    }
    return undefined;
  }

  /** A present string attribute, not consumed. */
  string(key: string): string | undefined {
    const value = this.attributes[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  }
}
