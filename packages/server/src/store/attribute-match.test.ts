import { describe, expect, it } from 'vitest';
import { attributeNeedles } from './attribute-match.js';

describe('attributeNeedles', () => {
  it('matches a string value as JSON, at the end of a member', () => {
    expect(attributeNeedles({ key: 'region', value: 'eu' })).toEqual(['"region":"eu",', '"region":"eu"}']);
  });
  it('also matches numbers and booleans as their JSON text', () => {
    expect(attributeNeedles({ key: 'retries', value: '3' })).toEqual(['"retries":"3",', '"retries":"3"}', '"retries":3,', '"retries":3}']);
    expect(attributeNeedles({ key: 'ok', value: 'true' })).toEqual(['"ok":"true",', '"ok":"true"}', '"ok":true,', '"ok":true}']);
    expect(attributeNeedles({ key: 'n', value: '03' })).toEqual(['"n":"03",', '"n":"03"}']);
  });
  it('escapes quotes in keys and values as JSON.stringify does', () => {
    const [needle] = attributeNeedles({ key: 'a"b', value: 'say "hi"' });
    expect(needle).toBe('"a\\"b":"say \\"hi\\"",');
    expect(JSON.stringify({ 'a"b': 'say "hi"', z: 1 }).includes(needle!)).toBe(true);
  });
});
