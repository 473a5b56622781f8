// Messages between the DuckDB store proxy (main thread) and the worker that owns the database.

import type { SightlineErrorCode } from '../../model/errors.js';
import type { Store } from '../store.js';

/**
 * Store methods the worker serves; `close` also ends the worker. Leases are answered by the proxy.
 * Appends arrive as `appendColumns` (spans encoded by span-columns.ts).
 */
export type StoreMethod = Exclude<keyof Store, 'kind' | 'tryAcquireLease' | 'followOtherNodes'> | 'appendColumns';

export interface WorkerInit {
  path: string;
  memoryLimitMb?: number;
  threads?: number;
  readTimeoutMs?: number;
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
