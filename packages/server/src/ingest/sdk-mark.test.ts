import { describe, expect, it } from 'vitest';
import { makeSpan } from '../store/store-fixtures.case.js';
import { markSdk, sdkOfUserAgent } from './sdk-mark.js';

describe('sdk mark', () => {
  it('keeps the first product token of a Sightline SDK and nothing of other clients', () => {
    expect(sdkOfUserAgent('sightline-sdk-js/0.1.0 node/20.19')).toBe('sightline-sdk-js/0.1.0');
    expect(sdkOfUserAgent('sightline-sdk-python/0.1.0')).toBe('sightline-sdk-python/0.1.0');
    expect(sdkOfUserAgent(`sightline-${'x'.repeat(100)}`)).toBe(`sightline-${'x'.repeat(54)}`);
    expect(sdkOfUserAgent('curl/8.5.0')).toBeNull();
    expect(sdkOfUserAgent('node')).toBeNull();
    expect(sdkOfUserAgent(undefined)).toBeNull();
  });

  it('marks spans that lack the attribute and keeps a value the client set', () => {
    const spans = [makeSpan({ attributes: {} }), makeSpan({ attributes: { 'sightline.sdk': 'mine/1' } })];
    markSdk(spans, 'sightline-sdk-js/0.1.0');
    expect(spans.map((s) => s.attributes)).toEqual([{ 'sightline.sdk': 'sightline-sdk-js/0.1.0' }, { 'sightline.sdk': 'mine/1' }]);
    const untouched = [makeSpan({ attributes: { a: 1 } })];
    markSdk(untouched, null);
    expect(untouched[0]!.attributes).toEqual({ a: 1 });
  });
});
