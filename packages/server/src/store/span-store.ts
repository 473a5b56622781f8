// The span store slice of the Store contract: spans in (append, revisions), rollups, traces and
// trace search, import deduplication, retention, stats and readiness, export. Everything the
// conformance suites store.case.ts, revision.case.ts and export.case.ts check.

import type { Dimension, Span, SpanType } from '../model/span.js';
import type { AttributeMatch } from './attribute-match.js';
import type { IdempotencyRecord } from './catalog.js';
import type { Figures } from './figures.js';

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

/** Pre-aggregated figures (figures.ts) for one bucket × group, read from rollups (never from raw spans). */
export interface RollupRow extends Figures {
  /** Bucket start, ms. */
  bucket: number;
  /** Values of the groupBy dimensions, in the query's order (null where the span had none). */
  group: (string | null)[];
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

export interface SpanStore {
  /**
   * Appends spans; resolves once durable. Throws STORE_UNAVAILABLE. Idempotency keys given here
   * are recorded with the spans, so a retry after a crash is still known: in the same transaction
   * on DuckDB, right after the spans on ClickHouse (its README says what that leaves open).
   */
  append(spans: Span[], opts?: AppendOptions): Promise<void>;
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

  // ---- Export (sightline export, GET /api/export) ----
  /** Up to `limit` whole spans ordered by (timestamp, trace_id, span_id), strictly after `after`. */
  exportSpans(q: ExportQuery, after: ExportCursor | null, limit: number): Promise<Span[]>;
  /** Writes the matching spans to a new Parquet file at `path` (local to the store); returns rows written. */
  exportParquet(q: ExportQuery, path: string): Promise<{ rows: number }>;
}
