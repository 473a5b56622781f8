import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { runExportConformance } from '../export.case.js';
import { createDuckDbStore } from './duckdb-store.js';

const dir = mkdtempSync(join(tmpdir(), 'sightline-duckdb-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runExportConformance('duckdb', () => createDuckDbStore({ path: join(dir, `export-${++n}.duckdb`) }), { parquet: true });
