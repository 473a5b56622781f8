// The DuckDB store proper, running on whichever thread opens it (the store worker, see
// worker.ts). Source data (spans, keys, catalog, alert records) is written through one connection
// in strict order; derived data (rollups, trace index, insight tables and their watermarks in meta)
// through a second one, so a rollup flush or compaction never holds up an append. Reads use a small
// pool of other connections (reader-pool.ts) and see only committed data. Appends write spans only;
// rollups are derived from them by seq range afterwards (see README.md, "What is durable when").

import { readUserRollups } from './user-rollups.js';
import { existsSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { SightlineError } from '../../model/errors.js';
import type { Span } from '../../model/span.js';
import type {
  AlertEventQuery, AlertEventRecord, AlertRecord, AlertRecordKind, ApiKeyRecord, AppendOptions, CohortContrastRow, CohortRow, CohortScan,
  DecisionCountQuery, DecisionCountRow,
  ExportCursor, ExportQuery, IdempotencyRecord, InsightScan, MaterializeReport, PathRow, RollupQuery, RollupRow, UserRollupQuery,
  SpanRef, SpanRevision, StoreHealth, StoreStats, TraceSearch, TraceSummary,
} from '../store.js';
import * as alerts from './alert-queries.js';
import * as catalog from './catalog-queries.js';
import * as exportSql from './export-queries.js';
import * as insights from './insight-api.js';
import type { StoreTask } from '../store-tasks.js';
import type { ForwardedMethods } from './worker-protocol.js';
import { DirtyBuckets, compactBuckets } from './compaction.js';
import { knownSpans, queryRows, readRollup, readTrace, searchTraces } from './read-queries.js';
import { rankUsers, searchSessions } from './session-queries.js';
import { readSpan, readTraceJson, readTraceOutline } from './trace-detail-queries.js';
import type { SessionSearch, SessionSummary, UserSearch, UserSummary } from '../session-store.js';
import type { TraceJson, TraceOutline } from '../trace-detail-store.js';
import { readDoctorFigures } from './doctor-queries.js';
import * as scoreSql from './score-queries.js';
import type { Score } from '../../model/score.js';
import type { ScoreCohortQuery, ScoreCohorts, ScoreCursor, ScoreExportQuery, ScoreListQuery, ScoreRollupQuery, ScoreRollupRow, SessionScoreQuery } from '../score-store.js';
import type { TraceHint } from './read-queries.js';
import type { DoctorFigures, DoctorScan } from '../doctor-reads.js';
import { appendSpanBatch, encodeSpanColumns, type SpanColumns } from './span-columns.js';
import { flushRollupRange } from './rollup-sql.js';
import { reviseSpanRows } from './revise-spans.js';
import { traceWindow } from './trace-index.js';
import { rollbackQuietly } from './transaction.js';
import { DIMENSION_BUCKET_MS, migrate, ROLLUP_TABLES, type RollupTable } from './schema.js';
import { ReaderPool, untilSettled, type ReadLane } from './reader-pool.js';
import { isCommittedDespiteError, isFatalStoreError, isInvalidatedRefusal, SerialQueue, toStoreError } from './serial-queue.js';

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
  /** DuckDB's memory_limit in MiB; 0 leaves DuckDB's default (80 % of RAM). Larger sorts and aggregates spill to disk. */
  memoryLimitMb?: number;
  /** Reads still running after this many ms are interrupted (QUERY_TIMEOUT); 0 for none. */
  readTimeoutMs?: number;
  /** WAL size that triggers an automatic checkpoint (default CHECKPOINT_THRESHOLD; tests make it small). */
  checkpointThreshold?: string;
  /** Told every failed database call (its cause, data directory cut from file paths). */
  onError?: (message: string) => void;
  /**
   * Append batches whose commit failed with a fatal error before this open: the commit may still
   * have reached the WAL, but the request was answered with an error, so they are deleted before
   * anything reads them (see InDoubtBatch).
   */
  discard?: InDoubtBatch[];
  /** Tasks runTask runs on this thread from this engine's own reads (store-tasks.ts), by name. */
  tasks?: Readonly<Record<string, StoreTask>>;
}

/**
 * An append whose commit failed with a fatal error (e.g. the checkpoint after the WAL write found
 * the disk full): DuckDB may have made it durable, yet its request is answered 503 and will be
 * retried. Reopening deletes it, so what a client was told was refused is never stored.
 */
export interface InDoubtBatch {
  seq: bigint;
  /** Its requests' idempotency keys (written in the same transaction). */
  keys: string[];
}

export class DuckDbEngine implements ForwardedMethods {
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
  /** The first fatal error: the database is invalidated and must be opened again (see worker.ts). */
  private fatal: string | null = null;
  private readonly inDoubt: InDoubtBatch[] = [];
  /** Why the last rollup flush failed; cleared by the next one that succeeds. */
  private rollupError: string | null = null;
  /** The readiness write probe in flight: concurrent probes share it (a probe storm makes one write). */
  private probe: Promise<string | null> | null = null;
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
    const full = {
      compactEveryFlushes: 60, flushIntervalMs: 1000, maxPendingSpans: 200_000, now: Date.now, threads: 0, memoryLimitMb: 0, readTimeoutMs: 0,
      onError: () => undefined, discard: [], tasks: {}, checkpointThreshold: CHECKPOINT_THRESHOLD, ...options,
    };
    try {
      const settings: Record<string, string> = {};
      if (full.threads > 0) settings.threads = String(full.threads);
      if (full.memoryLimitMb > 0) settings.memory_limit = `${full.memoryLimitMb}MiB`;
      const instance = await DuckDBInstance.create(options.path, settings);
      const writer = await instance.connect();
      await migrate(writer, options.path);
      await scoreSql.ensureScoreTable(writer);
      // An automatic checkpoint compresses everything the WAL holds while the committing append
      // waits (~4 µs a span). The default 16 MB threshold checkpoints every ~50k spans under load;
      // 512 MB stalled ingest for 2–7 s every ~1.5M spans (the p99 at half load). 64 MB: a stall
      // of ~0.5 s every ~200k spans, for the same compression work per span.
      await writer.run(`SET checkpoint_threshold = '${full.checkpointThreshold.replace(/[^0-9A-Za-z]/g, '')}'`);
      await discardInDoubt(writer, full.discard);
      const deriver = await instance.connect();
      const readers = await ReaderPool.open(instance, full.readTimeoutMs);
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
      if (this.closed) throw new SightlineError('STORE_UNAVAILABLE', 'DuckDB store is closed');
      return task(conn);
    }).catch((err: unknown) => {
      throw this.failed(err);
    });
  }

  /**
   * Catalog lookups (API keys, Idempotency-Key records, projects, alert documents, counts): small,
   * and ingest waits on some of them, so they are never stopped by the read timeout.
   */
  private lookup<T>(task: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.read(task, 'light', { timeout: false });
  }

  /** An analytic read on the `light` lane (rollups) or the `scan` lane (raw spans); see reader-pool.ts. */
  private read<T>(task: (conn: DuckDBConnection) => Promise<T>, lane: ReadLane = 'light', opts: { timeout?: boolean } = {}): Promise<T> {
    return this.readers.run(task, lane, opts).catch((err: unknown) => {
      throw this.failed(err);
    });
  }

  /** Maps a failed call's error, notes a fatal one and tells options.onError. */
  private failed(err: unknown): SightlineError {
    const error = toStoreError(err, this.options.path);
    if (error.code === 'STORE_UNAVAILABLE' && isFatalStoreError(error.message)) this.fatal ??= error.message;
    this.options.onError(error.message);
    return error;
  }

  /** The fatal error that invalidated this database, or null while it works. */
  fatalError(): string | null {
    return this.fatal;
  }

  /** Appends whose commit failed fatally (to discard when the database is opened again). */
  inDoubtBatches(): InDoubtBatch[] {
    return [...this.inDoubt];
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
    let attempted: bigint | null = null;
    try {
      await this.write(async (conn) => {
        const seq = this.seq + 1n;
        attempted = seq;
        await appendSpanBatch(conn, spans, seq, keys);
        this.seq = seq;
        this.pendingSpans += spans.rows;
      });
    } catch (err) {
      const message = (err as Error).message;
      if (attempted !== null && isCommittedDespiteError(message)) {
        // DuckDB says the commit is durable and only the checkpoint after it failed: the batch is
        // stored, so it is acknowledged (the database is reopened before the next one).
        this.seq = attempted;
        this.pendingSpans += spans.rows;
        return;
      }
      // Any other fatal error in this commit (not the refusal of an already invalidated database)
      // leaves its outcome unknown: the WAL may hold it.
      if (attempted !== null && isFatalStoreError(message) && !isInvalidatedRefusal(message)) {
        this.inDoubt.push({ seq: attempted, keys: keys.map((k) => k.key) });
      }
      throw err;
    }
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
    const flushed = this.derive(async (conn) => {
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
    // Readiness reports a failing flush while spans wait; the timer (or the next read) retries it.
    return flushed.then(
      () => {
        this.rollupError = null;
      },
      (err: unknown) => {
        this.rollupError = (err as Error).message;
        throw err;
      },
    );
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

  /**
   * A read of one trace on a scan connection, given the trace's indexed time window. The trace index
   * is written with the rollups: pending ones are flushed first so it covers every span; a store
   * that cannot write (disk full) still serves the trace, without the index.
   */
  private async readOneTrace<T>(project: string, traceId: string, read: (conn: DuckDBConnection, window: { from: number; to: number } | null) => Promise<T>): Promise<T> {
    const indexed = await this.rollupsCurrent().then(
      () => true,
      () => false,
    );
    return this.read(async (conn) => read(conn, indexed ? await traceWindow(conn, project, traceId) : null), 'scan');
  }

  getTrace(project: string, traceId: string, hint?: TraceHint): Promise<Span[]> {
    return this.readOneTrace(project, traceId, (conn, window) => readTrace(conn, project, traceId, hint, window));
  }

  traceOutline(project: string, traceId: string, hint?: TraceHint): Promise<TraceOutline> {
    return this.readOneTrace(project, traceId, (conn, window) => readTraceOutline(conn, project, traceId, hint, window));
  }

  traceJson(project: string, traceId: string, hint?: TraceHint): Promise<TraceJson> {
    return this.readOneTrace(project, traceId, (conn, window) => readTraceJson(conn, project, traceId, hint, window));
  }

  getSpan(project: string, traceId: string, spanId: string, hint?: TraceHint): Promise<Span | null> {
    return this.readOneTrace(project, traceId, (conn, window) => readSpan(conn, project, traceId, spanId, hint, window));
  }

  searchSessions(q: SessionSearch): Promise<SessionSummary[]> {
    return this.read((conn) => searchSessions(conn, q), 'scan');
  }

  rankUsers(q: UserSearch): Promise<UserSummary[]> {
    return this.read((conn) => rankUsers(conn, q), 'scan');
  }

  searchTraces(q: TraceSearch): Promise<TraceSummary[]> {
    return this.read((conn) => searchTraces(conn, q), 'scan');
  }

  doctorScan(q: DoctorScan): Promise<DoctorFigures> {
    return this.read((conn) => readDoctorFigures(conn, q), 'scan');
  }

  knownSpans(project: string, refs: SpanRef[]): Promise<SpanRef[]> {
    return this.read((conn) => knownSpans(conn, project, refs), 'scan');
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

  /**
   * Revises stored spans (see revise-spans.ts) while holding both queues, as deleteBefore does, so
   * no flush runs meanwhile: spans up to rolledUpSeq have their rollup figures moved, later ones
   * (usually all of them: children revised a batch after they came) are counted as revised by the
   * next flush, and no flush is forced.
   */
  async reviseSpans(project: string, revisions: SpanRevision[]): Promise<number> {
    if (revisions.length === 0) return 0;
    return this.derive(() => this.write(async (conn) => {
      const { changed, touched } = await reviseSpanRows(conn, project, revisions, this.rolledUpSeq);
      for (const [table, buckets] of touched) for (const b of buckets) this.dirty.add(table, b);
      return changed;
    }));
  }

  async stats(): Promise<StoreStats> {
    const rows = await this.lookup((conn) => queryRows(conn, 'SELECT count(*) AS n FROM spans'));
    const size = (p: string): number => (existsSync(p) ? statSync(p).size : 0);
    return { spans: Number(rows[0]?.n ?? 0), bytes: size(this.options.path) + size(`${this.options.path}.wal`) };
  }

  /**
   * Readiness: a small write through the source-data connection (queued behind appends, as an
   * append would be), free disk, and how far rollups lag; a lag whose last flush failed is retried
   * here too, so rollups catch up as soon as the cause is gone.
   */
  async health(): Promise<StoreHealth> {
    if (this.rollupError !== null && this.seq > this.rolledUpSeq) await this.flushRollups().catch(() => undefined);
    if (this.probe === null) {
      const probe = this.write((conn) => conn.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('ready_probe', ?)", [String(this.options.now())])).then(
        () => null,
        (err: unknown) => (err as Error).message,
      );
      this.probe = probe;
      void probe.then(() => {
        this.probe = null;
      });
    }
    const writeError = this.fatal ?? (await this.probe);
    const diskFreeBytes = diskFreeBytesAt(this.options.path);
    const lag = this.seq > this.rolledUpSeq ? this.pendingSpans : 0;
    return { writeError, diskFreeBytes, rollupLagSpans: lag, rollupError: lag > 0 ? this.rollupError : null };
  }

  // ---- Projects, API keys and Idempotency-Key records (SQL in catalog-queries.ts) ----
  recentIdempotency(since: number): Promise<IdempotencyRecord[]> {
    return this.lookup((conn) => catalog.recentIdempotency(conn, since));
  }
  findIdempotency(key: string, since: number): Promise<IdempotencyRecord | null> {
    return this.lookup((conn) => catalog.findIdempotency(conn, key, since));
  }
  listProjects(): Promise<string[]> {
    // The alert engine asks every tick; only this engine writes the file, so the list read once
    // stays true until createProject (which drops it) adds one.
    if (this.projects === null) {
      const read = this.lookup((conn) => catalog.listProjects(conn));
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
    return this.lookup((conn) => catalog.findApiKeyByHash(conn, hash));
  }
  listApiKeys(project?: string): Promise<ApiKeyRecord[]> {
    return this.lookup((conn) => catalog.listApiKeys(conn, project));
  }
  revokeApiKey(id: string, at: number): Promise<boolean> {
    return this.write((conn) => catalog.revokeApiKey(conn, id, at));
  }

  // ---- Alert persistence (SQL in alert-queries.ts) ----
  putAlertRecords(kind: AlertRecordKind, records: AlertRecord[]): Promise<void> {
    return this.write((conn) => alerts.putAlertRecords(conn, kind, records));
  }
  listAlertRecords(kind: AlertRecordKind, project?: string): Promise<AlertRecord[]> {
    return this.lookup((conn) => alerts.listAlertRecords(conn, kind, project));
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
    return this.lookup((conn) => alerts.listAlertEvents(conn, q));
  }
  async alertRollups(queries: RollupQuery[]): Promise<RollupRow[][]> {
    // As rollup(): flush pending rollups first; a store that cannot write still answers.
    await this.rollupsCurrent().catch(() => undefined);
    return this.read((conn) => alerts.readAlertRollups(conn, queries));
  }
  userRollups(queries: UserRollupQuery[]): Promise<RollupRow[][]> {
    return this.read((conn) => readUserRollups(conn, queries));
  }

  // ---- Scores (SQL in score-queries.ts) ----
  appendScores(scores: Score[], opts: AppendOptions = {}): Promise<void> {
    const keys = opts.idempotency ?? [];
    if (scores.length === 0 && keys.length === 0) return Promise.resolve();
    return this.write((conn) => scoreSql.appendScores(conn, scores, keys));
  }
  listScores(q: ScoreListQuery): Promise<Score[]> {
    return this.read((conn) => scoreSql.listScores(conn, q), 'scan');
  }
  listSessionScores(q: SessionScoreQuery): Promise<Score[]> {
    return this.read((conn) => scoreSql.listSessionScores(conn, q), 'scan');
  }
  scoreRollup(q: ScoreRollupQuery): Promise<ScoreRollupRow[]> {
    return this.read((conn) => scoreSql.readScoreRollup(conn, q), 'scan');
  }
  scoreCohorts(q: ScoreCohortQuery): Promise<ScoreCohorts> {
    return this.read((conn) => scoreSql.readScoreCohorts(conn, q), 'scan');
  }
  exportScores(q: ScoreExportQuery, after: ScoreCursor | null, limit: number): Promise<Score[]> {
    return this.read((conn) => scoreSql.exportScores(conn, q, after, limit), 'scan');
  }
  deleteScoresBefore(before: number): Promise<{ scores: number }> {
    return this.write((conn) => scoreSql.deleteScoresBefore(conn, before));
  }

  // ---- Export (SQL in export-queries.ts) ----
  exportSpans(q: ExportQuery, after: ExportCursor | null, limit: number): Promise<Span[]> {
    return this.read((conn) => exportSql.readExportPage(conn, q, after, limit), 'scan');
  }
  exportParquet(q: ExportQuery, path: string): Promise<{ rows: number }> {
    // An operator's export: as long as it takes.
    return this.read((conn) => exportSql.writeParquet(conn, q, path), 'scan', { timeout: false });
  }

  // ---- Insight primitives (SQL in insight-queries.ts and insight-materialize.ts) ----
  materializeInsights(opts: { now?: number; graceMs?: number } = {}): Promise<MaterializeReport> {
    return insights.materializeInsights((task) => this.derive(task), opts.now ?? this.options.now(), opts.graceMs);
  }
  insightPaths(q: InsightScan): Promise<PathRow[]> {
    return this.read((conn) => insights.readInsightPaths(conn, q), 'scan');
  }
  insightCohorts(q: CohortScan): Promise<CohortRow[]> {
    return this.read((conn) => insights.readInsightCohorts(conn, q), 'scan');
  }
  insightCohortContrasts(q: CohortScan): Promise<CohortContrastRow[]> {
    return this.read((conn) => insights.readInsightCohortContrasts(conn, q), 'scan');
  }
  async insightDecisionCounts(q: DecisionCountQuery): Promise<DecisionCountRow[]> {
    await this.rollupsCurrent().catch(() => undefined);
    return this.read((conn) => insights.readInsightDecisionCounts(conn, q));
  }

  /** A store task on this thread (the store worker), from this engine's own reads: only its result goes back. */
  runTask(name: string, req: unknown): Promise<unknown> {
    const task = Object.hasOwn(this.options.tasks, name) ? this.options.tasks[name] : undefined;
    if (task === undefined) return Promise.reject(new SightlineError('NOT_SUPPORTED', `the store worker has no task "${name}"`));
    return task(this, req as never);
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

  /**
   * Lets go of a database invalidated by a fatal error without flushing or checkpointing (which
   * would fail): stops the timer, makes later calls fail, lets every call already running or queued
   * settle (the invalidated database refuses their statements at once; long reads and rollup work
   * are interrupted), then closes connections and the instance, ignoring their errors. Closing a
   * connection while a query of the node binding runs on it would leave that query, and the
   * request waiting on it, unanswered for good, with one of libuv's four threads blocked (or crash
   * the process). The writer is never interrupted: an interrupt that meets a COMMIT can report
   * "Interrupted" for a commit that is durable, and its request would be told it failed.
   */
  async abandon(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.closed = true;
    await Promise.all([this.writes.settled(), untilSettled([this.deriver], this.derivedWrites.settled()), this.readers.abandon()]);
    for (const close of [() => this.deriver.closeSync(), () => this.writer.closeSync(), () => this.instance.closeSync()]) {
      try {
        close();
      } catch {
        // Already broken: what matters is that its file handles and lock are released.
      }
    }
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

/** Free bytes (for unprivileged users) on the file system of the database at `path`; null if unknown. */
export function diskFreeBytesAt(path: string): number | null {
  try {
    const fs = statfsSync(dirname(path));
    return fs.bavail * fs.bsize;
  } catch {
    return null;
  }
}

/** Deletes in-doubt append batches (see InDoubtBatch) before anything reads or rolls them up. */
async function discardInDoubt(conn: DuckDBConnection, batches: readonly InDoubtBatch[]): Promise<void> {
  if (batches.length === 0) return;
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const b of batches) {
      await conn.run('DELETE FROM spans WHERE seq = ?', [b.seq]);
      for (const key of b.keys) await conn.run('DELETE FROM ingest_keys WHERE key = ?', [key]);
    }
    await conn.run('COMMIT');
  } catch (err) {
    await rollbackQuietly(conn);
    throw err;
  }
}
