// The benchmarks' cached fill (bench/fleet-fill.ts) must be data the server reads exactly as if
// the same spans were appended: a fill moved by whole hours and topped up gives the same rollups,
// decision paths and cohorts as the same spans with every derived row rebuilt by the store.

import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { derive, fleetDataDir, sql, UNDERIVE } from '../bench/fleet-fill.js';
import { tempDir } from '../bench/support.js';
import { createDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { DIMENSIONS } from '../src/model/span.js';

const HOUR = 3_600_000;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Numbers to 9 significant digits: sums of doubles may differ in their last bits by order. */
function rounded(v: unknown): unknown {
  if (typeof v === 'number') return Number(v.toPrecision(9));
  if (Array.isArray(v)) return v.map(rounded);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rounded(x)]));
  return v;
}

async function reads(dataDir: string, from: number, to: number) {
  const store = await createDuckDbStore({ path: join(dataDir, 'sightline.duckdb') });
  try {
    const sort = <T>(xs: T[]) => xs.map((x) => JSON.stringify(rounded(x))).sort();
    return {
      stats: (await store.stats()).spans,
      minutes: sort(await store.rollup({ project: 'default', from, to, bucketMs: 60_000, groupBy: [...DIMENSIONS], filter: {}, histogram: true })),
      fiveMinutes: sort(await store.rollup({ project: 'default', from, to, bucketMs: 300_000, groupBy: ['model'], filter: {}, histogram: true })),
      paths: sort(await store.insightPaths({ project: 'default', from, to })),
      cohorts: sort(await store.insightCohorts({ project: 'default', from, to })),
    };
  } finally {
    await store.close();
  }
}

// ~5 minutes on the loaded 2-core machine (three stores derive 7 days of hours), too long for the
// default run: `SIGHTLINE_BENCH_CHECKS=1 npx vitest run packages/server/test/bench-fill.test.ts`.
describe.runIf(process.env.SIGHTLINE_BENCH_CHECKS === '1')('bench fleet fill', () => {
  it('moves a cached fill by whole hours and tops it up to the same figures the store derives from scratch', async () => {
    const cacheDir = tempDir('sightline-fill-cache-');
    dirs.push(cacheDir);
    const end = Math.floor(Date.now() / 60_000) * 60_000 - 5 * HOUR;
    const first = await fleetDataDir(30_000, end, { cacheDir, baseSpans: 15_000 });
    dirs.push(first.dataDir);
    expect(first.note).toMatch(/^filled fresh: [\d,]+ simulated/);
    // 2 h and 17 min later: moved by 2 h, the last 17 min appended.
    const later = end + 2 * HOUR + 17 * 60_000;
    const moved = await fleetDataDir(30_000, later, { cacheDir, baseSpans: 15_000 });
    dirs.push(moved.dataDir);
    expect(moved.note).toMatch(/moved 2 h later and 17 min topped up/);
    // The same spans, every derived row dropped and rebuilt by the store.
    const rebuilt = tempDir('sightline-fill-rebuilt-');
    dirs.push(rebuilt);
    mkdirSync(rebuilt, { recursive: true });
    cpSync(join(moved.dataDir, 'sightline.duckdb'), join(rebuilt, 'sightline.duckdb'));
    await sql(join(rebuilt, 'sightline.duckdb'), ['BEGIN', ...UNDERIVE, 'COMMIT']);
    await derive(join(rebuilt, 'sightline.duckdb'), later);
    const from = later - 8 * 86_400_000;
    const a = await reads(moved.dataDir, from, later);
    const b = await reads(rebuilt, from, later);
    expect(a.stats).toBeGreaterThan(first.spans);
    expect(a.minutes.length).toBeGreaterThan(1000);
    expect(a.paths.length).toBeGreaterThan(10);
    expect(a.cohorts.length).toBeGreaterThan(10);
    expect(a).toEqual(b);
  }, 600_000);
});
