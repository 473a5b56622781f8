// Read connections of one DuckDB instance. A dashboard view asks for several small aggregates at
// once (the overview: totals and agents, for the range and the previous one); on one connection
// they wait for each other, on several they run side by side. Each connection still runs one
// query at a time, and every connection sees all committed data.

import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { SerialQueue } from './serial-queue.js';

/** Enough for the overview's four reads; more only adds threads contending for two cores. */
export const DEFAULT_READERS = 4;

interface Reader {
  conn: DuckDBConnection;
  queue: SerialQueue;
  pending: number;
}

export class ReaderPool {
  private constructor(private readonly readers: Reader[]) {}

  static async open(instance: DuckDBInstance, size = DEFAULT_READERS): Promise<ReaderPool> {
    const readers: Reader[] = [];
    for (let i = 0; i < size; i++) readers.push({ conn: await instance.connect(), queue: new SerialQueue(), pending: 0 });
    return new ReaderPool(readers);
  }

  /** Runs `task` on the connection with the fewest queued reads. */
  run<T>(task: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    let reader = this.readers[0]!;
    for (const r of this.readers) if (r.pending < reader.pending) reader = r;
    reader.pending++;
    const chosen = reader;
    return chosen.queue.run(() => task(chosen.conn)).finally(() => {
      chosen.pending--;
    });
  }

  /** Waits for queued reads, then closes every connection. */
  async close(): Promise<void> {
    for (const r of this.readers) {
      await r.queue.run(async () => undefined);
      r.conn.closeSync();
    }
  }

  /** Closes every connection now, ignoring errors (a database invalidated by a fatal error). */
  closeQuietly(): void {
    for (const r of this.readers) {
      try {
        r.conn.closeSync();
      } catch {
        // Broken with its database.
      }
    }
  }
}
