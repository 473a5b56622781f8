// Runs the shared Store conformance suite against DuckDB, plus what only DuckDB has: the worker,
// the appender inside a transaction, file locking, schema versions and rollup compaction.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import type { Span } from '../../model/span.js';
import { createIngestPipeline } from '../../ingest/pipeline.js';
import { createPriceTable } from '../../ingest/pricing.js';
import { DEFAULT_LIMITS } from '../../model/limits.js';
import { ANALYSES_MODULE, createAnalysisRunner, runAnalysisOn } from '../../query/insights/analyses.js';
import { createFleet, simulateToArray } from '../../sim/index.js';
import { HOUR_MS, MINUTE_MS } from '../rollup.js';
import { expectRowsEqual, expectedRollup, fleetSpans, makeSpan, runStoreConformance } from '../store.case.js';
import type { Dim } from '../store.case.js';
import type { Store } from '../store.js';
import { DuckDbEngine } from './duckdb-engine.js';
import { createDuckDbStore } from './duckdb-store.js';
import { DIMENSION_CODE } from './schema.js';

const root = mkdtempSync(join(tmpdir(), 'sightline-duckdb-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const newPath = (): string => join(root, `store-${++n}.duckdb`);
const paths = new WeakMap<Store, string>();

runStoreConformance(
  'duckdb',
  async () => {
    const path = newPath();
    const store = await createDuckDbStore({ path });
    paths.set(store, path);
    return store;
  },
  { reopen: (closed) => createDuckDbStore({ path: paths.get(closed)! }) },
);

const T0 = Date.UTC(2025, 0, 6, 10, 0, 0);

describe('DuckDB store specifics', () => {
  it('rolls back the whole batch when one span cannot be written', async () => {
    const store = await createDuckDbStore({ path: newPath() });
    const bad = makeSpan({ span_id: 'bad', agent_id: null as unknown as string });
    await expect(store.append([makeSpan(), bad])).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(await store.getTrace('alpha', 'trace-1')).toEqual([]);
    expect(await store.stats()).toMatchObject({ spans: 0 });
    const q = { project: 'alpha', from: T0, to: T0 + HOUR_MS, groupBy: [], filter: {} };
    expect(await store.rollup({ ...q, bucketMs: MINUTE_MS })).toEqual([]);
    expect(await store.rollup({ ...q, bucketMs: HOUR_MS })).toEqual([]);
    await store.append([makeSpan()]);
    expect(await store.stats()).toMatchObject({ spans: 1 });
    await store.close();
  });

  it('reports a file held by another process as STORE_LOCKED in one line', async () => {
    const path = newPath();
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { DuckDBInstance } from '@duckdb/node-api';
         const db = await DuckDBInstance.create(${JSON.stringify(path)});
         await (await db.connect()).run('CREATE TABLE held (x INTEGER)');
         console.log('held');
         setInterval(() => {}, 1000);`,
      ],
      { cwd: import.meta.dirname, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
        holder.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
      });
      const err = await createDuckDbStore({ path }).then(
        () => null,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(err?.code).toBe('STORE_LOCKED');
      expect(err?.message).toBe(`data directory ${root} is in use by another Sightline process (pid ${holder.pid})`);
    } finally {
      holder.kill();
    }
  });

  it('refuses a file whose schema is newer than the code', async () => {
    const path = newPath();
    await (await createDuckDbStore({ path })).close();
    const db = await DuckDBInstance.create(path);
    const conn = await db.connect();
    await conn.run("UPDATE meta SET value = '999' WHERE key = 'schema_version'");
    conn.closeSync();
    db.closeSync();
    await expect(createDuckDbStore({ path })).rejects.toMatchObject({ code: 'SCHEMA_TOO_NEW' });
  });

  it('compacts rollup buckets without changing any answer', async () => {
    const engine = await DuckDbEngine.open({ path: newPath(), compactEveryFlushes: 1000, flushIntervalMs: 0 });
    const spans: Span[] = fleetSpans('alpha', 600);
    // 45 spans (13.5 minutes) a batch: batches share minute, 5-minute and hour buckets.
    for (let i = 0; i < spans.length; i += 45) {
      await engine.append(spans.slice(i, i + 45));
      await engine.flushRollups(); // one set of delta rows per batch, as a busy server would write
    }
    const q = { project: 'alpha', from: T0, to: T0 + 3 * HOUR_MS, groupBy: ['agent' as const, 'model' as const], filter: {} };
    // Merging changes the order of floating-point additions, so compare sums to 9 digits.
    const answers = async (): Promise<unknown> =>
      [
        ...(await engine.rollup({ ...q, bucketMs: MINUTE_MS })),
        ...(await engine.rollup({ ...q, bucketMs: HOUR_MS })),
        ...(await engine.rollup({ ...q, groupBy: ['decision'], bucketMs: 5 * MINUTE_MS })),
      ].map((r) => ({
        ...r,
        latency_sum: r.latency_sum.toFixed(6),
        cost_usd: r.cost_usd.toFixed(9),
        confidence_sum: r.confidence_sum.toFixed(9),
      }));
    const before = await answers();
    const deltas = await engine.rollupTableRows();
    expect(deltas.minute).toBeGreaterThan(180);
    await engine.compact();
    expect(await answers()).toEqual(before);
    // One row per key remains: as many as a query grouped by every dimension returns.
    const full = { ...q, groupBy: ['agent' as const, 'model' as const, 'decision' as const, 'span_type' as const, 'provider' as const] };
    let perDimension = 0;
    for (const d of full.groupBy) perDimension += (await engine.rollup({ ...q, groupBy: [d], bucketMs: 5 * MINUTE_MS })).length;
    expect(await engine.rollupTableRows()).toEqual({
      minute: (await engine.rollup({ ...full, bucketMs: MINUTE_MS })).length,
      hour: (await engine.rollup({ ...full, bucketMs: HOUR_MS })).length,
      dim5: perDimension,
    });
    expect(deltas.dim5).toBeGreaterThan(perDimension);
    expect(deltas.hour).toBeGreaterThan((await engine.rollup({ ...full, bucketMs: HOUR_MS })).length);
    await engine.close();
  });
});

describe('DuckDB per-dimension 5-minute rollups', () => {
  const sql = async (path: string, statements: string[]): Promise<void> => {
    const db = await DuckDBInstance.create(path);
    const conn = await db.connect();
    for (const s of statements) await conn.run(s);
    conn.closeSync();
    db.closeSync();
  };

  it('are built from the minute rows when a version 6 file is opened, and answer single-dimension reads', async () => {
    const path = newPath();
    const spans = fleetSpans('alpha', 700);
    const before = await createDuckDbStore({ path });
    await before.append(spans);
    await before.close();
    // What a file written by the previous version looks like: no table, version 6.
    await sql(path, ['DROP TABLE rollup_dim_5min', "UPDATE meta SET value = '6' WHERE key = 'schema_version'"]);

    const store = await createDuckDbStore({ path });
    const q = { project: 'alpha', from: T0, to: T0 + 3 * HOUR_MS, filter: {} };
    expectRowsEqual(await store.rollup({ ...q, bucketMs: 5 * MINUTE_MS, groupBy: ['decision'] }), expectedRollup(spans, 5 * MINUTE_MS, ['decision_made']));
    expectRowsEqual(await store.rollup({ ...q, bucketMs: 20 * MINUTE_MS, groupBy: ['agent'] }), expectedRollup(spans, 20 * MINUTE_MS, ['agent_id']));
    await store.close();

    // The reads above came from rollup_dim_5min: a change made to it alone shows in them, and
    // not in a filtered read, which sums the minute rows.
    await sql(path, [`UPDATE rollup_dim_5min SET count = count + 1000 WHERE dim = ${DIMENSION_CODE.agent}`]);
    const again = await createDuckDbStore({ path });
    const byAgent = await again.rollup({ ...q, bucketMs: 5 * MINUTE_MS, groupBy: ['agent'] });
    const expected = expectedRollup(spans, 5 * MINUTE_MS, ['agent_id']);
    expect(byAgent.map((r) => [r.bucket, r.group[0], r.count]).sort()).toEqual(expected.map((r) => [r.bucket, r.group[0], r.count + 1000]).sort());
    const filtered = await again.rollup({ ...q, bucketMs: 5 * MINUTE_MS, groupBy: ['agent'], filter: { span_type: 'llm_call' } });
    expectRowsEqual(filtered, expectedRollup(spans.filter((s) => s.span_type === 'llm_call'), 5 * MINUTE_MS, ['agent_id']));
    await again.close();
  });

  it('lose a 5-minute bucket to retention only once every minute of it is gone', async () => {
    const store = await createDuckDbStore({ path: newPath() });
    const spans = fleetSpans('alpha', 600);
    await store.append(spans);
    const cut = T0 + HOUR_MS + 7 * MINUTE_MS;
    await store.deleteBefore({ spansBefore: cut, rollupsBefore: cut });
    const q = { project: 'alpha', from: T0, to: T0 + 3 * HOUR_MS, filter: {}, bucketMs: 5 * MINUTE_MS, groupBy: ['agent' as const] };
    // The bucket holding the cut keeps its rows (whole 5-minute rows cannot be split).
    expectRowsEqual(await store.rollup(q), expectedRollup(spans.filter((s) => s.timestamp >= T0 + HOUR_MS + 5 * MINUTE_MS), 5 * MINUTE_MS, ['agent_id']));
    await store.close();
  });
});

describe('DuckDB rollups after a crash', () => {
  it('rebuilds rollups from spans appended after the last flush', async () => {
    const path = newPath();
    const spans = fleetSpans('alpha', 900);
    const first = spans.slice(0, 300);
    const lost = spans.slice(300);
    // A child process appends with the flush timer off: the first batch's rollups are flushed,
    // the rest are committed spans whose rollups exist only in memory when it is SIGKILLed.
    const spansFile = `${path}.spans.json`;
    writeFileSync(spansFile, JSON.stringify([first, lost]));
    const engineUrl = new URL('./duckdb-engine.ts', import.meta.url).href;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { DuckDbEngine } = await import(${JSON.stringify(engineUrl)});
         const { readFileSync } = await import('node:fs');
         const [first, lost] = JSON.parse(readFileSync(process.env.SPANS_FILE, 'utf8'));
         const engine = await DuckDbEngine.open({ path: ${JSON.stringify(path)}, flushIntervalMs: 0 });
         await engine.append(first);
         await engine.flushRollups();
         for (let i = 0; i < lost.length; i += 100) await engine.append(lost.slice(i, i + 100));
         const rows = await engine.rollupTableRows(false);
         console.log(JSON.stringify(rows));
         process.kill(process.pid, 'SIGKILL');`,
      ],
      { cwd: import.meta.dirname, env: { ...process.env, SPANS_FILE: spansFile }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    // Before the kill, the rollup tables held only the first batch's deltas.
    const before = JSON.parse(out.trim()) as { minute: number; hour: number };
    expect(before.hour).toBeGreaterThan(0);

    const store = await createDuckDbStore({ path });
    expect(await store.stats()).toMatchObject({ spans: 900 });
    const q = { project: 'alpha', from: T0, to: T0 + 3 * HOUR_MS, filter: {} };
    const dims = ['agent', 'model', 'decision', 'span_type', 'provider'] as const;
    const cols: Dim[] = ['agent_id', 'model', 'decision_made', 'span_type', 'provider'];
    for (const bucketMs of [MINUTE_MS, HOUR_MS]) {
      expectRowsEqual(await store.rollup({ ...q, bucketMs, groupBy: [...dims] }), expectedRollup(spans, bucketMs, cols));
      expectRowsEqual(await store.rollup({ ...q, bucketMs, groupBy: [] }), expectedRollup(spans, bucketMs, []));
    }
    for (const [i, d] of dims.entries()) {
      expectRowsEqual(await store.rollup({ ...q, bucketMs: 5 * MINUTE_MS, groupBy: [d] }), expectedRollup(spans, 5 * MINUTE_MS, [cols[i]!]));
    }
    // Reopening again must not count the recovered spans twice.
    await store.close();
    const again = await createDuckDbStore({ path });
    expectRowsEqual(await again.rollup({ ...q, bucketMs: HOUR_MS, groupBy: [] }), expectedRollup(spans, HOUR_MS, []));
    await again.close();
  });
});

describe('DuckDB correlation scan on the store worker', () => {
  it("answers exactly what the analysis computes from the store's reads on the main thread", async () => {
    const t0 = Date.UTC(2025, 2, 3);
    const fleet = createFleet({
      seed: 5,
      agents: 8,
      tracesPerMinutePerAgent: 12,
      incidents: [
        { kind: 'latency_regression', model: 'gpt-4o', start: t0 + 2 * HOUR_MS, durationMs: 30 * MINUTE_MS, factor: 4 },
        { kind: 'error_spike', decision: 'refund', start: t0 + 2 * HOUR_MS, durationMs: 30 * MINUTE_MS, errorRate: 0.6 },
      ],
    });
    const pipeline = createIngestPipeline({ limits: DEFAULT_LIMITS, prices: createPriceTable() });
    const { spans } = pipeline.process(simulateToArray(fleet, { from: t0, to: t0 + 3 * HOUR_MS }), { project: 'alpha', now: t0 + 4 * HOUR_MS });
    const store = await createDuckDbStore({ path: newPath(), tasks: ANALYSES_MODULE });
    const onWorkerRunner = createAnalysisRunner(store, store.runTask);
    await store.append(spans);
    // The same analysis with the store's reads (answered on the worker, rows carried here), run here.
    const here = { rollup: store.rollup };
    const from = t0 + 2 * HOUR_MS;
    // 5-minute buckets read rollup_dim_5min, 10-minute ones rollup_minute; `to` inside a bucket.
    for (const intervalMs of [5 * MINUTE_MS, 10 * MINUTE_MS]) {
      const req = { project: 'alpha', from, to: from + 37 * MINUTE_MS, intervalMs };
      const onWorker = await onWorkerRunner('correlations', req);
      expect(onWorker).toEqual(await runAnalysisOn(here, 'correlations', req));
      const top = onWorker.findings[0]!;
      expect(new Set([`${top.a.group}:${top.a.metric}`, `${top.b.group}:${top.b.metric}`])).toEqual(new Set(['gpt-4o:latency_p95', 'refund:error_rate']));
    }
    // An error inside the worker reaches the caller with its message.
    await expect(onWorkerRunner('correlations', { project: 'alpha', from, to: from + HOUR_MS, intervalMs: 90_000 })).rejects.toThrow('intervalMs must be whole minutes');
    // A task the worker's module does not name is refused with its name.
    await expect(store.runTask('nonexistent', {})).rejects.toThrow('the store worker has no task "nonexistent"');
    await store.close();
  });
});
