// Logs store errors once each, with their cause: the first of a kind at once, repeats of it counted
// and summed up in one line per interval, so a full disk under load writes a line a minute, not a
// line a request.

export interface StoreErrorLog {
  /** Logs `message` now unless one like it was logged within the interval (then it is counted). */
  error(message: string): void;
  /** Logs a recovery at once, with the count of errors suppressed since their last line. */
  info(message: string): void;
}

interface Seen {
  loggedAt: number;
  suppressed: number;
}

/** Messages that differ only in numbers (sizes, seqs, attempts) are one kind. */
const kindOf = (message: string): string => message.replace(/\d+/g, '#');

/**
 * @example const errors = createStoreErrorLog(log); errors.error('DuckDB store: … No space left on device');
 */
export function createStoreErrorLog(log: (line: string) => void, opts: { intervalMs?: number; clock?: () => number } = {}): StoreErrorLog {
  const intervalMs = opts.intervalMs ?? 60_000;
  const clock = opts.clock ?? Date.now;
  const seen = new Map<string, Seen>();
  const suppressedLine = (s: Seen) => (s.suppressed > 0 ? ` (${s.suppressed} more like it since the last line)` : '');
  return {
    error(message) {
      const now = clock();
      const kind = kindOf(message);
      const s = seen.get(kind);
      if (s !== undefined && now - s.loggedAt < intervalMs) {
        s.suppressed++;
        return;
      }
      log(`store error: ${message}${s === undefined ? '' : suppressedLine(s)}`);
      // Bounded: kinds differ in words, not numbers, so there are few; forget them all if not.
      if (seen.size >= 1_000) seen.clear();
      seen.set(kind, { loggedAt: now, suppressed: 0 });
    },
    info(message) {
      const suppressed = [...seen.values()].reduce((n, s) => n + s.suppressed, 0);
      seen.clear();
      log(`store: ${message}${suppressed > 0 ? ` (${suppressed} store errors were not logged since their first line)` : ''}`);
    },
  };
}
