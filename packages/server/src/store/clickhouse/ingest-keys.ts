// Idempotency-Key records on ClickHouse, shared by every node: written by append() right after the
// batch's spans and rollup deltas were acknowledged, read at start (recentIdempotency) and on a
// cache miss (findIdempotency). No transaction spans both inserts; see README.md for the window.

import type { IdempotencyRecord } from '../store.js';
import type { Connection } from './connection.js';
import { DAY_MS } from './schema.js';
import { ms, str } from './sql.js';

export interface IngestKeys {
  record(keys: IdempotencyRecord[]): Promise<void>;
  recent(since: number): Promise<IdempotencyRecord[]>;
  find(key: string, since: number): Promise<IdempotencyRecord | null>;
  /** Start of the oldest day to keep: records are kept a day after the newest one, in whole days. */
  retentionCutoff(): Promise<number | null>;
}

const asRecord = (r: { key: string; response: string; created_at: number }): IdempotencyRecord => ({
  key: r.key,
  response: r.response,
  created_at: Number(r.created_at),
});

export function createIngestKeys(conn: Connection, table: string): IngestKeys {
  return {
    record: (keys) => conn.insert(table, keys.map((k) => ({ key: k.key, response: k.response, created_at: Math.floor(k.created_at) }))),
    async recent(since) {
      const rows = await conn.rows<{ key: string; response: string; created_at: number }>(
        `SELECT key, response, created_at FROM ${table} WHERE created_at >= ${ms(since)} ORDER BY created_at, key`,
      );
      return rows.map(asRecord);
    },
    async find(key, since) {
      // On the ingest path, so bounded like every lookup there. Two nodes racing on one key can both
      // record it; the first attempt's answer is the one kept.
      const rows = await conn.lookup<{ key: string; response: string; created_at: number }>(
        `SELECT key, response, created_at FROM ${table} WHERE key = ${str(key)} AND created_at >= ${ms(since)}
          ORDER BY created_at LIMIT 1`,
      );
      return rows[0] === undefined ? null : asRecord(rows[0]);
    },
    async retentionCutoff() {
      const rows = await conn.rows<{ newest: number; n: number }>(`SELECT max(created_at) AS newest, count() AS n FROM ${table}`);
      if (Number(rows[0]?.n ?? 0) === 0) return null;
      return Math.floor((Number(rows[0]!.newest) - DAY_MS) / DAY_MS) * DAY_MS;
    },
  };
}
