// The ClickHouse Store: several stateless Sightline nodes share one ClickHouse server or cluster.
// Writes are INSERTs of spans plus their rollup deltas, reads are portable SQL
// (see schema.ts for the subset), and nothing is kept in memory that another node would need.

import { readUserRollups } from './user-rollups.js';
import type { ClickHouseSettings } from '@clickhouse/client';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { SightlineError } from '../../model/errors.js';
import type { Span } from '../../model/span.js';
import { HOUR_MS, MINUTE_MS, rollupDeltas } from '../rollup.js';
import type { ApiKeyRecord, AppendOptions, ExportCursor, ExportQuery, SpanRef, SpanRevision, Store } from '../store.js';
import { createAgentMinute } from './agent-minute.js';
import { createAlertQueries } from './alert-queries.js';
import { createConnection, type Connection } from './connection.js';
import { API_KEYS, PROJECTS, apiKeyDoc, apiKeyOf, createDocuments } from './documents.js';
import { createIngestKeys } from './ingest-keys.js';
import { createLeaseTable } from './lease.js';
import { materializeInsights } from './insight-materialize.js';
import { readInsightCohortContrasts } from './insight-contrasts.js';
import { readInsightDecisionCounts } from './insight-decisions.js';
import { readInsightCohorts, readInsightPaths, type InsightTables } from './insight-queries.js';
import { followOtherNodes } from './live-follow.js';
import { migrateServer } from './migrate.js';
import { readRollup } from './read-queries.js';
import { readDoctorFigures } from './doctor-queries.js';
import { createScoreQueries, ensureScoreTables, scoreTables } from './score-queries.js';
import { reviseSpanRows } from './revise-spans.js';
import { bytesOnDisk, deleteInBackground, deleteOlder, type DataServers } from './retention.js';
import { AGENT_MINUTE, AGENT_MINUTE_START, INGEST_KEYS, TRACE_INDEX, localName, tableName, type Layout } from './schema.js';
import { spanFromRow } from '../span-row.js';
import { SPAN_SELECT, rollupRow, spanRow } from './span-rows.js';
import { identifier, int, ms, str } from './sql.js';
import { knownSpans, readTrace, searchTraces, type TraceTables } from './trace-queries.js';
import { readSpan, readTraceOutline } from './trace-detail-queries.js';
import { rankUsers, searchSessions } from './session-queries.js';

export interface ClickHouseStoreOptions {
  /** HTTP endpoint of the server (or of one shard) to query through, e.g. http://127.0.0.1:8123 */
  url: string;
  database: string;
  /** A cluster from the servers' remote_servers config: tables become Distributed over it. */
  cluster?: string;
  /** HTTP endpoint of every shard; without it DDL and retention use ON CLUSTER (needs Keeper). */
  shards?: string[];
  /** Inserts and lookups unanswered after this many ms fail as STORE_UNAVAILABLE (see connection.ts). */
  timeoutMs?: number;
  /** Analytic reads run at most this long (ClickHouse's max_execution_time), then fail as QUERY_TIMEOUT. */
  readTimeoutMs?: number;
  /** Names this node in the rows it inserts (live tail across nodes). Random by default. */
  node?: string;
  clock?: () => number;
  /** How often to look for spans committed by other nodes. 500 ms keeps the tail under 2 s. */
  liveFollowIntervalMs?: number;
}

/**
 * Connects, creates or migrates the schema (safe when several nodes start at once) and returns the store.
 * @example const store = await createClickHouseStore({ url: 'http://127.0.0.1:8123', database: 'sightline' });
 */
export async function createClickHouseStore(options: ClickHouseStoreOptions): Promise<Store> {
  const clock = options.clock ?? Date.now;
  const node = options.node ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const cluster = options.cluster === undefined ? undefined : identifier(options.cluster, 'cluster');
  const layout: Layout = {
    db: identifier(options.database, 'database'),
    ...(cluster === undefined ? {} : { cluster }),
    onCluster: cluster !== undefined && (options.shards ?? []).length === 0,
  };
  // In a cluster an INSERT into a Distributed table returns only once every shard has the rows.
  const settings: ClickHouseSettings = cluster === undefined ? {} : { insert_distributed_sync: 1 };
  const entry = createConnection(options.url, settings, options.timeoutMs, options.readTimeoutMs);
  const shardConns: Connection[] =
    layout.onCluster || cluster === undefined
      ? [entry]
      : options.shards!.map((u) => createConnection(u, settings, options.timeoutMs, options.readTimeoutMs));
  const all = [...new Set([entry, ...shardConns])];
  try {
    for (const conn of shardConns) await migrateServer(conn, layout, node, clock);
    await ensureScoreTables(scoreTables(layout, shardConns), layout);
  } catch (err) {
    await Promise.all(all.map((c) => c.close()));
    throw err;
  }

  const t = {
    spans: tableName(layout, 'spans'),
    rollups: {
      minute: tableName(layout, 'rollup_minute'),
      hour: tableName(layout, 'rollup_hour'),
      agentMinute: createAgentMinute(entry, tableName(layout, AGENT_MINUTE), tableName(layout, AGENT_MINUTE_START)),
    },
  };
  const traces: TraceTables = { spans: t.spans, localSpans: localName(layout, 'spans'), index: tableName(layout, TRACE_INDEX) };
  const servers: DataServers = { entry, shards: shardConns, layout };
  const insightTables: InsightTables = {
    spans: t.spans,
    pathHour: tableName(layout, 'path_hour'),
    cohortHour: tableName(layout, 'cohort_hour'),
    insightHours: tableName(layout, 'insight_hours'),
  };
  const docs = createDocuments(entry, tableName(layout, 'docs'));
  const alerts = createAlertQueries(entry, docs, tableName(layout, 'alert_events'));
  const leases = createLeaseTable(entry, tableName(layout, 'leases'));
  const ingestKeys = createIngestKeys(entry, tableName(layout, INGEST_KEYS));
  const scores = createScoreQueries(entry, scoreTables(layout, shardConns), (keys) => ingestKeys.record(keys));
  const followers = new Set<() => void>();
  let closed = false;

  /** Every call fails the same way once the store is closed. */
  const open = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      closed ? Promise.reject(new SightlineError('STORE_UNAVAILABLE', `ClickHouse store ${layout.db} is closed`)) : fn(...args);

  const apiKeys = async (where: { id?: string; lookup?: string } = {}): Promise<ApiKeyRecord[]> =>
    (await docs.list(API_KEYS, { project: '', ...where }))
      .map(apiKeyOf)
      .sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  return {
    kind: 'clickhouse',
    append: open(async (spans: Span[], opts: AppendOptions = {}) => {
      const at = clock();
      // Acknowledged only when all three inserts are; a failed append may leave some of them
      // written (ClickHouse has no multi-table transaction), which the caller's retry duplicates.
      await Promise.all([
        entry.insert(t.spans, spans.map((s) => spanRow(s, node, at))),
        entry.insert(t.rollups.minute, rollupDeltas(spans, MINUTE_MS).map(rollupRow)),
        entry.insert(t.rollups.hour, rollupDeltas(spans, HOUR_MS).map(rollupRow)),
      ]);
      // Idempotency keys only once the spans are in: a crash or failed insert between the two
      // leaves spans whose key is unknown, so a retry stores them again (a duplicate), never a
      // replayed answer for spans that were not stored (a loss). See README.md.
      await ingestKeys.record(opts.idempotency ?? []);
    }),
    recentIdempotency: open((since: number) => ingestKeys.recent(since)),
    findIdempotency: open((key: string, since: number) => ingestKeys.find(key, since)),
    reviseSpans: open((project: string, revisions: SpanRevision[]) =>
      reviseSpanRows(entry, servers, layout, { spans: t.spans, minute: t.rollups.minute, hour: t.rollups.hour }, project, revisions, clock()),
    ),
    rollup: open((q) => readRollup(entry, t.rollups, q)),
    getTrace: open((project: string, traceId: string, hint?: { around?: number }) => readTrace(entry, traces, project, traceId, hint)),
    searchTraces: open((q) => searchTraces(entry, traces, q)),
    traceOutline: open((project: string, traceId: string, hint?: { around?: number }) => readTraceOutline(entry, traces, project, traceId, hint)),
    getSpan: open((project: string, traceId: string, spanId: string, hint?: { around?: number }) => readSpan(entry, traces, project, traceId, spanId, hint)),
    // The spans arrive from ClickHouse's HTTP answer on this thread already; they are written out here.
    traceJson: open(async (project: string, traceId: string, hint?: { around?: number }) => {
      const spans = await readTrace(entry, traces, project, traceId, hint);
      return { count: spans.length, spans: JSON.stringify(spans), links: JSON.stringify(spans.map((s) => [s.span_id, s.parent_span_id])) };
    }),
    searchSessions: open((q) => searchSessions(entry, t.spans, q)),
    rankUsers: open((q) => rankUsers(entry, t.spans, q)),
    doctorScan: open((q) => readDoctorFigures(entry, traces, q)),
    knownSpans: open((project: string, refs: SpanRef[]) => knownSpans(entry, t.spans, project, refs)),
    deleteBefore: open(async (limits: { spansBefore: number; rollupsBefore: number }) => {
      const counted = await entry.rows<{ n: number }>(`SELECT count() AS n FROM ${t.spans} WHERE timestamp < ${ms(limits.spansBefore)}`);
      await deleteOlder(servers, 'spans', 'timestamp', limits.spansBefore);
      // An index row goes once every span it describes is gone; rows reaching past the cutoff stay
      // and only widen a lookup's time range.
      await deleteOlder(servers, TRACE_INDEX, 'last_ts', limits.spansBefore);
      await deleteOlder(servers, 'rollup_minute', 'bucket', limits.rollupsBefore);
      await deleteOlder(servers, AGENT_MINUTE, 'bucket', limits.rollupsBefore);
      await deleteOlder(servers, 'rollup_hour', 'bucket', limits.rollupsBefore);
      // Insight hours before the cutoff would be recomputed from what is left; they go with the spans.
      for (const table of ['path_hour', 'cohort_hour', 'insight_hours'] as const) await deleteOlder(servers, table, 'hour', limits.spansBefore);
      // Whole days only (no mutation): readers select by created_at anyway.
      const keysBefore = await ingestKeys.retentionCutoff();
      if (keysBefore !== null) await deleteOlder(servers, INGEST_KEYS, 'created_at', keysBefore);
      return { spans: Number(counted[0]?.n ?? 0) };
    }),
    stats: open(async () => {
      const rows = await entry.rows<{ n: number }>(`SELECT count() AS n FROM ${t.spans}`);
      return { spans: Number(rows[0]?.n ?? 0), bytes: await bytesOnDisk(servers) };
    }),

    listProjects: open(async () => (await docs.list(PROJECTS, { project: '' })).map((d) => d.id)),
    createProject: open(async (name: string) => {
      if ((await docs.list(PROJECTS, { project: '', id: name })).length > 0) return;
      const now = clock();
      await docs.put(PROJECTS, [{ project: '', id: name, updated_at: now, body: JSON.stringify({ created_at: now }) }]);
    }),
    putApiKey: open((key: ApiKeyRecord) => docs.put(API_KEYS, [apiKeyDoc(key)])),
    findApiKeyByHash: open(async (hash: string) => (await apiKeys({ lookup: hash }))[0] ?? null),
    listApiKeys: open(async (project?: string) => (await apiKeys()).filter((k) => project === undefined || k.project === project)),
    revokeApiKey: open(async (id: string, at: number) => {
      const key = (await apiKeys({ id }))[0];
      if (key === undefined || key.revoked_at !== null) return false;
      await docs.put(API_KEYS, [apiKeyDoc({ ...key, revoked_at: at })]);
      return true;
    }),

    putAlertRecords: open(alerts.putAlertRecords),
    listAlertRecords: open(alerts.listAlertRecords),
    deleteAlertRecord: open(alerts.deleteAlertRecord),
    pruneAlertRecords: open(alerts.pruneAlertRecords),
    appendAlertEvents: open(alerts.appendAlertEvents),
    listAlertEvents: open(alerts.listAlertEvents),
    // The tick's few reads side by side; each is rollup()'s query (its ORDER BY costs little here).
    alertRollups: open((queries) => Promise.all(queries.map((q) => readRollup(entry, t.rollups, q)))),
    userRollups: open((queries) => readUserRollups(entry, t.spans, queries)),

    materializeInsights: open((opts: { now?: number; graceMs?: number } = {}) =>
      materializeInsights(
        { conn: entry, tables: insightTables, clock, cleanup: (table, where) => deleteInBackground(servers, table, where) },
        opts.now ?? clock(),
        opts.graceMs,
      ),
    ),
    insightPaths: open((q) => readInsightPaths(entry, insightTables, q)),
    insightCohorts: open((q) => readInsightCohorts(entry, insightTables, q)),
    insightCohortContrasts: open((q) => readInsightCohortContrasts(entry, insightTables, q)),
    insightDecisionCounts: open((q) => readInsightDecisionCounts(entry, t.rollups, q)),

    appendScores: open(scores.appendScores),
    listScores: open(scores.listScores),
    listSessionScores: open((q) => scores.listSessionScores(q, t.spans)),
    scoreRollup: open((q) => scores.scoreRollup(q, t.spans)),
    scoreCohorts: open((q) => scores.scoreCohorts(q, t.spans)),
    exportScores: open(scores.exportScores),
    deleteScoresBefore: open(scores.deleteScoresBefore),

    exportSpans: open(async (q: ExportQuery, after: ExportCursor | null, limit: number) => {
      const where = [`project = ${str(q.project)}`, `timestamp >= ${ms(q.from)}`, `timestamp < ${ms(Math.ceil(q.to))}`];
      if (q.agent !== undefined) where.push(`agent_id = ${str(q.agent)}`);
      if (after !== null) {
        const [ts, tr, sp] = [ms(after.timestamp), str(after.trace_id), str(after.span_id)];
        where.push(`(timestamp > ${ts} OR (timestamp = ${ts} AND (trace_id > ${tr} OR (trace_id = ${tr} AND span_id > ${sp}))))`);
      }
      const rows = await entry.rows(
        `SELECT ${SPAN_SELECT} FROM ${t.spans} WHERE ${where.join(' AND ')}
          ORDER BY timestamp, trace_id, span_id LIMIT ${int(Math.max(0, Math.floor(limit)))}`,
      );
      return rows.map(spanFromRow);
    }),
    // NOT_SUPPORTED, not STORE_UNAVAILABLE: a retry cannot succeed (HTTP 501, no Retry-After).
    exportParquet: () =>
      Promise.reject(
        new SightlineError(
          'NOT_SUPPORTED',
          'Parquet export is not available on the ClickHouse store: ClickHouse 18.16 has no Parquet output format; export as csv or ndjson instead',
        ),
      ),

    tryAcquireLease: open((name: string, holder: string, ttlMs: number, now: number) => leases.tryAcquire(name, holder, ttlMs, now)),
    followOtherNodes(onSpans) {
      const stop = followOtherNodes({ conn: entry, spans: t.spans, node, intervalMs: options.liveFollowIntervalMs ?? 500, clock }, onSpans);
      followers.add(stop);
      return () => {
        stop();
        followers.delete(stop);
      };
    },

    close: async () => {
      if (closed) return;
      closed = true;
      for (const stop of followers) stop();
      await Promise.all(all.map((c) => c.close()));
    },
  };
}
