// The Store interface: what every backend (DuckDB, ClickHouse) implements. Analytics and alerts
// speak only to this, so each works on both backends. SQL stays inside each backend's folder.

import type { Dimension, Span, SpanType } from '../model/span.js';

/** Backends are chosen by tagged config, never by flags. */
export type StoreConfig =
  | { kind: 'duckdb'; path: string }
  | { kind: 'clickhouse'; url: string; database: string; cluster?: string };

export interface SpanFilter {
  agent?: string;
  model?: string;
  decision?: string;
  span_type?: SpanType;
  provider?: string;
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

export interface TraceSearch {
  project: string;
  from: number;
  to: number;
  agent?: string;
  decision?: string;
  errors_only?: boolean;
  min_latency_ms?: number;
  min_cost_usd?: number;
  /** At most this many traces, newest first. */
  limit: number;
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

export type Scope = 'ingest' | 'read' | 'admin';

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

export interface Store {
  readonly kind: StoreConfig['kind'];
  /** Appends spans and their rollups atomically; resolves once durable. Throws STORE_UNAVAILABLE. */
  append(spans: Span[]): Promise<void>;
  rollup(q: RollupQuery): Promise<RollupRow[]>;
  /** All spans of a trace ordered by timestamp; empty when unknown. */
  getTrace(project: string, traceId: string): Promise<Span[]>;
  searchTraces(q: TraceSearch): Promise<TraceSummary[]>;
  /** Deletes raw spans older than spansBefore and rollups older than rollupsBefore (ms). */
  deleteBefore(limits: { spansBefore: number; rollupsBefore: number }): Promise<{ spans: number }>;
  stats(): Promise<StoreStats>;

  listProjects(): Promise<string[]>;
  createProject(name: string): Promise<void>;
  putApiKey(key: ApiKeyRecord): Promise<void>;
  findApiKeyByHash(hash: string): Promise<ApiKeyRecord | null>;
  listApiKeys(project?: string): Promise<ApiKeyRecord[]>;
  revokeApiKey(id: string, at: number): Promise<boolean>;

  close(): Promise<void>;
}
