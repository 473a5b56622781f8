// Numbered live ticks and the time range each one changed, so a panel that last loaded at tick n
// asks the server for exactly the buckets changed since: the union of ticks n+1 … now.

export interface TimeSpan {
  from: number;
  to: number;
}

/** What changed since a tick: a range, nothing (null), or 'all' (unknown: refetch everything). */
export type ChangedSince = TimeSpan | null | 'all';

export interface TickLog {
  /** Records a tick (`'all'`: a change of unknown extent, e.g. after a reconnect); returns its number. */
  record(range: TimeSpan | 'all'): number;
  current(): number;
  since(tick: number): ChangedSince;
}

/**
 * @example
 * const log = createTickLog();
 * const n = log.record({ from: 10, to: 20 }); log.record({ from: 5, to: 8 });
 * log.since(n - 1) // { from: 5, to: 20 }
 */
export function createTickLog(keep = 256): TickLog {
  const ranges: (TimeSpan | 'all')[] = [];
  let current = 0;
  return {
    record(range) {
      current++;
      ranges.push(range);
      if (ranges.length > keep) ranges.shift();
      return current;
    },
    current: () => current,
    since(tick) {
      if (tick >= current) return null;
      // Ticks older than the log remembers: their ranges are gone.
      if (current - tick > ranges.length) return 'all';
      let out: TimeSpan | null = null;
      for (const r of ranges.slice(ranges.length - (current - tick))) {
        if (r === 'all') return 'all';
        out = out === null ? { ...r } : { from: Math.min(out.from, r.from), to: Math.max(out.to, r.to) };
      }
      return out;
    },
  };
}
