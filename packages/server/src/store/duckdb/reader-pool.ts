// Read connections of one DuckDB instance, in two lanes. A dashboard view asks for several small
// aggregates at once (the overview: totals and agents, for the range and the previous one); on
// several connections they run side by side. Scans of raw spans (trace search, trace detail,
// export, insights over unmaterialized hours) can run for minutes over months of data: they get
// their own lane, so they never hold up the rollup reads and point lookups (API keys,
// Idempotency-Key records) that ingest and the overview wait on. Every query of the node binding
// holds one thread of libuv's pool (4 threads, shared with the writer) while it runs, so the lanes
// also bound how many of them long scans can take. A read still running after `timeoutMs` is
// interrupted and fails as QUERY_TIMEOUT. Each connection runs one query at a time, and every
// connection sees all committed data.

import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { SightlineError } from '../../model/errors.js';
import { SerialQueue } from './serial-queue.js';

/** Rollup reads and lookups: enough for the overview's four reads to run mostly side by side. */
export const LIGHT_READERS = 3;
/**
 * Raw-span scans: two, so one long scan does not queue every trace view behind it, and libuv's
 * pool keeps a thread for the writer while both lanes are busy.
 */
export const SCAN_READERS = 2;

export type ReadLane = 'light' | 'scan';

const INTERRUPT_REPEAT_MS = 10;

interface Reader {
  conn: DuckDBConnection;
  queue: SerialQueue;
  pending: number;
}

export class ReaderPool {
  /** Set by abandon(): later reads fail at once instead of reaching a closed connection. */
  private abandoned = false;

  private constructor(
    private readonly lanes: Record<ReadLane, Reader[]>,
    private readonly timeoutMs: number,
  ) {}

  /** `timeoutMs`: 0 for none. */
  static async open(instance: DuckDBInstance, timeoutMs = 0): Promise<ReaderPool> {
    const open = async (n: number) => {
      const readers: Reader[] = [];
      for (let i = 0; i < n; i++) readers.push({ conn: await instance.connect(), queue: new SerialQueue(), pending: 0 });
      return readers;
    };
    return new ReaderPool({ light: await open(LIGHT_READERS), scan: await open(SCAN_READERS) }, timeoutMs);
  }

  /**
   * Runs `task` on the connection of `lane` with the fewest queued reads. The timeout counts from
   * the call, so time spent queued behind other reads counts too; `timeout: false` for operator
   * commands that may take as long as they need (a Parquet export).
   */
  run<T>(task: (conn: DuckDBConnection) => Promise<T>, lane: ReadLane = 'light', opts: { timeout?: boolean } = {}): Promise<T> {
    if (this.abandoned) return Promise.reject(new SightlineError('STORE_UNAVAILABLE', 'DuckDB store is closed'));
    const readers = this.lanes[lane];
    let reader = readers[0]!;
    for (const r of readers) if (r.pending < reader.pending) reader = r;
    reader.pending++;
    const chosen = reader;
    const limit = opts.timeout === false ? 0 : this.timeoutMs;
    const deadline = Date.now() + limit;
    return chosen.queue
      .run(async () => {
        if (this.abandoned) throw new SightlineError('STORE_UNAVAILABLE', 'DuckDB store is closed');
        if (limit === 0) return task(chosen.conn);
        const left = deadline - Date.now();
        if (left <= 0) throw timeoutError(limit);
        let timedOut = false;
        let repeat: ReturnType<typeof setInterval> | undefined;
        // DuckDB clears an interrupt when a query starts, so one sent while the task was between
        // queries (or still preparing one) would be lost: interrupt again until the task gives up.
        const timer = setTimeout(() => {
          timedOut = true;
          chosen.conn.interrupt();
          repeat = setInterval(() => chosen.conn.interrupt(), INTERRUPT_REPEAT_MS);
        }, left);
        try {
          return await task(chosen.conn);
        } catch (err) {
          throw timedOut ? timeoutError(limit, err) : err;
        } finally {
          clearTimeout(timer);
          clearInterval(repeat);
        }
      })
      .finally(() => {
        chosen.pending--;
      });
  }

  /** Waits for queued reads, then closes every connection. */
  async close(): Promise<void> {
    for (const r of [...this.lanes.light, ...this.lanes.scan]) {
      await r.queue.run(async () => undefined);
      r.conn.closeSync();
    }
  }

  /**
   * Lets go of the connections of a database invalidated by a fatal error: interrupts the reads
   * running on them and closes each connection once its queued reads have settled, ignoring errors.
   * A connection closed while a query of the node binding runs on it leaves that query unsettled
   * for good, blocking one of libuv's four threads (or crashes the process).
   */
  async abandon(): Promise<void> {
    this.abandoned = true;
    const all = [...this.lanes.light, ...this.lanes.scan];
    await untilSettled(
      all.map((r) => r.conn),
      Promise.all(all.map((r) => r.queue.settled())),
    );
    for (const r of all) {
      try {
        r.conn.closeSync();
      } catch {
        // Broken with its database.
      }
    }
  }
}

/**
 * Waits for `settled`, interrupting whatever runs on `conns` meanwhile: DuckDB clears an interrupt
 * when a query starts, so a task between two queries would miss a single one.
 */
export async function untilSettled(conns: readonly DuckDBConnection[], settled: Promise<unknown>): Promise<void> {
  const interruptAll = () => {
    for (const conn of conns) conn.interrupt();
  };
  interruptAll();
  const repeat = setInterval(interruptAll, INTERRUPT_REPEAT_MS);
  try {
    await settled;
  } finally {
    clearInterval(repeat);
  }
}

function timeoutError(limitMs: number, cause?: unknown): SightlineError {
  return new SightlineError(
    'QUERY_TIMEOUT',
    `the query was stopped after ${limitMs} ms (limits.readTimeoutMs); narrow the time range or add a filter`,
    { cause },
  );
}
