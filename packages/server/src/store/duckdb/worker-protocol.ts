// Messages between the DuckDB store proxy (main thread) and the worker that owns the database.

import type { SightlineErrorCode } from '../../model/errors.js';
import type { Store } from '../store.js';

/**
 * Store methods the worker serves; `close` also ends the worker. Leases are answered by the proxy.
 * Appends arrive as `appendColumns` (spans encoded by span-columns.ts); `runTask` runs a task of
 * the module named by WorkerInit.tasks.
 */
export type StoreMethod = Exclude<keyof Store, 'kind' | 'tryAcquireLease' | 'followOtherNodes'> | 'appendColumns' | 'runTask';

/**
 * The Store methods the main-thread proxy forwards to the worker as they are (duckdb-store.ts
 * builds them from this list; DuckDbEngine implements them, checked by `implements`). A new
 * Store method goes here and into the engine; the type below refuses to compile until it does.
 */
export const FORWARDED_METHODS = [
  'recentIdempotency', 'findIdempotency', 'reviseSpans', 'rollup', 'getTrace', 'searchTraces', 'doctorScan', 'knownSpans',
  'deleteBefore', 'stats', 'health', 'listProjects', 'createProject', 'putApiKey', 'findApiKeyByHash', 'listApiKeys',
  'revokeApiKey', 'putAlertRecords', 'listAlertRecords', 'deleteAlertRecord', 'pruneAlertRecords', 'appendAlertEvents',
  'listAlertEvents', 'alertRollups', 'userRollups', 'exportSpans', 'exportParquet', 'materializeInsights', 'insightPaths',
  'insightCohorts', 'insightCohortContrasts', 'insightDecisionCounts', 'traceOutline', 'traceJson', 'getSpan', 'searchSessions',
  'rankUsers', 'appendScores', 'listScores', 'listSessionScores', 'scoreRollup', 'scoreCohorts', 'exportScores',
  'deleteScoresBefore',
] as const satisfies readonly StoreMethod[];

export type ForwardedMethod = (typeof FORWARDED_METHODS)[number];

/** What the worker's engine answers for the proxy: every forwarded method, with Store's signature. */
export type ForwardedMethods = Pick<Store, ForwardedMethod>;

/** Store methods neither forwarded nor handled apart (append: encoded first; close: ends the worker). Must stay empty. */
type Unforwarded = Exclude<StoreMethod, ForwardedMethod | 'append' | 'appendColumns' | 'close' | 'runTask'>;
/** Fails to compile, naming the method, when a Store method is missing from FORWARDED_METHODS. */
export type EveryStoreMethodForwarded = Unforwarded extends never ? true : { missingFromForwardedMethods: Unforwarded };
export const everyStoreMethodForwarded: EveryStoreMethodForwarded = true;

export interface WorkerInit {
  path: string;
  memoryLimitMb?: number;
  threads?: number;
  readTimeoutMs?: number;
  /** URL of a module exporting STORE_TASKS (store-tasks.ts), imported by the worker at start. */
  tasks?: string;
}

export interface StoreRequest {
  id: number;
  method: StoreMethod;
  args: unknown[];
}

export interface TransportedError {
  code: SightlineErrorCode;
  message: string;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; error: TransportedError }
  /** A failed database call or a reopen, for the main thread's log (engine-supervisor.ts). */
  | { type: 'event'; level: 'error' | 'info'; message: string }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: TransportedError };
