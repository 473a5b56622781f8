// Scores on DuckDB: the shared conformance suite (../score.case.ts) on files on disk.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { runScoreConformance } from '../score.case.js';
import { createDuckDbStore } from './duckdb-store.js';

const dir = mkdtempSync(join(tmpdir(), 'sightline-duckdb-scores-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runScoreConformance('duckdb', () => createDuckDbStore({ path: join(dir, `scores-${++n}.duckdb`) }));
