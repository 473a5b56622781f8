// The engine's limit: DuckDB's Appender writing our span schema on one thread, with automatic
// flushing and no transactions of ours — what end-to-end ingest is compared against.

import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DEFAULT_LIMITS } from '../src/model/limits.js';
import type { Span } from '../src/model/span.js';
import { createIngestPipeline } from '../src/ingest/pipeline.js';
import { createPriceTable } from '../src/ingest/pricing.js';
import { createFleet } from '../src/sim/fleet.js';
import { simulate } from '../src/sim/simulate.js';
import { appendSpanColumns, encodeSpanColumns, type SpanColumns } from '../src/store/duckdb/span-columns.js';
import { migrate } from '../src/store/duckdb/schema.js';
import { tempDir } from './support.js';

/** Sim spans shaped by the real pipeline, generated before timing starts. */
export function simSpans(n: number, seed = 7): Span[] {
  const now = Date.now();
  const pipeline = createIngestPipeline({ limits: DEFAULT_LIMITS, prices: createPriceTable() });
  const fleet = createFleet({ seed, agents: 20, tracesPerMinutePerAgent: 40 });
  const raw: unknown[] = [];
  for (const trace of simulate(fleet, { from: now - 86_400_000, to: now })) {
    raw.push(...trace);
    if (raw.length >= n) break;
  }
  return pipeline.process(raw.slice(0, n), { project: 'default', now }).spans;
}

/**
 * Rows per second appended by a bare Appender into a fresh file. By default all `n` rows go in one
 * transaction: DuckDB writes row groups that large straight to the file, compressed, so nothing is
 * written twice. With `commitEvery`, each that many rows is its own durable commit (what a group
 * commit of concurrent requests does): those rows go to the WAL first and are compressed into the
 * file by a later checkpoint, which the timing includes.
 */
export async function rawAppenderRate(n = 300_000, commitEvery?: number): Promise<number> {
  const spans = simSpans(n);
  const path = join(tempDir('sightline-raw-'), 'raw.duckdb');
  const db = await DuckDBInstance.create(path);
  const conn = await db.connect();
  await migrate(conn, path);
  // Encoded as the store proxy encodes them (span-columns.ts), before timing starts.
  const size = commitEvery ?? n;
  const batches: SpanColumns[] = [];
  for (let i = 0; i < n; i += size) batches.push(encodeSpanColumns(spans.slice(i, i + size)).columns);
  const t = performance.now();
  if (commitEvery === undefined) {
    const appender = await conn.createAppender('spans');
    appendSpanColumns(appender, batches[0]!, 1n);
    appender.closeSync();
  } else {
    for (const columns of batches) {
      await conn.run('BEGIN');
      const appender = await conn.createAppender('spans');
      appendSpanColumns(appender, columns, 1n);
      appender.closeSync();
      await conn.run('COMMIT');
    }
    await conn.run('CHECKPOINT');
  }
  const seconds = (performance.now() - t) / 1000;
  conn.closeSync();
  db.closeSync();
  return spans.length / seconds;
}

/**
 * The traces a minute per agent that make about `n` spans over the 7 days before `end` (a little
 * under, 3 %): counted from the same fleet at a low rate, since spans per trace and the daily
 * pattern are the simulator's. A guess of 6 spans a trace overshot, so the fill reached `n` hours
 * before `end` and the last hours (what a 1h range shows) were empty.
 */
function fleetRateFor(n: number, end: number, seed: number): number {
  const probe = 0.02;
  const fleet = createFleet({ seed, agents: 20, tracesPerMinutePerAgent: probe });
  let events = 0;
  for (const trace of simulate(fleet, { from: end - 7 * 86_400_000, to: end })) events += trace.length;
  return (probe * n * 0.97) / Math.max(1, events);
}

/**
 * Fills a data dir fast for dashboard benchmarks: `n` spans of 7 simulated days of a 20-agent
 * fleet ending at `end`, shaped by the real pipeline, written by one Appender in one transaction
 * (no rollups yet). Opening the store afterwards derives the rollups and trace index in one flush,
 * as after a crash. Streams in batches, so 10M spans never sit in memory at once.
 */
export async function appendFleetDays(dataDir: string, n: number, end: number, seed = 1): Promise<{ spans: number; seconds: number }> {
  const path = join(dataDir, 'sightline.duckdb');
  const pipeline = createIngestPipeline({ limits: DEFAULT_LIMITS, prices: createPriceTable() });
  const perMinute = fleetRateFor(n, end, seed);
  const fleet = createFleet({ seed, agents: 20, tracesPerMinutePerAgent: perMinute, traceIdPrefix: seed.toString(16).padStart(4, '0') });
  const started = performance.now();
  const db = await DuckDBInstance.create(path);
  const conn = await db.connect();
  await migrate(conn, path);
  const appender = await conn.createAppender('spans');
  let written = 0;
  let raw: unknown[] = [];
  let seq = 1n;
  const flush = () => {
    const spans = pipeline.process(raw.slice(0, n - written), { project: 'default', now: end }).spans;
    raw = [];
    appendSpanColumns(appender, encodeSpanColumns(spans).columns, seq++);
    written += spans.length;
  };
  for (const trace of simulate(fleet, { from: end - 7 * 86_400_000, to: end })) {
    raw.push(...trace);
    if (raw.length >= 50_000) flush();
    if (written >= n) break;
  }
  if (raw.length > 0 && written < n) flush();
  appender.closeSync();
  conn.closeSync();
  db.closeSync();
  return { spans: written, seconds: (performance.now() - started) / 1000 };
}
