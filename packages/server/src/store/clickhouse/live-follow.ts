// Live tail across Sightline nodes sharing one ClickHouse: each node polls for spans that other
// nodes inserted since its watermark and hands them to its own live bus. The watermark is the
// largest `inserted_at` seen (the inserting node's clock), re-read with an overlap so inserts that
// became visible late are not missed; an id set drops what was already delivered.

import type { Span } from '../../model/span.js';
import type { Connection } from './connection.js';
import { spanFromRow } from '../span-row.js';
import { SPAN_SELECT } from './span-rows.js';
import { ms, str } from './sql.js';

export interface LiveFollowOptions {
  conn: Connection;
  spans: string;
  node: string;
  /** Poll period; the cross-node delay is at most this plus one query. */
  intervalMs: number;
  clock: () => number;
}

/** Inserts may become visible this long after their inserted_at (slow commits, clock skew). */
const OVERLAP_MS = 5_000;
/** Only spans that started within this window before their insert are followed (keeps the scan to ≤ 2 daily partitions). */
const SPAN_AGE_WINDOW_MS = 3_600_000;
const MAX_ROWS_PER_POLL = 10_000;

/** Starts polling; returns a function that stops it. */
export function followOtherNodes(opts: LiveFollowOptions, onSpans: (spans: Span[]) => void): () => void {
  let watermark = opts.clock();
  /** Delivered row keys by inserted_at, forgotten once they fall out of the overlap window. */
  const seen = new Map<string, number>();
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;

  const poll = async (): Promise<void> => {
    const since = watermark - OVERLAP_MS;
    const rows = await opts.conn.rows(
      `SELECT ${SPAN_SELECT}, inserted_at FROM ${opts.spans}
        WHERE timestamp >= ${ms(since - SPAN_AGE_WINDOW_MS)} AND inserted_at > ${ms(since)} AND node != ${str(opts.node)}
        ORDER BY inserted_at LIMIT ${MAX_ROWS_PER_POLL}`,
    );
    const fresh: Span[] = [];
    for (const r of rows) {
      const at = Number(r.inserted_at);
      const key = `${r.node as string}\u0000${r.project as string}\u0000${r.span_id as string}\u0000${at}`;
      if (seen.has(key)) continue;
      seen.set(key, at);
      if (at > watermark) watermark = at;
      fresh.push(spanFromRow(r));
    }
    for (const [key, at] of seen) if (at < watermark - 2 * OVERLAP_MS) seen.delete(key);
    if (fresh.length > 0 && !stopped) onSpans(fresh);
  };

  const loop = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      // A failed poll (ClickHouse briefly away) is retried on the next tick; live tail is best effort.
      poll().catch(() => undefined).finally(loop);
    }, opts.intervalMs);
    timer.unref();
  };
  loop();
  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
  };
}
