// URL state: filters and the time range live in the query string, so changing one keeps the rest
// and links carry the range along.
import { describe, expect, it } from 'vitest';
import { linkWith, patchSearch } from './url';

describe('patchSearch', () => {
  it('sets and replaces parameters, keeping the others in place', () => {
    expect(patchSearch('?range=6h&agent=a', { agent: 'b' })).toBe('?range=6h&agent=b');
    expect(patchSearch('', { from: '1', to: '2', range: null })).toBe('?from=1&to=2');
  });

  it('removes a parameter set to null or the empty string, and gives no "?" for an empty query', () => {
    expect(patchSearch('?range=6h&agent=a', { agent: null })).toBe('?range=6h');
    expect(patchSearch('?agent=a', { agent: '' })).toBe('');
  });

  it('encodes values', () => {
    expect(patchSearch('?range=1h', { text: 'refund & retry' })).toBe('?range=1h&text=refund+%26+retry');
  });
});

describe('linkWith', () => {
  it('carries only the named parameters that have a value', () => {
    expect(linkWith('/traces', '?range=6h&agent=a&from=', ['range', 'from', 'to'], {})).toBe('/traces?range=6h');
    expect(linkWith('/trace/abc', '?agent=a', ['range', 'from', 'to'], {})).toBe('/trace/abc');
  });

  it('adds extra parameters after the kept ones; an extra one overrides a kept one', () => {
    expect(linkWith('/agents', '?from=1000&to=2000', ['range', 'from', 'to'], { agent: 'support-1' })).toBe('/agents?from=1000&to=2000&agent=support-1');
    expect(linkWith('/agents', '?range=6h', ['range'], { range: '1h', agent: 'x' })).toBe('/agents?range=1h&agent=x');
  });
});
