// A GET that public/early-outline.js started while the HTML was parsed, before this bundle ran: the
// first getJson of the same URL with the same key adopts its response instead of asking again.
// Adopted once; any other request, or another key, fetches as usual.

interface EarlyGet {
  url: string;
  key: string;
  response: Promise<Response>;
}

declare global {
  interface Window {
    sightlineEarlyGet?: EarlyGet;
  }
}

/** The early response for `url` and `key`, taken (a second call gets null), or null when there is none. */
export function takeEarlyGet(url: string, key: string | null): Promise<Response> | null {
  const early = window.sightlineEarlyGet;
  if (!early || early.url !== url || early.key !== key) return null;
  delete window.sightlineEarlyGet;
  return early.response;
}
