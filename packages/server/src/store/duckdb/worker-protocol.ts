// Messages between the DuckDB store proxy (main thread) and the worker that owns the database.

import type { SightlineErrorCode } from '../../model/errors.js';
import type { Store } from '../store.js';

/**
 * Store methods the worker serves; `close` also ends the worker. Leases are answered by the proxy.
 * Appends arrive as `appendColumns` (spans encoded by span-columns.ts); `runTask` runs a task of
 * the module named by WorkerInit.tasks.
 */
export type StoreMethod = Exclude<keyof Store, 'kind' | 'tryAcquireLease' | 'followOtherNodes'> | 'appendColumns' | 'runTask';

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
