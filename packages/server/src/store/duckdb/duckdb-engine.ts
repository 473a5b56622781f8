// The DuckDB store proper, running on whichever thread opens it (the store worker, see
// worker.ts). Source data (spans, keys, catalog, alert records) is written through one connection
// in strict order; derived data (rollups, trace index, insight tables and their watermarks in meta)
// through a second one, so a rollup flush or compaction never holds up an append. Reads use a small
// pool of other connections (reader-pool.ts) and see only committed data. Appends write spans only;
// rollups are derived from them by seq range afterwards (see README.md, "What is durable when").

import { readUserRollups } from './user-rollups.js';
import { existsSync, statSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { SightlineError } from '../../model/errors.js';
import type { Span } from '../../model/span.js';
import type {
  AlertEventQuery, AlertEventRecord, AlertRecord, AlertRecordKind, ApiKeyRecord, AppendOptions, CohortContrastRow, CohortRow, CohortScan,
  DecisionCountQuery, DecisionCountRow,
  ExportCursor, ExportQuery, IdempotencyRecord, InsightScan, MaterializeReport, PathRow, RollupQuery, RollupRow, UserRollupQuery,
  StoreStats, TraceSearch, TraceSummary,
} from '../store.js';
import * as alerts from './alert-queries.js';
import * as catalog from './catalog-queries.js';
import * as exportSql from './export-queries.js';
import * as insights from './insight-api.js';
import { runAnalysisOn, type AnalysisName, type AnalysisReport, type AnalysisRequest } from '../../query/insights/analyses.js';
import { DirtyBuckets, compactBuckets } from './compaction.js';
import { queryRows, readRollup, readTrace, searchTraces } from './read-queries.js';
import type { TraceHint } from './read-queries.js';
import { appendSpanBatch, encodeSpanColumns, type SpanColumns } from './span-columns.js';
import { flushRollupRange } from './rollup-sql.js';
import { traceWindow } from './trace-index.js';
import { rollbackQuietly } from './transaction.js';
import { DIMENSION_BUCKET_MS, migrate, ROLLUP_TABLES, type RollupTable } from './schema.js';
import { ReaderPool } from './reader-pool.js';
import { SerialQueue, toStoreError } from './serial-queue.js';

/** WAL size that triggers an automatic checkpoint (see open()). */
const CHECKPOINT_THRESHOLD = '64MB';

/** Buckets compacted per transaction, so one compaction step never holds the writer for long. */
const COMPACT_CHUNK: Record<RollupTable, number> = { rollup_minute: 180, rollup_hour: 12, rollup_dim_5min: 36 };

export interface DuckDbEngineOptions {
  path: string;
  /** Compact rollup delta rows after this many rollup flushes (also on a timer and at close). */
  compactEveryFlushes?: number;
  /** Flush accumulated rollups this often while any are pending; 0 disables the timer (tests). */
  flushIntervalMs?: number;
  /** Flush as soon as this many committed spans wait for their rollups. */
  maxPendingSpans?: number;
  /** Injected clock (project creation time). */
  now?: () => number;
  /**
   * DuckDB's worker threads; 0 = one per core. A process that runs several stores side by side
   * (the alerts benchmark: one per core) gives each one, so small queries do not contend.
   */
  threads?: number;
}

export class DuckDbEngine {
  private readonly writes = new SerialQueue();
  private readonly derivedWrites = new SerialQueue();
  private readonly dirty = new DirtyBuckets();
  /** Project names, read once (listProjects). */
  private projects: Promise<string[]> | null = null;
  /** Seq up to which rollups are written (meta.rollup_seq). */
  private rolledUpSeq = 0n;
  private pendingSpans = 0;
  private flushesSinceCompaction = 0;
  private flushQueued = false;
  /** Set by the writer's last task in close(); later writes reject. */
  private closed = false;
  private readonly timer: ReturnType<typeof setInterval> | null;

  private constructor(
    private readonly options: Required<DuckDbEngineOptions>,
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    /** Writes derived tables only; never touches spans, so it cannot conflict with appends. */
    private readonly deriver: DuckDBConnection,
    private readonly readers: ReaderPool,
    /** Seq of the last committed append batch. */
    private seq: bigint,
  ) {
    if (options.flushIntervalMs > 0) {
      this.timer = setInterval(() => {
        if (this.seq > this.rolledUpSeq) this.flushRollups().catch(() => undefined);
      }, options.flushIntervalMs);
      this.timer.unref();
    } else {
      this.timer = null;
    }
  }

  static async open(options: DuckDbEngineOptions): Promise<DuckDbEngine> {
    const full = { compactEveryFlushes: 60, flushIntervalMs: 1000, maxPendingSpans: 200_000, now: Date.now, threads: 0, ...options };
    try {
      const instance = await DuckDBInstance.create(options.path, full.threads > 0 ? { threads: String(full.threads) } : undefined);
      const writer = await instance.connect();
      await migrate(writer, options.path);
      // An automatic checkpoint compresses everything the WAL holds while the committing append
      // waits (~4 µs a span). The default 16 MB threshold checkpoints every ~50k spans under load;
      // 512 MB stalled ingest for 2–7 s every ~1.5M spans (the p99 at half load). 64 MB: a stall
      // of ~0.5 s every ~200k spans, for the same compression work per span.
      await writer.run(`SET checkpoint_threshold = '${CHECKPOINT_THRESHOLD}'`);
      const deriver = await instance.connect();
      const readers = await ReaderPool.open(instance);
      const [row] = await queryRows(
        writer,
        "SELECT (SELECT max(seq) FROM spans) AS max_seq, (SELECT value FROM meta WHERE key = 'rollup_seq') AS rollup_seq",
      );
      const rollupSeq = BigInt(String(row?.rollup_seq ?? '0'));
      const maxSeq = BigInt(Math.max(0, Number(row?.max_seq ?? 0)));
      const engine = new DuckDbEngine(full, instance, writer, deriver, readers, maxSeq > rollupSeq ? maxSeq : rollupSeq);
      await engine.recover(rollupSeq);
      return engine;
    } catch (err) {
      throw toStoreError(err, options.path);
    }
  }

  /** Rebuilds the rollups of spans committed after the last rollup flush (a crash lost them). */
  private async recover(rollupSeq: bigint): Promise<void> {
    this.rolledUpSeq = rollupSeq;
    if (this.seq > rollupSeq) await this.flushRollups();
  }

  /** Source data: spans, keys, catalog, alert records. */
  private write<T>(task: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.queued(this.writes, this.writer, task);
  }

  /** Derived data (rollups, trace index, insight tables), on its own connection and queue. */
  private derive<T>(task: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.queued(this.derivedWrites, this.deriver, task);
  }

  private queued<T>(queue: SerialQueue, conn: DuckDBConnection, task: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return queue.run(() => {
      if (this.closed) throw new SightlineError('STORE_UNAVAILABLE', `DuckDB store ${this.options.path} is closed`);
      return task(conn);
    }).catch((err: unknown) => {
      throw toStoreError(err, this.options.path);
    });
  }

  private read<T>(task: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.readers.run(task).catch((err: unknown) => {
      throw toStoreError(err, this.options.path);
    });
  }

  /**
   * Spans (and their requests' Idempotency-Key records) in one transaction; resolves after COMMIT.
   * Their rollups are derived later by flushRollups (timer, size, or before any rollup-dependent call).
   */
  append(spans: Span[], opts: AppendOptions = {}): Promise<void> {
    return this.appendColumns(encodeSpanColumns(spans).columns, opts);
  }

  /** append() for spans already encoded by span-columns.ts (as the store proxy sends them). */
  async appendColumns(spans: SpanColumns, opts: AppendOptions = {}): Promise<void> {
    const keys = opts.idempotency ?? [];
    if (spans.rows === 0 && keys.length === 0) return;
    await this.write(async (conn) => {
      const seq = this.seq + 1n;
      await appendSpanBatch(conn, spans, seq, keys);
      this.seq = seq;
      this.pendingSpans += spans.rows;
    });
    if (!this.flushQueued && this.pendingSpans > this.options.maxPendingSpans) {
      // Queued behind this append, not awaited: the caller's spans are already durable.
      this.flushRollups().catch(() => undefined);
    }
  }

  /**
   * Writes the rollup rows of every span committed since the last flush (minute and hour) and
   * advances meta.rollup_seq in one transaction, on the derived-data connection: it covers every
   * append committed before it starts (this.seq only advances after COMMIT) and runs alongside
   * later ones.
   */
  flushRollups(): Promise<void> {
    this.flushQueued = true;
    return this.derive(async (conn) => {
      this.flushQueued = false;
      const lo = this.rolledUpSeq;
      const hi = this.seq;
      if (hi <= lo) return;
      const touched = await flushRollupRange(conn, lo, hi);
      this.rolledUpSeq = hi;
      this.pendingSpans = 0;
      for (const [table, buckets] of touched) for (const b of buckets) this.dirty.add(table, b);
      if (++this.flushesSinceCompaction >= this.options.compactEveryFlushes) {
        this.flushesSinceCompaction = 0;
        // Queued behind this flush, not awaited; failed buckets stay dirty and are retried.
        queueMicrotask(() => void this.compact().catch(() => undefined));
      }
    });
  }

  /**
   * Merges delta rows of buckets that received flushes since their last compaction (open buckets
   * included), a bounded chunk per transaction so appends queue behind one short step at a time.
   */
  async compact(): Promise<void> {
    await this.flushRollups();
    this.flushesSinceCompaction = 0;
    for (const table of ROLLUP_TABLES) {
      for (;;) {
        const buckets = this.dirty.take(table, COMPACT_CHUNK[table]);
        if (buckets.length === 0) break;
        try {
          await this.derive((conn) => compactBuckets(conn, table, buckets));
        } catch (err) {
          for (const b of buckets) this.dirty.add(table, b);
          throw err;
        }
      }
    }
  }

  /** Before a rollup read: flushes only when committed spans still wait for their rollups. */
  private rollupsCurrent(): Promise<void> {
    return this.seq > this.rolledUpSeq ? this.flushRollups() : Promise.resolve();
  }

  async rollup(q: RollupQuery): Promise<RollupRow[]> {
    // A store that cannot write (disk full) still answers, from the rollups flushed so far.
    await this.rollupsCurrent().catch(() => undefined);
    return this.read((conn) => readRollup(conn, q));
  }

  async getTrace(project: string, traceId: string, hint?: TraceHint): Promise<Span[]> {
    // The trace index is written with the rollups: flush what is pending so it covers every span.
    // A store that cannot write (disk full) still serves the trace, without the index.
    const indexed = await this.rollupsCurrent().then(
      () => true,
      () => false,
    );
    return this.read(async (conn) => readTrace(conn, project, traceId, hint, indexed ? await traceWindow(conn, project, traceId) : null));
  }

  searchTraces(q: TraceSearch): Promise<TraceSummary[]> {
    return this.read((conn) => searchTraces(conn, q));
  }

  async deleteBefore(limits: { spansBefore: number; rollupsBefore: number }): Promise<{ spans: number }> {
    await this.flushRollups();
    // Source and derived tables in one transaction: hold the derived queue so nothing else writes
    // rollups meanwhile (two connections deleting the same rows would conflict).
    return this.derive(() => this.write(async (conn) => {
      const spans = BigInt(Math.floor(limits.spansBefore));
      const rollups = BigInt(Math.floor(limits.rollupsBefore));
      await conn.run('BEGIN TRANSACTION');
      try {
        const deleted = await conn.run('DELETE FROM spans WHERE timestamp < ?', [spans]);
        await conn.run('DELETE FROM rollup_minute WHERE bucket < ?', [rollups]);
        await conn.run('DELETE FROM rollup_hour WHERE bucket < ?', [rollups]);
        // A 5-minute row goes once all its minutes have.
        await conn.run('DELETE FROM rollup_dim_5min WHERE bucket + ? <= ?', [BigInt(DIMENSION_BUCKET_MS), rollups]);
        await conn.run('DELETE FROM trace_index WHERE last_ts < ?', [spans]);
        // Retries come within minutes; a day of idempotency records is plenty.
        await conn.run('DELETE FROM ingest_keys WHERE created_at < (SELECT max(created_at) FROM ingest_keys) - 86400000');
        await conn.run('COMMIT');
        return { spans: deleted.rowsChanged };
      } catch (err) {
        await rollbackQuietly(conn);
        throw err;
      }
    }));
  }

  async stats(): Promise<StoreStats> {
    const rows = await this.read((conn) => queryRows(conn, 'SELECT count(*) AS n FROM spans'));
    const size = (p: string): number => (existsSync(p) ? statSync(p).size : 0);
    return { spans: Number(rows[0]?.n ?? 0), bytes: size(this.options.path) + size(`${this.options.path}.wal`) };
  }

  // ---- Projects, API keys and Idempotency-Key records (SQL in catalog-queries.ts) ----
  recentIdempotency(since: number): Promise<IdempotencyRecord[]> {
    return this.read((conn) => catalog.recentIdempotency(conn, since));
  }
  findIdempotency(key: string, since: number): Promise<IdempotencyRecord | null> {
    return this.read((conn) => catalog.findIdempotency(conn, key, since));
  }
  listProjects(): Promise<string[]> {
    // The alert engine asks every tick; only this engine writes the file, so the list read once
    // stays true until createProject (which drops it) adds one.
    if (this.projects === null) {
      const read = this.read((conn) => catalog.listProjects(conn));
      // A failed read is not kept: the next call reads again.
      read.catch(() => {
        if (this.projects === read) this.projects = null;
      });
      this.projects = read;
    }
    return this.projects.then((p) => [...p]);
  }
  createProject(name: string): Promise<void> {
    return this.write(async (conn) => {
      await catalog.createProject(conn, name, this.options.now());
      this.projects = null;
    });
  }
  putApiKey(key: ApiKeyRecord): Promise<void> {
    return this.write((conn) => catalog.putApiKey(conn, key));
  }
  findApiKeyByHash(hash: string): Promise<ApiKeyRecord | null> {
    return this.read((conn) => catalog.findApiKeyByHash(conn, hash));
  }
  listApiKeys(project?: string): Promise<ApiKeyRecord[]> {
    return this.read((conn) => catalog.listApiKeys(conn, project));
  }
  revokeApiKey(id: string, at: number): Promise<boolean> {
    return this.write((conn) => catalog.revokeApiKey(conn, id, at));
  }

  // ---- Alert persistence (SQL in alert-queries.ts) ----
  putAlertRecords(kind: AlertRecordKind, records: AlertRecord[]): Promise<void> {
    return this.write((conn) => alerts.putAlertRecords(conn, kind, records));
  }
  listAlertRecords(kind: AlertRecordKind, project?: string): Promise<AlertRecord[]> {
    return this.read((conn) => alerts.listAlertRecords(conn, kind, project));
  }
  deleteAlertRecord(kind: AlertRecordKind, project: string, id: string): Promise<boolean> {
    return this.write((conn) => alerts.deleteAlertRecord(conn, kind, project, id));
  }
  pruneAlertRecords(kind: AlertRecordKind, before: number): Promise<number> {
    return this.write((conn) => alerts.pruneAlertRecords(conn, kind, before));
  }
  appendAlertEvents(events: AlertEventRecord[]): Promise<void> {
    return this.write((conn) => alerts.appendAlertEvents(conn, events));
  }
  listAlertEvents(q: AlertEventQuery): Promise<AlertEventRecord[]> {
    return this.read((conn) => alerts.listAlertEvents(conn, q));
  }
  async alertRollups(queries: RollupQuery[]): Promise<RollupRow[][]> {
    // As rollup(): flush pending rollups first; a store that cannot write still answers.
    await this.rollupsCurrent().catch(() => undefined);
    return this.read((conn) => alerts.readAlertRollups(conn, queries));
  }
  userRollups(queries: UserRollupQuery[]): Promise<RollupRow[][]> {
    return this.read((conn) => readUserRollups(conn, queries));
  }

  // ---- Export (SQL in export-queries.ts) ----
  exportSpans(q: ExportQuery, after: ExportCursor | null, limit: number): Promise<Span[]> {
    return this.read((conn) => exportSql.readExportPage(conn, q, after, limit));
  }
  exportParquet(q: ExportQuery, path: string): Promise<{ rows: number }> {
    return this.read((conn) => exportSql.writeParquet(conn, q, path));
  }

  // ---- Insight primitives (SQL in insight-queries.ts and insight-materialize.ts) ----
  materializeInsights(opts: { now?: number; graceMs?: number } = {}): Promise<MaterializeReport> {
    return insights.materializeInsights((task) => this.derive(task), opts.now ?? this.options.now(), opts.graceMs);
  }
  insightPaths(q: InsightScan): Promise<PathRow[]> {
    return this.read((conn) => insights.readInsightPaths(conn, q));
  }
  insightCohorts(q: CohortScan): Promise<CohortRow[]> {
    return this.read((conn) => insights.readInsightCohorts(conn, q));
  }
  insightCohortContrasts(q: CohortScan): Promise<CohortContrastRow[]> {
    return this.read((conn) => insights.readInsightCohortContrasts(conn, q));
  }
  async insightDecisionCounts(q: DecisionCountQuery): Promise<DecisionCountRow[]> {
    await this.rollupsCurrent().catch(() => undefined);
    return this.read((conn) => insights.readInsightDecisionCounts(conn, q));
  }

  /** An insight analysis on this thread (the store worker), from this engine's own reads: only the report goes back. */
  analyse<K extends AnalysisName>(name: K, req: AnalysisRequest<K>): Promise<AnalysisReport<K>> {
    return runAnalysisOn(this, name, req);
  }

  /** Physical row counts of the rollup tables (delta rows included), for tests and benchmarks. */
  async rollupTableRows(flush = true): Promise<{ minute: number; hour: number; dim5: number }> {
    if (flush) await this.flushRollups();
    const rows = await this.read((conn) =>
      queryRows(
        conn,
        `SELECT (SELECT count(*) FROM rollup_minute) AS minute, (SELECT count(*) FROM rollup_hour) AS hour,
          (SELECT count(*) FROM rollup_dim_5min) AS dim5`,
      ),
    );
    return { minute: Number(rows[0]?.minute ?? 0), hour: Number(rows[0]?.hour ?? 0), dim5: Number(rows[0]?.dim5 ?? 0) };
  }

  /** Flushes rollups, compacts, checkpoints and closes the database. */
  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    await this.compact();
    await this.derive(() => this.write(async (conn) => {
      await conn.run('CHECKPOINT');
      this.closed = true;
    }));
    await this.readers.close();
    this.deriver.closeSync();
    this.writer.closeSync();
    this.instance.closeSync();
  }
}
