// The URL's query as page state, computed without window or history: what setParams and hrefWith
// (route.ts) put into the address bar and links, so it can be tested outside a browser.

/** `search` with `patch` applied: a value sets a parameter, null or '' removes it; the rest stays. */
export function patchSearch(search: string, patch: Record<string, string | null>): string {
  const p = new URLSearchParams(search);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === '') p.delete(k);
    else p.set(k, v);
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * A link to `path` carrying the parameters of `search` named in `keep` (empty ones dropped), then `extra`.
 * @example linkWith('/traces', '?range=6h&agent=a', ['range'], { errors: '1' }) // '/traces?range=6h&errors=1'
 */
export function linkWith(path: string, search: string, keep: readonly string[], extra: Record<string, string>): string {
  const cur = new URLSearchParams(search);
  const p = new URLSearchParams();
  for (const k of keep) {
    const v = cur.get(k);
    if (v) p.set(k, v);
  }
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return path + (s ? `?${s}` : '');
}
