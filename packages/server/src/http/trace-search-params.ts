// Trace search parameters beyond the span filter: session_id, user_id and attribute values
// (`attr.<key>=<value>`, several allowed, each a span of the trace must have).

import type { AttributeMatch } from '../store/attribute-match.js';
import { BadParam } from './params.js';

/** Ids and attribute texts longer than this are refused (ids are at most 256 characters at ingest). */
const MAX_VALUE = 256;
/** At most this many attr.* conditions per search. */
export const MAX_ATTRIBUTE_MATCHES = 5;

/** An optional id parameter, at most 256 characters; absent or empty gives undefined. */
export function parseId(name: string, raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length > MAX_VALUE) throw new BadParam(name, `is ${raw.length} characters; the limit is ${MAX_VALUE}`);
  return raw;
}

/**
 * The attr.<key>=<value> parameters of a query string, in order.
 * @example parseAttributeMatches(new URL('http://x/?attr.region=eu').searchParams) // [{ key: 'region', value: 'eu' }]
 */
export function parseAttributeMatches(params: URLSearchParams): AttributeMatch[] {
  const found: AttributeMatch[] = [];
  for (const [name, value] of params) {
    if (!name.startsWith('attr.')) continue;
    const key = name.slice('attr.'.length);
    if (key === '') throw new BadParam(name, 'names no attribute; use attr.<key>=<value>, e.g. attr.region=eu');
    if (key.length > MAX_VALUE || value.length > MAX_VALUE) throw new BadParam(name, `key and value may be at most ${MAX_VALUE} characters each`);
    found.push({ key, value });
  }
  if (found.length > MAX_ATTRIBUTE_MATCHES) throw new BadParam('attr.*', `${found.length} attribute conditions; the limit is ${MAX_ATTRIBUTE_MATCHES}`);
  return found;
}
