// The DuckDB store proper, running on whichever thread opens it (the store worker, see
// worker.ts). Writes go through one connection in strict order; reads use a second connection
// and see only committed data.

import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { SightlineError } from '../../model/errors.js';
import type { Span } from '../../model/span.js';
import { HOUR_MS, MINUTE_MS, rollupDeltas } from '../rollup.js';
import type { ApiKeyRecord, RollupQuery, RollupRow, Scope, StoreStats, TraceSearch, TraceSummary } from '../store.js';
import { DirtyBuckets, compactBuckets } from './compaction.js';
import { queryRows, readRollup, readTrace, searchTraces } from './read-queries.js';
import { appendRollupDelta, appendSpan } from './row-writer.js';
import { migrate } from './schema.js';
import type { RollupTable } from './schema.js';

export interface DuckDbEngineOptions {
  path: string;
  /** Compact closed rollup buckets after this many appends (also on a timer and at close). */
  compactEveryAppends?: number;
  /** Injected clock: decides which rollup buckets are closed. */
  now?: () => number;
}

/** Runs tasks one after another; a failed task does not stop later ones. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Turns DuckDB's errors into Sightline's: a held lock is STORE_LOCKED, any other I/O failure STORE_UNAVAILABLE. */
export function toStoreError(err: unknown, path: string): SightlineError {
  if (err instanceof SightlineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/Conflicting lock is held|Could not set lock on file/i.test(message)) {
    const pid = /PID (\d+)/.exec(message)?.[1];
    return new SightlineError(
      'STORE_LOCKED',
      `data directory ${dirname(path)} is in use by another Sightline process${pid ? ` (pid ${pid})` : ''}`,
      { cause: err },
    );
  }
  return new SightlineError('STORE_UNAVAILABLE', `DuckDB store ${path}: ${message.split('\n')[0]}`, { cause: err });
}

const ROLLUP_WIDTHS: [RollupTable, number][] = [
  ['rollup_minute', MINUTE_MS],
  ['rollup_hour', HOUR_MS],
];

export class DuckDbEngine {
  private readonly writes = new SerialQueue();
  private readonly reads = new SerialQueue();
  private readonly dirty = new DirtyBuckets();
  private appendsSinceCompaction = 0;

  private constructor(
    private readonly options: Required<DuckDbEngineOptions>,
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
  ) {}

  static async open(options: DuckDbEngineOptions): Promise<DuckDbEngine> {
    const full = { compactEveryAppends: 50, now: Date.now, ...options };
    try {
      const instance = await DuckDBInstance.create(options.path);
      const writer = await instance.connect();
      await migrate(writer, options.path);
      const reader = await instance.connect();
      return new DuckDbEngine(full, instance, writer, reader);
    } catch (err) {
      throw toStoreError(err, options.path);
    }
  }

  private write<T>(task: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.writes.run(() => task(this.writer)).catch((err: unknown) => {
      throw toStoreError(err, this.options.path);
    });
  }

  private read<T>(task: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.reads.run(() => task(this.reader)).catch((err: unknown) => {
      throw toStoreError(err, this.options.path);
    });
  }

  /** Spans and their minute and hour rollup deltas in one transaction; resolves after COMMIT. */
  async append(spans: Span[]): Promise<void> {
    if (spans.length === 0) return;
    const minute = rollupDeltas(spans, MINUTE_MS);
    const hour = rollupDeltas(spans, HOUR_MS);
    await this.write(async (conn) => {
      await conn.run('BEGIN TRANSACTION');
      try {
        await appendAll(conn, 'spans', spans, appendSpan);
        await appendAll(conn, 'rollup_minute', minute, appendRollupDelta);
        await appendAll(conn, 'rollup_hour', hour, appendRollupDelta);
        await conn.run('COMMIT');
      } catch (err) {
        await conn.run('ROLLBACK');
        throw err;
      }
    });
    for (const r of minute) this.dirty.add('rollup_minute', r.bucket);
    for (const r of hour) this.dirty.add('rollup_hour', r.bucket);
    if (++this.appendsSinceCompaction >= this.options.compactEveryAppends) {
      // Queued behind this append, not awaited: the caller's batch is already durable. A failure
      // leaves extra delta rows, which reads sum anyway; the buckets are retried at close.
      this.compact().catch(() => undefined);
    }
  }

  /** Merges delta rows of buckets that closed (ended before now) since the last compaction. */
  async compact(): Promise<void> {
    this.appendsSinceCompaction = 0;
    const now = this.options.now();
    for (const [table, width] of ROLLUP_WIDTHS) {
      const closedBefore = Math.floor(now / width) * width;
      const range = this.dirty.takeClosed(table, closedBefore);
      if (range === null) continue;
      try {
        await this.write((conn) => compactBuckets(conn, table, range[0], range[1]));
      } catch (err) {
        this.dirty.add(table, range[0]);
        this.dirty.add(table, range[1]);
        throw err;
      }
    }
  }

  rollup(q: RollupQuery): Promise<RollupRow[]> {
    return this.read((conn) => readRollup(conn, q));
  }

  getTrace(project: string, traceId: string): Promise<Span[]> {
    return this.read((conn) => readTrace(conn, project, traceId));
  }

  searchTraces(q: TraceSearch): Promise<TraceSummary[]> {
    return this.read((conn) => searchTraces(conn, q));
  }

  deleteBefore(limits: { spansBefore: number; rollupsBefore: number }): Promise<{ spans: number }> {
    return this.write(async (conn) => {
      const spans = BigInt(Math.floor(limits.spansBefore));
      const rollups = BigInt(Math.floor(limits.rollupsBefore));
      await conn.run('BEGIN TRANSACTION');
      try {
        const deleted = await conn.run('DELETE FROM spans WHERE timestamp < ?', [spans]);
        await conn.run('DELETE FROM rollup_minute WHERE bucket < ?', [rollups]);
        await conn.run('DELETE FROM rollup_hour WHERE bucket < ?', [rollups]);
        await conn.run('COMMIT');
        return { spans: deleted.rowsChanged };
      } catch (err) {
        await conn.run('ROLLBACK');
        throw err;
      }
    });
  }

  async stats(): Promise<StoreStats> {
    const rows = await this.read((conn) => queryRows(conn, 'SELECT count(*) AS n FROM spans'));
    const size = (p: string): number => (existsSync(p) ? statSync(p).size : 0);
    return { spans: Number(rows[0]?.n ?? 0), bytes: size(this.options.path) + size(`${this.options.path}.wal`) };
  }

  async listProjects(): Promise<string[]> {
    const rows = await this.read((conn) => queryRows(conn, 'SELECT name FROM projects ORDER BY name'));
    return rows.map((r) => r.name as string);
  }

  async createProject(name: string): Promise<void> {
    await this.write((conn) =>
      conn.run('INSERT INTO projects (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING', [
        name,
        BigInt(this.options.now()),
      ]),
    );
  }

  async putApiKey(key: ApiKeyRecord): Promise<void> {
    const opt = (v: number | null): bigint | null => (v === null ? null : BigInt(v));
    await this.write((conn) =>
      conn.run(
        `INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET
          project = excluded.project, hash = excluded.hash, prefix = excluded.prefix,
          scopes = excluded.scopes, created_at = excluded.created_at,
          expires_at = excluded.expires_at, revoked_at = excluded.revoked_at`,
        [
        key.id,
        key.project,
        key.hash,
        key.prefix,
        JSON.stringify(key.scopes),
        BigInt(key.created_at),
        opt(key.expires_at),
          opt(key.revoked_at),
        ],
      ),
    );
  }

  async findApiKeyByHash(hash: string): Promise<ApiKeyRecord | null> {
    const rows = await this.read((conn) => queryRows(conn, 'SELECT * FROM api_keys WHERE hash = ?', [hash]));
    return rows[0] === undefined ? null : toApiKey(rows[0]);
  }

  async listApiKeys(project?: string): Promise<ApiKeyRecord[]> {
    const rows = await this.read((conn) =>
      project === undefined
        ? queryRows(conn, 'SELECT * FROM api_keys ORDER BY created_at, id')
        : queryRows(conn, 'SELECT * FROM api_keys WHERE project = ? ORDER BY created_at, id', [project]),
    );
    return rows.map(toApiKey);
  }

  async revokeApiKey(id: string, at: number): Promise<boolean> {
    const result = await this.write((conn) =>
      conn.run('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [BigInt(at), id]),
    );
    return result.rowsChanged > 0;
  }

  /** Physical row counts of the rollup tables (delta rows included), for tests and benchmarks. */
  async rollupTableRows(): Promise<{ minute: number; hour: number }> {
    const rows = await this.read((conn) =>
      queryRows(conn, 'SELECT (SELECT count(*) FROM rollup_minute) AS minute, (SELECT count(*) FROM rollup_hour) AS hour'),
    );
    return { minute: Number(rows[0]?.minute ?? 0), hour: Number(rows[0]?.hour ?? 0) };
  }

  /** Compacts, checkpoints and closes the database. */
  async close(): Promise<void> {
    await this.compact();
    await this.write((conn) => conn.run('CHECKPOINT'));
    await this.reads.run(async () => undefined);
    this.reader.closeSync();
    this.writer.closeSync();
    this.instance.closeSync();
  }
}

async function appendAll<T>(
  conn: DuckDBConnection,
  table: string,
  rows: readonly T[],
  write: (a: DuckDBAppender, row: T) => void,
): Promise<void> {
  const appender = await conn.createAppender(table);
  try {
    for (const row of rows) write(appender, row);
    appender.flushSync();
  } finally {
    try {
      appender.closeSync();
    } catch {
      // A failed flush already reported the cause; closing the broken appender adds nothing.
    }
  }
}

function toApiKey(r: Record<string, unknown>): ApiKeyRecord {
  return {
    id: r.id as string,
    project: r.project as string,
    hash: r.hash as string,
    prefix: r.prefix as string,
    scopes: JSON.parse(r.scopes as string) as Scope[],
    created_at: r.created_at as number,
    expires_at: (r.expires_at ?? null) as number | null,
    revoked_at: (r.revoked_at ?? null) as number | null,
  };
}
