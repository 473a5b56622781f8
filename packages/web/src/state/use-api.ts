// Data hooks: every panel gets loading / ok / empty / error / unavailable states, and pages on a
// relative time range refresh when the live stream reports new spans (at most once a second).

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, getJson, qs } from '../api/client';
import { live } from '../api/live';
import type { Point, Series } from '@sightline/api';
import type { TimeRange } from './time-range';
import { rangeParams } from './time-range';

export type Load<T> =
  | { status: 'loading'; since: number }
  | { status: 'ok'; data: T; refreshing: boolean }
  | { status: 'error'; error: ApiError }
  | { status: 'unavailable'; error: ApiError };

const TICK_MS = 1_000;

/** Counts live batches, throttled to one change per second; constant when `enabled` is false. */
export function useLiveTick(enabled: boolean): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = live.onSpans(() => {
      if (timer) return;
      const wait = Math.max(0, last + TICK_MS - Date.now());
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        setTick((n) => n + 1);
      }, wait);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [enabled]);
  return tick;
}

function toApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
}

function failed<T>(e: unknown): Load<T> {
  const err = toApiError(e);
  return err.status === 404 && err.code === 'not_found' && err.message.startsWith('no route') ? { status: 'unavailable', error: err } : { status: 'error', error: err };
}

/** Fetches `url` (null = nothing yet); refetches quietly on each `tick` change. */
export function useApi<T>(url: string | null, tick = 0): Load<T> {
  const [state, setState] = useState<Load<T>>({ status: 'loading', since: Date.now() });
  const lastUrl = useRef<string | null>(null);
  useEffect(() => {
    if (url === null) return;
    const ctrl = new AbortController();
    const fresh = lastUrl.current !== url;
    lastUrl.current = url;
    if (fresh) setState({ status: 'loading', since: Date.now() });
    else setState((s) => (s.status === 'ok' ? { ...s, refreshing: true } : s));
    getJson<T>(url, ctrl.signal).then(
      (data) => !ctrl.signal.aborted && setState({ status: 'ok', data, refreshing: false }),
      (e: unknown) => !ctrl.signal.aborted && (fresh || !(e instanceof DOMException)) && setState(failed<T>(e)),
    );
    return () => ctrl.abort();
  }, [url, tick]);
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

/** Puts a tail fetch's buckets over the old ones and drops buckets that left the window. */
export function mergeTail(old: Series[], tail: Series[], windowStart: number): Series[] {
  const byGroup = new Map(old.map((s) => [s.group, s.points] as const));
  for (const t of tail) {
    const first = t.points[0]?.[0] ?? Infinity;
    const kept = (byGroup.get(t.group) ?? []).filter((p) => p[0] < first);
    byGroup.set(t.group, [...kept, ...t.points]);
  }
  const out: Series[] = [];
  for (const [group, points] of byGroup) out.push({ group, points: points.filter((p: Point) => p[0] >= windowStart) });
  return out.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

/**
 * A time series for the page's range. On live ticks it asks only for the buckets from the last
 * one onwards (the last bucket is still filling) and appends them: no refetch of the whole range.
 */
export function useSeries(q: SeriesQuery | null, t: TimeRange, tick: number): Load<Series[]> {
  const [state, setState] = useState<Load<Series[]>>({ status: 'loading', since: Date.now() });
  const key = q ? JSON.stringify([q, rangeParams(t), t.interval]) : null;
  const data = useRef<Series[] | null>(null);
  const loadedKey = useRef<string | null>(null);
  useEffect(() => {
    if (!q || !key) return;
    const ctrl = new AbortController();
    const base = { metric: q.metric, group_by: q.group_by, agent: q.agent, model: q.model, decision: q.decision, span_type: q.span_type, has_decision: q.has_decision ? 'true' : undefined, interval: t.interval };
    const incremental = loadedKey.current === key && data.current !== null && t.relative;
    let url: string;
    if (incremental) {
      const last = Math.max(0, ...data.current!.map((s) => s.points[s.points.length - 1]?.[0] ?? 0));
      url = `/api/timeseries${qs({ ...base, from: last || Date.now() - t.intervalMs, to: Date.now() })}`;
    } else {
      url = `/api/timeseries${qs({ ...base, ...rangeParams(t) })}`;
      setState({ status: 'loading', since: Date.now() });
    }
    getJson<{ series: Series[] }>(url, ctrl.signal).then(
      (r) => {
        if (ctrl.signal.aborted) return;
        const now = Date.now();
        const next = incremental ? mergeTail(data.current!, r.series, Math.floor((now - (t.to - t.from)) / t.intervalMs) * t.intervalMs) : r.series;
        data.current = next;
        loadedKey.current = key;
        setState({ status: 'ok', data: next, refreshing: false });
      },
      (e: unknown) => {
        if (ctrl.signal.aborted) return;
        if (!incremental) setState(failed<Series[]>(e));
      },
    );
    return () => ctrl.abort();
  }, [key, tick]);
  return state;
}
