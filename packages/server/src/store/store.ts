// The Store interface: what every backend (DuckDB, ClickHouse) implements. Analytics and alerts
// speak only to this, so each works on both backends. SQL stays inside each backend's folder.

import type { Dimension, Span, SpanType } from '../model/span.js';
import type { DoctorReads } from './doctor-reads.js';
import type { AttributeMatch } from './attribute-match.js';
import type { SessionStore } from './session-store.js';
import type { TraceDetailStore } from './trace-detail-store.js';
import type { ScoreStore } from './score-store.js';
import type { AnalysisName, AnalysisReport, AnalysisRequest } from '../query/insights/analyses.js';
import type {
  CohortContrastRow, CohortRow, CohortScan, DecisionCountQuery, DecisionCountRow, InsightScan, MaterializeReport, PathRow,
} from './insight-types.js';

/** Backends are chosen by tagged config, never by flags. */
export type StoreConfig =
  | {
      kind: 'duckdb';
      path: string;
      /** DuckDB's memory_limit in MiB (default: DuckDB's 80 % of RAM). */
      memoryLimitMb?: number;
      /** DuckDB's worker threads (default: one per core). */
      threads?: number;
      /** Reads still running after this many ms are stopped (QUERY_TIMEOUT); default none. */
      readTimeoutMs?: number;
    }
  | {
      kind: 'clickhouse';
      url: string;
      database: string;
      cluster?: string;
      /** HTTP URL of every shard of `cluster`, for DDL and retention where ON CLUSTER is unavailable (no Keeper). */
      shards?: string[];
      /** Inserts and lookups unanswered after this many ms fail as STORE_UNAVAILABLE (default 10 s). */
      timeoutMs?: number;
      /** Analytic reads are stopped by ClickHouse (max_execution_time) after this many ms (QUERY_TIMEOUT). */
      readTimeoutMs?: number;
    };

export interface SpanFilter {
  agent?: string;
  model?: string;
  decision?: string;
  span_type?: SpanType;
  provider?: string;
  /**
   * Only spans that carry a decision (decision_made not null), whatever their span type: the one
   * definition of a decision (an llm_call with decision_made is one, as is a decision span).
   */
  has_decision?: boolean;
  /** Only spans with an error. */
  errors_only?: boolean;
}

/** Number of buckets in the mergeable latency histogram (see latency-sketch.ts). */
export const LATENCY_BUCKETS = 64;

export interface RollupQuery {
  project: string;
  /** Inclusive start, ms. Floored to a bucket boundary by the store. */
  from: number;
  /** Exclusive end, ms. */
  to: number;
  /** Bucket width in ms; a multiple of 60,000. Multiples of 3,600,000 read hourly rollups. */
  bucketMs: number;
  /** Zero or more dimensions to group by, in this order. */
  groupBy: Dimension[];
  filter: SpanFilter;
  /** false: latency_hist may come back empty (saves reading 64 columns when no quantile is needed). */
  histogram?: boolean;
  /**
   * true: one row per group for the whole range, its bucket the floored `from` (for totals such as
   * the overview's KPIs), instead of one row per bucket × group.
   */
  collapse?: boolean;
}

/**
 * Spend per end user (span user_id) per bucket, read from raw spans: rollups have no user
 * dimension (users are unbounded; a rollup key per user would multiply every rollup table).
 * `groupBy` starts with 'user' and may add dimensions; only spans with a user_id count.
 */
export interface UserRollupQuery {
  project: string;
  from: number;
  to: number;
  /** 60,000 (minutes) or 3,600,000 (hours). */
  bucketMs: number;
  groupBy: ('user' | Dimension)[];
  filter: SpanFilter;
  /** Per bucket, only the `limit` groups with the highest cost (ties by group values). */
  limit: number;
}

/** Pre-aggregated figures for one bucket × group, read from rollups (never from raw spans). */
export interface RollupRow {
  /** Bucket start, ms. */
  bucket: number;
  /** Values of the groupBy dimensions, in the query's order (null where the span had none). */
  group: (string | null)[];
  count: number;
  errors: number;
  latency_sum: number;
  tokens_input: number;
  tokens_output: number;
  tokens_cache_read: number;
  tokens_cache_write: number;
  tokens_reasoning: number;
  cost_usd: number;
  /** Sum of confidence over spans that had one, and how many had one. */
  confidence_sum: number;
  confidence_count: number;
  /** LATENCY_BUCKETS counts; mergeable by element-wise sum. */
  latency_hist: number[];
}

/** A request's Idempotency-Key (scoped by project) and the response it got. */
export interface IdempotencyRecord {
  key: string;
  response: string;
  created_at: number;
}

export interface AppendOptions {
  idempotency?: IdempotencyRecord[];
}

export interface TraceSearch {
  project: string;
  from: number;
  to: number;
  agent?: string;
  decision?: string;
  errors_only?: boolean;
  min_latency_ms?: number;
  min_cost_usd?: number;
  /**
   * Traces with a span whose name, error (type or message), input or output contains this text,
   * case-insensitively (input and output are stored only with captureContent).
   */
  text?: string;
  /** Traces with a span of this session. */
  session_id?: string;
  /** Traces with a span of this end user. */
  user_id?: string;
  /** Traces with, for each entry, a span whose attribute has that value (see attribute-match.ts). */
  attributes?: AttributeMatch[];
  /** At most this many traces, newest first. */
  limit: number;
}

/** A span's identity within its project: what import deduplicates on. */
export interface SpanRef {
  trace_id: string;
  span_id: string;
}

export interface TraceSummary {
  trace_id: string;
  agent_id: string;
  /** Name of the earliest span with no parent (or the earliest span). */
  root_name: string | null;
  start: number;
  /** From the first span's start to the last span's end. */
  duration_ms: number;
  span_count: number;
  error_count: number;
  cost_usd: number;
  tokens: number;
  /** Decisions made in the trace, in time order. */
  decisions: string[];
}

/** annotate: read, plus scoring traces by hand (reviewers); between read and admin. */
export type Scope = 'ingest' | 'read' | 'annotate' | 'admin';

export interface ApiKeyRecord {
  id: string;
  project: string;
  /** sha256 hex of the secret; the secret itself is never stored. */
  hash: string;
  /** First characters of the secret, to tell keys apart in listings. */
  prefix: string;
  scopes: Scope[];
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

export interface StoreStats {
  spans: number;
  /** Bytes on disk (or reported by the server) for all Sightline data. */
  bytes: number;
}

/**
 * What readiness needs to know of a store, measured when asked. Reasons name the cause in words a
 * client may see (file names relative to the data directory, never an absolute path).
 */
export interface StoreHealth {
  /** Null when a write just succeeded; else why the store cannot write now. */
  writeError: string | null;
  /** Free bytes on the data directory's file system; null when the backend does not know. */
  diskFreeBytes: number | null;
  /** Committed spans whose rollups are not written yet. */
  rollupLagSpans: number;
  /** Why the last rollup flush failed, while spans still wait for their rollups; else null. */
  rollupError: string | null;
}

// ---- Alert persistence types (see the "Alert persistence" block of Store) ----

/**
 * rule: custom rules and built-in overrides; state: per rule × group (written only by the node that
 * evaluates); ack: acknowledgements, by alert (written by whichever node the API call reached);
 * silence; delivery: notification attempts; incident: alerts grouped by cause (src/alert/incident.ts);
 * budget: spend budgets created through the API (src/alert/budget.ts).
 */
export type AlertRecordKind = 'rule' | 'state' | 'ack' | 'silence' | 'delivery' | 'incident' | 'budget';

export interface AlertRecord {
  project: string;
  id: string;
  updated_at: number;
  /** JSON-serialisable document whose shape src/alert defines. */
  body: Record<string, unknown>;
}

export interface AlertEventRecord {
  project: string;
  id: string;
  at: number;
  /** The alert (rule × group) the event belongs to. */
  alert_id: string;
  rule_id: string;
  /** pending, firing, resolved, renotify, acknowledged, … */
  kind: string;
  body: Record<string, unknown>;
}

export interface AlertEventQuery {
  project: string;
  from?: number;
  to?: number;
  alert_id?: string;
  rule_id?: string;
  limit: number;
}

// ---- Insight primitives types: insight-types.ts (re-exported here) ----

export { COHORT_SIDE_COLUMNS, COHORT_SUMS } from './insight-types.js';
export type {
  CohortContrastRow,
  CohortRow,
  CohortScan,
  CohortSide,
  DecisionCountQuery,
  DecisionCountRow,
  InsightScan,
  MaterializeReport,
  PathRow,
} from './insight-types.js';

// ---- Export types (see the "Export" block of Store) ----

/** Spans of one project with timestamp in [from, to), optionally of one agent. */
export interface ExportQuery {
  project: string;
  from: number;
  to: number;
  agent?: string;
}

/** Position after which the next export page starts: the last span of the previous page. */
export interface ExportCursor {
  timestamp: number;
  trace_id: string;
  span_id: string;
}

/**
 * What one stored span's trace-derived fields should be (store/trace-attribution.ts): the agent,
 * session and user it takes from its nearest ancestor naming them, and its decision_made (null
 * when it repeats its parent's decision, see `repeated_decision`).
 */
export interface SpanRevision {
  trace_id: string;
  span_id: string;
  /** The span's timestamp: lets a backend read only the data holding it. */
  timestamp: number;
  agent_id: string;
  session_id: string | null;
  user_id: string | null;
  decision_made: string | null;
  /** Set when decision_made was cleared: the decision, kept as attribute `sightline.decision_repeats_parent`. */
  repeated_decision?: string;
}

/** The attribute a decision span that repeats its parent's decision keeps that decision under. */
export const REPEATED_DECISION_ATTRIBUTE = 'sightline.decision_repeats_parent';

export interface Store extends DoctorReads, TraceDetailStore, SessionStore, ScoreStore {
  readonly kind: StoreConfig['kind'];
  /**
   * Appends spans; resolves once durable. Throws STORE_UNAVAILABLE. Idempotency keys given here
   * are recorded with the spans, so a retry after a crash is still known: in the same transaction
   * on DuckDB, right after the spans on ClickHouse (its README says what that leaves open).
   */
  append(spans: Span[], opts?: AppendOptions): Promise<void>;
  /** Idempotency records written since `since` (ms), oldest first, to rebuild the in-memory cache at start. */
  recentIdempotency?(since: number): Promise<IdempotencyRecord[]>;
  /**
   * The first record of `key` (an IdempotencyRecord.key) written since `since` (ms), or null: for a
   * retry whose key the in-memory cache lacks (another node took the first attempt, or the cache
   * dropped the key for space).
   * @example const first = await store.findIdempotency?.(scopedKey(project, key), now - IDEMPOTENCY_TTL_MS);
   */
  findIdempotency?(key: string, since: number): Promise<IdempotencyRecord | null>;
  /**
   * Sets agent, session, user and decision of stored spans (matched by project, trace and span id)
   * and corrects their rollups (figures move from the old key to the new one) and insight hours.
   * Resolves once readers see the new values; returns how many stored spans changed. Spans not
   * stored (yet) are skipped.
   * @example await store.reviseSpans('default', [{ trace_id, span_id, timestamp, agent_id: 'support', session_id: 'c-1', user_id: null, decision_made: null }]);
   */
  reviseSpans(project: string, revisions: SpanRevision[]): Promise<number>;
  rollup(q: RollupQuery): Promise<RollupRow[]>;
  /**
   * All spans of a trace ordered by timestamp; empty when unknown. `hint.around`, a timestamp of
   * one of the trace's spans (e.g. TraceSummary.start), lets a backend read only data near it;
   * spans more than 24 h from it may then be left out. Without a hint every span is searched
   * (DuckDB finds the trace's time span in its trace index first).
   */
  getTrace(project: string, traceId: string, hint?: { around?: number }): Promise<Span[]>;
  searchTraces(q: TraceSearch): Promise<TraceSummary[]>;
  /**
   * Which of `refs` the project already stores (each at most once, in no particular order), so an
   * import of spans already there adds nothing.
   * @example const known = await store.knownSpans('default', [{ trace_id: 't1', span_id: 's1' }]);
   */
  knownSpans(project: string, refs: SpanRef[]): Promise<SpanRef[]>;
  /**
   * Deletes raw spans older than spansBefore and rollups older than rollupsBefore (ms), and
   * idempotency records more than a day older than the newest one (ClickHouse drops whole days,
   * so it may keep up to two).
   */
  deleteBefore(limits: { spansBefore: number; rollupsBefore: number }): Promise<{ spans: number }>;
  stats(): Promise<StoreStats>;
  /** Probes the store for readiness (a small write, free disk, rollup lag); absent: not probed. */
  health?(): Promise<StoreHealth>;

  listProjects(): Promise<string[]>;
  createProject(name: string): Promise<void>;
  putApiKey(key: ApiKeyRecord): Promise<void>;
  findApiKeyByHash(hash: string): Promise<ApiKeyRecord | null>;
  listApiKeys(project?: string): Promise<ApiKeyRecord[]>;
  revokeApiKey(id: string, at: number): Promise<boolean>;

  // ---- Alert persistence (src/alert owns the bodies; the store keeps them as JSON documents) ----
  /** Upserts documents of one kind by (project, id). */
  putAlertRecords(kind: AlertRecordKind, records: AlertRecord[]): Promise<void>;
  /** Documents of one kind, of one project or all, ordered by project then id. */
  listAlertRecords(kind: AlertRecordKind, project?: string): Promise<AlertRecord[]>;
  /** Removes one document; false when there was none. */
  deleteAlertRecord(kind: AlertRecordKind, project: string, id: string): Promise<boolean>;
  /** Removes documents of one kind last updated before `before` (ms); returns how many. */
  pruneAlertRecords(kind: AlertRecordKind, before: number): Promise<number>;
  /** Appends to the alert history (append-only; ids are unique). */
  appendAlertEvents(events: AlertEventRecord[]): Promise<void>;
  /** History newest first. */
  listAlertEvents(q: AlertEventQuery): Promise<AlertEventRecord[]>;
  /**
   * The alert engine's rollup reads of one tick, answered together. Result i holds the figures of
   * `rollup(queries[i])` in no particular order and, where bucketMs is 60,000 or 3,600,000 (not
   * collapsed), possibly split: several rows may share a bucket and group, and summed they give
   * rollup()'s row. The engine sums rows anyway; this spares DuckDB the sort and the aggregate.
   * @example const [minutes, hours] = await store.alertRollups([minuteQuery, hourQuery]);
   */
  alertRollups(queries: RollupQuery[]): Promise<RollupRow[][]>;
  /**
   * Per-user figures for the alert engine (per-user spend rules), one result per query: rows as
   * RollupRow with group = the query's groupBy values and latency_hist empty, ordered by bucket,
   * then cost descending, then group. Reads raw spans in [from, to).
   * @example const [rows] = await store.userRollups([{ project, from, to, bucketMs: 60_000, groupBy: ['user'], filter: {}, limit: 1000 }]);
   */
  userRollups(queries: UserRollupQuery[]): Promise<RollupRow[][]>;

  // ---- Insight primitives (src/query/insights): hourly pre-aggregates of traces by decision path
  // and of spans by attribute value, combined with raw spans for hours not yet materialized ----
  /**
   * Recomputes the hourly aggregates of hours that received spans since the last run and closed
   * at least `graceMs` (default 2 min) before `now` (default the wall clock). Idempotent.
   */
  materializeInsights(opts?: { now?: number; graceMs?: number }): Promise<MaterializeReport>;
  /** Traces whose first span lies in the scanned hours, by agent × decision path. */
  insightPaths(q: InsightScan): Promise<PathRow[]>;
  /** Spans in the scanned hours by agent × attribute key × value. */
  insightCohorts(q: CohortScan): Promise<CohortRow[]>;
  /**
   * Each value of each key (never '(other)') against the rest of its agents, from the same figures
   * as insightCohorts, one row per value, ordered by key then value (byte order). Only values whose
   * cohort and rest both reach `minCount` units.
   * @example const rows = await store.insightCohortContrasts({ project, from, to, keys: ['input_category'], minCount: 30 });
   */
  insightCohortContrasts(q: CohortScan): Promise<CohortContrastRow[]>;
  /**
   * Decisions per bucket × agent from the rollups (spans without a decision left out), ordered by
   * bucket, agent, decision: the decision distribution's one read, without the other rollup columns.
   */
  insightDecisionCounts(q: DecisionCountQuery): Promise<DecisionCountRow[]>;
  /**
   * Runs an insight analysis (src/query/insights/analyses.ts) where the store keeps its data.
   * DuckDB runs it on its worker thread, where its reads are answered: only the report crosses to
   * the main thread. Absent: runAnalysis runs it on the caller's thread from this store's reads,
   * with the same result.
   */
  analyse?<K extends AnalysisName>(name: K, req: AnalysisRequest<K>): Promise<AnalysisReport<K>>;

  // ---- Export (sightline export, GET /api/export) ----
  /** Up to `limit` whole spans ordered by (timestamp, trace_id, span_id), strictly after `after`. */
  exportSpans(q: ExportQuery, after: ExportCursor | null, limit: number): Promise<Span[]>;
  /** Writes the matching spans to a new Parquet file at `path` (local to the store); returns rows written. */
  exportParquet(q: ExportQuery, path: string): Promise<{ rows: number }>;

  // ---- Scale-out (several Sightline nodes sharing one store; see docs/scale-out.md) ----
  /**
   * Takes or renews the lease `name` for `holder` until `now + ttlMs`; false while another holder's
   * lease is unexpired. At most one holder gets true at a time; renew well before expiry (e.g.
   * every ttlMs / 3). DuckDB has one process per file, so there it is always true.
   * @example if (await store.tryAcquireLease('alert-engine', nodeId, 30_000, clock())) evaluate();
   */
  tryAcquireLease(name: string, holder: string, ttlMs: number, now: number): Promise<boolean>;
  /**
   * Calls `onSpans` with spans that other nodes committed to this store (not this one's own), for
   * the live tail; returns a function that stops following. Absent when the store has one writer.
   */
  followOtherNodes?(onSpans: (spans: Span[]) => void): () => void;

  close(): Promise<void>;
}
