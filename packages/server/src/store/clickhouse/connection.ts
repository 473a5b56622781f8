// One ClickHouse HTTP endpoint as the store uses it: rows out as plain objects with 64-bit integers
// as numbers, rows in as JSONEachRow, DDL as commands. Failures become STORE_UNAVAILABLE (server
// unreachable or past its deadline) or carry ClickHouse's own error code in the message (bad SQL is a bug).

import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { SightlineError } from '../../model/errors.js';

export type Row = Record<string, unknown>;

export interface Connection {
  readonly url: string;
  /** An analytic read: may run as long as a query over months of spans takes (60 s of silence at most). */
  rows<T = Row>(sql: string): Promise<T[]>;
  /** As rows, each row an array in `columns` order: for results of ~30k rows, building objects took ~25 ms. */
  rowArrays(sql: string): Promise<{ columns: string[]; values: unknown[][] }>;
  /** A small read on a request's path (API keys, documents): bounded by the connection's timeoutMs. */
  lookup<T = Row>(sql: string): Promise<T[]>;
  command(sql: string): Promise<void>;
  /** Bounded by timeoutMs: an ingest acknowledgement waits on it. */
  insert(table: string, values: Row[]): Promise<void>;
  close(): Promise<void>;
}

/** OpenTelemetry exporters give up on a request after 10 s, so a later acknowledgement is lost anyway. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** ClickHouse error codes the store reacts to. */
export const CH_TABLE_ALREADY_EXISTS = '57';
/** Among others: "column with this name already exists" from ALTER … ADD COLUMN. */
export const CH_ILLEGAL_COLUMN = '44';
export const CH_UNKNOWN_TABLE = '60';
export const CH_UNKNOWN_DATABASE = '81';
/** TIMEOUT_EXCEEDED: a read ran past max_execution_time. */
const CH_TIMEOUT_EXCEEDED = '159';

/** The ClickHouse error code of a STORE_UNAVAILABLE error from this module, if ClickHouse sent one. */
export function clickhouseCode(err: unknown): string | undefined {
  return serverCode((err as { cause?: unknown } | undefined)?.cause);
}

/**
 * The code of an error ClickHouse answered with. The client parses it from messages ending in a
 * "(TYPE)" marker, which 18.16 does not send ("Code: 44, e.displayText() = …"): read it there too.
 */
function serverCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  if (typeof e?.code === 'string' && /^\d+$/.test(e.code)) return e.code;
  const match = typeof e?.message === 'string' ? /^Code: (\d+)[,.]/.exec(e.message) : null;
  return match?.[1];
}

/**
 * Opens an HTTP connection. `settings` apply to every request (e.g. insert_distributed_sync=1 so a
 * Distributed insert returns only once every shard accepted it). Inserts and lookups that ClickHouse
 * has not answered within `timeoutMs` (a hung server, a network partition) fail as STORE_UNAVAILABLE.
 */
export function createConnection(url: string, settings: ClickHouseSettings = {}, timeoutMs = DEFAULT_TIMEOUT_MS, readTimeoutMs?: number): Connection {
  // Analytic reads are stopped by the server itself, so a runaway query frees its memory and cores
  // for inserts instead of running on after the client gave up.
  const readSettings: ClickHouseSettings = readTimeoutMs === undefined ? {} : { max_execution_time: Math.max(1, Math.ceil(readTimeoutMs / 1000)), timeout_overflow_mode: 'throw' };
  const client: ClickHouseClient = createClient({
    url,
    application: 'sightline',
    request_timeout: 60_000,
    max_open_connections: 16,
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0, ...settings },
  });
  const where = url.replace(/\/\/[^@/]*@/, '//');
  const wrap = async <T>(what: string, run: () => Promise<T>, deadline?: AbortSignal): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (deadline?.aborted) {
        throw new SightlineError('STORE_UNAVAILABLE', `ClickHouse at ${where} did not answer ${what} within ${timeoutMs} ms`, { cause: err });
      }
      const e = err as Error;
      if (serverCode(e) === CH_TIMEOUT_EXCEEDED && readTimeoutMs !== undefined) {
        throw new SightlineError(
          'QUERY_TIMEOUT',
          `the query was stopped after ${readTimeoutMs} ms (limits.readTimeoutMs); narrow the time range or add a filter`,
          { cause: err },
        );
      }
      if (serverCode(e) !== undefined) {
        throw new SightlineError('STORE_UNAVAILABLE', `ClickHouse at ${where} rejected ${what}: ${e.message}`, { cause: err });
      }
      throw new SightlineError('STORE_UNAVAILABLE', `ClickHouse at ${where} is unreachable (${e.message})`, { cause: err });
    }
  };
  return {
    url: where,
    rows: <T>(sql: string) =>
      wrap(firstWords(sql), async () => {
        // JSONCompact is parsed by one JSON.parse; JSONEachRow goes through a stream, a string and a
        // parse per row, which took longer than the query for results of ~30k rows.
        const result = await client.query({ query: sql, format: 'JSONCompact', clickhouse_settings: readSettings });
        return objects<T>(await result.json<unknown[]>());
      }),
    rowArrays: (sql: string) =>
      wrap(firstWords(sql), async () => {
        const result = await (await client.query({ query: sql, format: 'JSONCompact', clickhouse_settings: readSettings })).json<unknown[]>();
        return { columns: (result.meta ?? []).map((m) => m.name), values: result.data };
      }),
    lookup: <T>(sql: string) => {
      const deadline = AbortSignal.timeout(timeoutMs);
      return wrap(
        firstWords(sql),
        async () => {
          const result = await client.query({ query: sql, format: 'JSONEachRow', abort_signal: deadline });
          return result.json<T>();
        },
        deadline,
      );
    },
    command: (sql) =>
      wrap(firstWords(sql), async () => {
        await client.command({ query: sql });
      }),
    insert: (table, values) => {
      const deadline = AbortSignal.timeout(timeoutMs);
      return wrap(
        `an insert into ${table}`,
        async () => {
          if (values.length === 0) return;
          await client.insert({ table, values, format: 'JSONEachRow', abort_signal: deadline });
        },
        deadline,
      );
    },
    close: () => client.close(),
  };
}

function objects<T>(result: { meta?: { name: string }[]; data: unknown[][] }): T[] {
  const names = (result.meta ?? []).map((m) => m.name);
  return result.data.map((values) => {
    const row: Row = {};
    names.forEach((name, i) => (row[name] = values[i]));
    return row as T;
  });
}

function firstWords(sql: string): string {
  return `"${sql.replace(/\s+/g, ' ').trim().slice(0, 80)}…"`;
}
