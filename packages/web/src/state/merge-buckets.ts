// Live updates of a time series without refetching the whole range: ask the server only for the
// buckets that new spans landed in (and the last, still-filling one), then lay them over what the
// panel holds. Pure functions, so the merge is tested against full fetches of the real server.

import type { Metric, Point, Series } from '@sightline/api';

/** Metrics whose empty bucket is 0 (the server's ZERO_WHEN_EMPTY); the others show null. */
const ZERO_WHEN_EMPTY: ReadonlySet<string> = new Set<Metric>(['count', 'errors', 'cost', 'tokens', 'tokens_input', 'tokens_output']);

export function emptyValue(metric: string): number | null {
  return ZERO_WHEN_EMPTY.has(metric) ? 0 : null;
}

/** First bucket of a relative window of `rangeMs` ending at `now`, as the server floors it. */
export function windowStart(now: number, rangeMs: number, intervalMs: number): number {
  return Math.floor((now - rangeMs) / intervalMs) * intervalMs;
}

/**
 * Where a refetch must start: the bucket of the oldest changed span, or the last bucket held
 * (it was still filling, and buckets after it are new), whichever is earlier; never before the window.
 */
export function refetchFrom(held: Series[], changedFrom: number, intervalMs: number, start: number): number {
  let last = -Infinity;
  for (const s of held) last = Math.max(last, s.points[s.points.length - 1]?.[0] ?? -Infinity);
  const changed = Math.floor(changedFrom / intervalMs) * intervalMs;
  return Math.max(start, Math.min(changed, last === -Infinity ? start : last));
}

export interface MergeOptions {
  /** First bucket of the refetched range: held points from here on are replaced. */
  from: number;
  /** First bucket of the window now: held points before it are dropped. */
  windowStart: number;
  intervalMs: number;
  /** The metric's value of an empty bucket (see emptyValue). */
  empty: number | null;
}

/**
 * Held buckets before `from`, then the refetched ones. A group the refetch did not return had no
 * spans since `from` (its new buckets are empty); a group only the refetch returned had none
 * before (its earlier buckets are empty). A group with nothing left in the window is dropped, as
 * a full fetch would leave it out (except a group whose spans all had a zero value of a
 * zero-when-empty metric, which a full fetch still lists).
 *
 * @example
 * mergeBuckets([{ group: 'all', points: [[0, 1], [60_000, 2]] }], [{ group: 'all', points: [[60_000, 5], [120_000, 1]] }],
 *   { from: 60_000, windowStart: 0, intervalMs: 60_000, empty: 0 })
 * // [{ group: 'all', points: [[0, 1], [60_000, 5], [120_000, 1]] }]
 */
export function mergeBuckets(held: Series[], fresh: Series[], o: MergeOptions): Series[] {
  const heldBy = new Map(held.map((s) => [s.group, s.points] as const));
  const freshBy = new Map(fresh.map((s) => [s.group, s.points] as const));
  const tailStamps = fresh[0]?.points.map((p) => p[0]) ?? [];
  const headStamps: number[] = [];
  for (let b = o.windowStart; b < o.from; b += o.intervalMs) headStamps.push(b);
  const out: Series[] = [];
  for (const group of new Set([...heldBy.keys(), ...freshBy.keys()])) {
    const old = heldBy.get(group);
    const head: Point[] = old ? old.filter((p) => p[0] >= o.windowStart && p[0] < o.from) : headStamps.map((b) => [b, o.empty]);
    const tail: Point[] = freshBy.get(group) ?? tailStamps.map((b) => [b, o.empty]);
    const points = [...head, ...tail];
    if (freshBy.has(group) || points.some((p) => p[1] !== o.empty)) out.push({ group, points });
  }
  return out.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}
