// One ClickHouse HTTP endpoint as the store uses it: rows out as plain objects with 64-bit integers
// as numbers, rows in as JSONEachRow, DDL as commands. Failures become STORE_UNAVAILABLE (server
// unreachable) or carry ClickHouse's own error code in the message (bad SQL is a bug).

import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { SightlineError } from '../../model/errors.js';

export type Row = Record<string, unknown>;

export interface Connection {
  readonly url: string;
  rows<T = Row>(sql: string): Promise<T[]>;
  command(sql: string): Promise<void>;
  insert(table: string, values: Row[]): Promise<void>;
  close(): Promise<void>;
}

/** ClickHouse error codes the store reacts to. */
export const CH_TABLE_ALREADY_EXISTS = '57';
export const CH_UNKNOWN_TABLE = '60';
export const CH_UNKNOWN_DATABASE = '81';

export function clickhouseCode(err: unknown): string | undefined {
  const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Opens an HTTP connection. `settings` apply to every request (e.g. insert_distributed_sync=1 so a
 * Distributed insert returns only once every shard accepted it).
 */
export function createConnection(url: string, settings: ClickHouseSettings = {}): Connection {
  const client: ClickHouseClient = createClient({
    url,
    application: 'sightline',
    request_timeout: 60_000,
    max_open_connections: 16,
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0, ...settings },
  });
  const where = url.replace(/\/\/[^@/]*@/, '//');
  const wrap = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      const e = err as Error & { code?: unknown };
      if (typeof e.code === 'string' && /^\d+$/.test(e.code)) {
        throw new SightlineError('STORE_UNAVAILABLE', `ClickHouse at ${where} rejected ${what}: ${e.message}`, { cause: err });
      }
      throw new SightlineError('STORE_UNAVAILABLE', `ClickHouse at ${where} is unreachable (${e.message})`, { cause: err });
    }
  };
  return {
    url: where,
    rows: <T>(sql: string) =>
      wrap(firstWords(sql), async () => {
        const result = await client.query({ query: sql, format: 'JSONEachRow' });
        return result.json<T>();
      }),
    command: (sql) =>
      wrap(firstWords(sql), async () => {
        await client.command({ query: sql });
      }),
    insert: (table, values) =>
      wrap(`an insert into ${table}`, async () => {
        if (values.length === 0) return;
        await client.insert({ table, values, format: 'JSONEachRow' });
      }),
    close: () => client.close(),
  };
}

function firstWords(sql: string): string {
  return `"${sql.replace(/\s+/g, ' ').trim().slice(0, 80)}…"`;
}
