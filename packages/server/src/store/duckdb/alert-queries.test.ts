import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAlertStoreConformance } from '../alert-store.case.js';
import { createDuckDbStore } from './duckdb-store.js';

runAlertStoreConformance('duckdb', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'sightline-alert-store-')), 'x.duckdb');
  return { store: await createDuckDbStore({ path }), reopen: () => createDuckDbStore({ path }) };
});
