// Data hooks: every panel gets loading / ok / empty / error / unavailable states. Pages on a
// relative time range refresh on live ticks (one per server `changed` event, at most one per
// LIVE_TICK_MS): a time series refetches only the buckets changed since it last loaded and merges
// them; any other panel refetches its answer. A panel has at most one request in flight and one
// follow-up queued; only a different question (another URL) cancels a request.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, qs } from '../api/client';
import { sharedGet } from '../api/shared-get';
import type { Series } from '@sightline/api';
import { liveTicks } from './live-ticks';
import { emptyValue, mergeBuckets, refetchFrom, windowStart } from './merge-buckets';
import { createRefreshQueue, type RefreshQueue } from './refresh-queue';
import type { TimeRange } from './time-range';
import { rangeParams } from './time-range';

export type Load<T> =
  | { status: 'loading'; since: number }
  | { status: 'ok'; data: T; refreshing: boolean }
  | { status: 'error'; error: ApiError }
  | { status: 'unavailable'; error: ApiError };

/** The app's live tick number while `enabled` (a relative range), else a constant 0. */
export function useLiveTick(enabled: boolean): number {
  const [tick, setTick] = useState(() => (enabled ? liveTicks.current() : 0));
  useEffect(() => {
    if (!enabled) return;
    setTick(liveTicks.current());
    return liveTicks.subscribe(() => setTick(liveTicks.current()));
  }, [enabled]);
  return enabled ? tick : 0;
}

function toApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
}

function failed<T>(e: unknown): Load<T> {
  const err = toApiError(e);
  return err.status === 404 && err.code === 'not_found' && err.message.startsWith('no route') ? { status: 'unavailable', error: err } : { status: 'error', error: err };
}

/** A refresh failed: keep showing what was loaded (the next tick tries again); a first load shows the error. */
function keepOrFail<T>(e: unknown): (s: Load<T>) => Load<T> {
  return (s) => (s.status === 'ok' ? { ...s, refreshing: false } : failed<T>(e));
}

interface Loader {
  queue: RefreshQueue;
  tick: number;
  lastStart: number;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * Runs `load` once per `key` (a new key aborts the old one's request) and again, queued behind
 * any request in flight, when `tick` changes: at once, or once `everyMs` have passed since the
 * last start.
 */
function useLoader(key: string | null, tick: number, everyMs: number, load: (signal: AbortSignal, refresh: boolean) => Promise<void>): void {
  const loader = useRef<Loader | null>(null);
  // Runs use the latest render's closure (its time range), not the one of the first render.
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    if (key === null) return;
    const ctrl = new AbortController();
    let first = true;
    const l: Loader = {
      tick,
      lastStart: 0,
      timer: null,
      queue: createRefreshQueue(() => {
        l.lastStart = Date.now();
        const refresh = !first;
        first = false;
        return latest.current(ctrl.signal, refresh);
      }),
    };
    loader.current = l;
    l.queue.request();
    return () => {
      ctrl.abort();
      l.queue.dispose();
      if (l.timer) clearTimeout(l.timer);
    };
  }, [key]);
  useEffect(() => {
    const l = loader.current;
    if (!l || l.tick === tick) return;
    l.tick = tick;
    const wait = l.lastStart + everyMs - Date.now();
    if (wait <= 0) l.queue.request();
    else
      l.timer ??= setTimeout(() => {
        l.timer = null;
        l.queue.request();
      }, wait);
  }, [tick]);
}

export interface ApiOptions {
  /** Refresh at most this often on live ticks (whole-range analyses: SLOW_REFRESH_MS). */
  everyMs?: number;
}

/** Fetches `url` (null = nothing yet); refetches quietly when `tick` changes. */
export function useApi<T>(url: string | null, tick = 0, opts: ApiOptions = {}): Load<T> {
  const [state, setState] = useState<Load<T>>({ status: 'loading', since: Date.now() });
  useLoader(url, tick, opts.everyMs ?? 0, async (signal, refresh) => {
    if (refresh) setState((s) => (s.status === 'ok' ? { ...s, refreshing: true } : s));
    else setState({ status: 'loading', since: Date.now() });
    try {
      const data = await sharedGet<T>(url!, signal);
      if (!signal.aborted) setState({ status: 'ok', data, refreshing: false });
    } catch (e) {
      if (!signal.aborted) setState(refresh ? keepOrFail<T>(e) : failed<T>(e));
    }
  });
  return state;
}

export interface SeriesQuery {
  metric: string;
  group_by?: string;
  agent?: string | null;
  model?: string | null;
  decision?: string | null;
  span_type?: string | null;
  /** Only spans carrying a decision, of any span type. */
  has_decision?: boolean;
}

/**
 * A time series for the page's range. On live ticks it refetches only the buckets from the oldest
 * changed span (or its last, still-filling bucket) on, and merges them over what it holds.
 */
export function useSeries(q: SeriesQuery | null, t: TimeRange, tick: number): Load<Series[]> {
  const [state, setState] = useState<Load<Series[]>>({ status: 'loading', since: Date.now() });
  const key = q ? JSON.stringify([q, rangeParams(t), t.interval]) : null;
  const held = useRef<{ key: string; series: Series[]; tick: number } | null>(null);
  const rangeMs = t.to - t.from;
  useLoader(key, tick, 0, async (signal) => {
    const base = { metric: q!.metric, group_by: q!.group_by, agent: q!.agent, model: q!.model, decision: q!.decision, span_type: q!.span_type, has_decision: q!.has_decision ? 'true' : undefined, interval: t.interval };
    const startTick = liveTicks.current();
    const had = held.current?.key === key ? held.current : null;
    const changed = had && t.relative ? liveTicks.since(had.tick) : 'all';
    if (changed === null) return;
    const now = Date.now();
    const start = windowStart(now, rangeMs, t.intervalMs);
    const from = had && changed !== 'all' ? refetchFrom(had.series, changed.from, t.intervalMs, start) : null;
    if (from === null) setState({ status: 'loading', since: now });
    const url = `/api/timeseries${qs(from === null ? { ...base, ...rangeParams(t) } : { ...base, from, to: now })}`;
    try {
      const r = await sharedGet<{ series: Series[] }>(url, signal);
      if (signal.aborted) return;
      const series = from === null || !had ? r.series : mergeBuckets(had.series, r.series, { from, windowStart: start, intervalMs: t.intervalMs, empty: emptyValue(q!.metric) });
      held.current = { key: key!, series, tick: startTick };
      setState({ status: 'ok', data: series, refreshing: false });
    } catch (e) {
      if (!signal.aborted) setState(from === null ? failed<Series[]>(e) : keepOrFail<Series[]>(e));
    }
  });
  return state;
}
