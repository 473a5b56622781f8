// Opens the backend a tagged StoreConfig names. The one place that chooses a backend.

import { createClickHouseStore } from './clickhouse/clickhouse-store.js';
import { createDuckDbStore } from './duckdb/duckdb-store.js';
import { withRollupCache } from './rollup-cache.js';
import type { Store, StoreConfig } from './store.js';
import type { RunStoreTask } from './store-tasks.js';

export interface OpenStoreOptions {
  /** Store errors and recoveries the backend reports by itself (DuckDB: every failed call, reopens). */
  onEvent?: (event: { level: 'error' | 'info'; message: string }) => void;
  /**
   * URL of a module exporting STORE_TASKS (store-tasks.ts) for a backend that runs them next to its
   * data (DuckDB, on its worker); others ignore it.
   */
  tasks?: string;
}

export interface OpenedStore {
  store: Store;
  /** Runs a task of `tasks` where the data is; null when the backend does not (run it from the store's reads). */
  runTask: RunStoreTask | null;
}

export async function openStore(config: StoreConfig, opts: OpenStoreOptions = {}): Promise<OpenedStore> {
  switch (config.kind) {
    case 'duckdb': {
      const store = await createDuckDbStore({
        path: config.path,
        ...(opts.onEvent && { onEvent: opts.onEvent }),
        ...(config.memoryLimitMb === undefined ? {} : { memoryLimitMb: config.memoryLimitMb }),
        ...(config.threads === undefined ? {} : { threads: config.threads }),
        ...(config.readTimeoutMs === undefined ? {} : { readTimeoutMs: config.readTimeoutMs }),
        ...(opts.tasks === undefined ? {} : { tasks: opts.tasks }),
      });
      // One process owns the file, so every write passes the cache's wrapper (rollup-cache.ts).
      // The tasks run on the worker from the store's own reads, uncached.
      return { store: withRollupCache(store).store, runTask: opts.tasks === undefined ? null : store.runTask };
    }
    case 'clickhouse': {
      const store = await createClickHouseStore({
        url: config.url,
        database: config.database,
        ...(config.cluster === undefined ? {} : { cluster: config.cluster }),
        ...(config.shards === undefined ? {} : { shards: config.shards }),
        ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
        ...(config.readTimeoutMs === undefined ? {} : { readTimeoutMs: config.readTimeoutMs }),
      });
      return { store, runTask: null };
    }
  }
}
