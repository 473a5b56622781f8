// Identical GETs made at the same moment by several panels (the overview page and its KPI panel
// both read /api/overview) go to the server once. The request is aborted only when every
// caller has given up on it.

import { getJson } from './client';

interface Inflight {
  promise: Promise<unknown>;
  users: number;
  ctrl: AbortController;
}

const inflight = new Map<string, Inflight>();

export function sharedGet<T>(url: string, signal: AbortSignal): Promise<T> {
  let entry = inflight.get(url);
  if (!entry) {
    const ctrl = new AbortController();
    const created: Inflight = { promise: Promise.resolve(), users: 0, ctrl };
    created.promise = getJson<T>(url, ctrl.signal).finally(() => {
      if (inflight.get(url) === created) inflight.delete(url);
    });
    inflight.set(url, created);
    entry = created;
  }
  const e = entry;
  e.users++;
  const leave = () => {
    if (--e.users === 0) {
      e.ctrl.abort();
      if (inflight.get(url) === e) inflight.delete(url);
    }
  };
  signal.addEventListener('abort', leave, { once: true });
  // A panel's signal lives as long as its question: without this, every refresh would leave a
  // listener (and its answer) on it for the rest of the day.
  return e.promise.finally(() => signal.removeEventListener('abort', leave)) as Promise<T>;
}
