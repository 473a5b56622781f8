// The insight primitives on DuckDB: the shared conformance suite (../insight.case.ts), one fresh
// database file per store.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { runInsightConformance } from '../insight.case.js';
import { createDuckDbStore } from './duckdb-store.js';

const root = mkdtempSync(join(tmpdir(), 'sightline-insights-'));
let files = 0;

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

runInsightConformance('duckdb', () => createDuckDbStore({ path: join(root, `insights-${++files}.duckdb`) }));
