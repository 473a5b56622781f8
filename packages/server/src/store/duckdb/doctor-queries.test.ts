// The doctor's store read on DuckDB: the shared conformance suite (../doctor.case.ts).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { runDoctorConformance } from '../doctor.case.js';
import { createDuckDbStore } from './duckdb-store.js';

const root = mkdtempSync(join(tmpdir(), 'sightline-doctor-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

runDoctorConformance('duckdb', () => createDuckDbStore({ path: join(root, 'doctor.duckdb') }));
