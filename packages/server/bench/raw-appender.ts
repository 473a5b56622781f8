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
