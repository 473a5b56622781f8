// Letting go of an engine (as the supervisor does after a fatal error) with work still running on
// its connections: DuckDB's node binding never settles a query whose connection is closed under
// it and keeps one of libuv's four threads blocked (or crashes), which hung the request waiting
// on it for good. abandon() must answer every call in flight first, then release the file.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Span } from '../../model/span.js';
import { makeSpan } from '../store-fixtures.case.js';
import { DuckDbEngine } from './duckdb-engine.js';

const dir = mkdtempSync(join(tmpdir(), 'sightline-abandon-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2025, 0, 6, 10, 0, 0);
const BATCHES = 4;
const BATCH = 20_000;

const spans = (batch: number): Span[] =>
  Array.from({ length: BATCH }, (_, i) =>
    makeSpan({ trace_id: `t${batch}-${i % 500}`, span_id: `s${batch}-${i}`, timestamp: T0 + i, attributes: { pad: `${batch}-${i}-${'x'.repeat(200)}` } }),
  );

const outcome = (p: Promise<unknown>): Promise<string> => p.then(() => 'answered', (err: Error) => err.message);
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('DuckDbEngine.abandon', () => {
  it('answers the calls running and queued on its connections, then releases the file', { timeout: 60_000 }, async () => {
    const path = join(dir, 'abandon.duckdb');
    const engine = await DuckDbEngine.open({ path, flushIntervalMs: 0 });
    for (let b = 0; b < BATCHES; b++) await engine.append(spans(b));
    const q = { project: 'alpha', from: T0 - 1, to: T0 + BATCH };

    // A scan writing every span to Parquet (a second or more), a second one on the other scan
    // connection, a third queued behind the first, a rollup flush on the derived-data connection
    // and an append on the writer.
    const running = [
      outcome(engine.exportParquet(q, join(dir, 'a.parquet'))),
      outcome(engine.exportParquet(q, join(dir, 'b.parquet'))),
      outcome(engine.exportParquet(q, join(dir, 'c.parquet'))),
      outcome(engine.flushRollups()),
      outcome(engine.append(spans(BATCHES))),
    ];
    // Until the first export's COPY runs (it has created its output file).
    while (!readdirSync(dir).some((f) => f.includes('a.parquet'))) await nextTurn();
    await engine.abandon();
    const answers = await Promise.all(running);
    // The first export was running: interrupted, not left waiting. The one queued behind it on the
    // same connection found the engine closed. The others were answered, whichever way.
    expect(answers[0]).toMatch(/^DuckDB store: INTERRUPT Error: Interrupted!$/);
    expect(answers[2]).toBe('DuckDB store is closed');
    expect(answers[1]).toMatch(/^DuckDB store: INTERRUPT Error: Interrupted!$|^answered$/);
    expect(answers[3]).toMatch(/^DuckDB store: INTERRUPT Error: Interrupted!$|^answered$/);
    // The writer is not interrupted (this database still works, so the append commits).
    expect(answers[4]).toBe('answered');
    await expect(engine.searchTraces({ project: 'alpha', from: T0, to: T0 + BATCH, limit: 1 })).rejects.toThrow('DuckDB store is closed');

    // The file is free again: a new engine opens it and holds what was committed before.
    const reopened = await DuckDbEngine.open({ path, flushIntervalMs: 0 });
    expect((await reopened.stats()).spans).toBe((BATCHES + 1) * BATCH);
    await reopened.close();
  });
});
