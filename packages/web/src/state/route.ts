// The URL is the state: path picks the page; the query keeps the time range and filters, so a
// view can be shared as a link and back/forward work. Nothing secret ever goes here.

import { useEffect, useState } from 'preact/hooks';
import { linkWith, patchSearch } from './url';

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
window.addEventListener('popstate', notify);

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.scrollTo(0, 0);
  notify();
}

/** Changes some query parameters, keeping the rest (null removes one). */
export function setParams(patch: Record<string, string | null>, opts: { replace?: boolean; path?: string } = {}): void {
  navigate((opts.path ?? location.pathname) + patchSearch(location.search, patch), opts);
}

export interface Route {
  path: string;
  params: URLSearchParams;
}

export function useRoute(): Route {
  const [, bump] = useState(0);
  useEffect(() => {
    const l = () => bump((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return { path: location.pathname, params: new URLSearchParams(location.search) };
}

/** Same-origin link clicks move through history instead of reloading the page. */
export function interceptLinks(): void {
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
}

/** A link to `path` that carries the current time range (and optionally other params) along. */
export function hrefWith(path: string, keep: string[] = ['range', 'from', 'to'], extra: Record<string, string> = {}): string {
  return linkWith(path, location.search, keep, extra);
}
