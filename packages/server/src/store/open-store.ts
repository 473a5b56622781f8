// Opens the backend a tagged StoreConfig names. The one place that chooses a backend.

import { createClickHouseStore } from './clickhouse/clickhouse-store.js';
import { createDuckDbStore } from './duckdb/duckdb-store.js';
import type { Store, StoreConfig } from './store.js';

export interface OpenStoreOptions {
  /** Store errors and recoveries the backend reports by itself (DuckDB: every failed call, reopens). */
  onEvent?: (event: { level: 'error' | 'info'; message: string }) => void;
}

export async function openStore(config: StoreConfig, opts: OpenStoreOptions = {}): Promise<Store> {
  switch (config.kind) {
    case 'duckdb':
      return createDuckDbStore({
        path: config.path,
        ...(opts.onEvent && { onEvent: opts.onEvent }),
        ...(config.memoryLimitMb === undefined ? {} : { memoryLimitMb: config.memoryLimitMb }),
        ...(config.threads === undefined ? {} : { threads: config.threads }),
        ...(config.readTimeoutMs === undefined ? {} : { readTimeoutMs: config.readTimeoutMs }),
      });
    case 'clickhouse':
      return createClickHouseStore({
        url: config.url,
        database: config.database,
        ...(config.cluster === undefined ? {} : { cluster: config.cluster }),
        ...(config.shards === undefined ? {} : { shards: config.shards }),
        ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
        ...(config.readTimeoutMs === undefined ? {} : { readTimeoutMs: config.readTimeoutMs }),
      });
  }
}
