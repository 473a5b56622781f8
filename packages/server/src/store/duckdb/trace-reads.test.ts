// Trace viewer and session reads on DuckDB: the shared conformance suite (../trace-reads.case.ts).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { runTraceReadConformance } from '../trace-reads.case.js';
import { createDuckDbStore } from './duckdb-store.js';

const root = mkdtempSync(join(tmpdir(), 'sightline-trace-reads-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

runTraceReadConformance('duckdb', () => createDuckDbStore({ path: join(root, 'trace-reads.duckdb') }));
