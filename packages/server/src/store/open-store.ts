// Opens the backend a tagged StoreConfig names. The one place that chooses a backend.

import { SightlineError } from '../model/errors.js';
import { createDuckDbStore } from './duckdb/duckdb-store.js';
import type { Store, StoreConfig } from './store.js';

export async function openStore(config: StoreConfig): Promise<Store> {
  switch (config.kind) {
    case 'duckdb':
      return createDuckDbStore({ path: config.path });
    case 'clickhouse':
      throw new SightlineError('CONFIG_INVALID', 'store: the ClickHouse backend is not available in this build yet; omit --store to use the embedded DuckDB store');
  }
}
