// The Store contract: what every backend (DuckDB, ClickHouse) implements, as the intersection of
// its slices, each in its own file and checked by its own conformance suite. A consumer takes the
// slice(s) it uses; a backend is one object implementing them all. A new method goes into a slice
// (or a new slice file added to `Store` below), never into this file. SQL stays inside each
// backend's folder.

import type { AlertStore } from './alert-store.js';
import type { Catalog } from './catalog.js';
import type { Coordination } from './coordination.js';
import type { DoctorReads } from './doctor-reads.js';
import type { InsightStore } from './insight-store.js';
import type { ScoreStore } from './score-store.js';
import type { SessionStore } from './session-store.js';
import type { SpanStore } from './span-store.js';
import type { TraceDetailStore } from './trace-detail-store.js';

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

export interface Store extends SpanStore, Catalog, AlertStore, InsightStore, Coordination, DoctorReads, TraceDetailStore, SessionStore, ScoreStore {
  readonly kind: StoreConfig['kind'];
  close(): Promise<void>;
}

// The slices and their types, named here too so `import type { RollupRow } from './store.js'` keeps
// working; new code may import them from the slice's own file.
export type { AlertStore } from './alert-store.js';
export type { Catalog } from './catalog.js';
export type { Coordination } from './coordination.js';
export type { DoctorReads } from './doctor-reads.js';
export type { InsightStore } from './insight-store.js';
export type { SpanStore } from './span-store.js';
export { LATENCY_BUCKETS } from './latency-sketch.js';
export { REPEATED_DECISION_ATTRIBUTE } from './span-store.js';
export type {
  AppendOptions, ExportCursor, ExportQuery, RollupQuery, RollupRow, SpanFilter, SpanRef, SpanRevision, StoreHealth, StoreStats, TraceSearch,
  TraceSummary,
} from './span-store.js';
export type { ApiKeyRecord, IdempotencyRecord, Scope } from './catalog.js';
export type { AlertEventQuery, AlertEventRecord, AlertRecord, AlertRecordKind, UserRollupQuery } from './alert-store.js';
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
