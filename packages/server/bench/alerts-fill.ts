// The simulated week of `npm run bench:alerts`, filled once and shared by its runs. Filling it
// through the store's append and rollup flush, once per run, was ~180 CPU s of each run's
// ~235. Here the stationary fleet's traffic of every minute that no run's incident can touch is
// generated once, by two processes (a half of the week each), written with DuckDB's Appender as
// raw-appender.ts does for bench:web, merged into one file, and opened once with the store, whose
// recovery flush derives the rollups and trace index of all of it in one pass. Each run copies
// that file and appends the minutes its incidents can touch (for the stationary run the same
// minutes without incidents) through the store's own append, then ticks the engine.
//
// Why the week is the same as one simulated whole: simulate.ts seeds every (agent, minute) and
// every trace on its own, and applies an incident only to minutes it overlaps (within the
// longest trace), so a minute no incident overlaps is the same traffic for every run's fleet.
// checkSameTraffic() verifies that on a sample minute each run.

import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createIngestPipeline } from '../src/ingest/pipeline.js';
import { createPriceTable } from '../src/ingest/pricing.js';
import { DEFAULT_LIMITS } from '../src/model/limits.js';
import type { Span } from '../src/model/span.js';
import { createFleet, simulate, type Fleet, type Incident } from '../src/sim/index.js';
import { DuckDbEngine } from '../src/store/duckdb/duckdb-engine.js';
import { appendSpanColumns, encodeSpanColumns } from '../src/store/duckdb/span-columns.js';
import { migrate } from '../src/store/duckdb/schema.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/**
 * Minutes this far before an incident are regenerated with it: simulate.ts applies an incident
 * to the traces of minutes it overlaps within their longest duration (TRACE_HORIZON_MS, 10 min);
 * a wider margin only moves more minutes from the shared file to each run's own appends.
 */
const MARGIN = 15 * MINUTE;
export const PROJECT = 'default';

/** A half-open time range [from, to). */
export type Window = [number, number];

export interface FillConfig {
  seed: number;
  agents: number;
  rate: number;
  /** Traffic from `start` to `end` (trace starts). */
  start: number;
  end: number;
}

export function fleetOf(c: FillConfig, incidents: Incident[]): Fleet {
  return createFleet({ seed: c.seed, agents: c.agents, tracesPerMinutePerAgent: c.rate, incidents });
}

/** Whole minutes that any of these incidents can touch, merged into windows, in order. */
export function touchedWindows(incidents: readonly Incident[]): Window[] {
  const raw = incidents
    .map((i): Window => [Math.floor((i.start! - MARGIN) / MINUTE) * MINUTE, Math.ceil((i.start! + i.durationMs! + MINUTE) / MINUTE) * MINUTE])
    .sort((a, b) => a[0] - b[0]);
  const out: Window[] = [];
  for (const w of raw) {
    const last = out[out.length - 1];
    if (last && w[0] <= last[1]) last[1] = Math.max(last[1], w[1]);
    else out.push([...w]);
  }
  return out;
}

/** The parts of [from, to) outside `windows` (sorted, disjoint). */
export function complement(windows: readonly Window[], from: number, to: number): Window[] {
  const out: Window[] = [];
  let at = from;
  for (const [a, b] of windows) {
    if (b <= at || a >= to) continue;
    if (a > at) out.push([at, a]);
    at = Math.max(at, b);
  }
  if (at < to) out.push([at, to]);
  return out;
}

/** The parts of `windows` inside [from, to). */
export function clip(windows: readonly Window[], from: number, to: number): Window[] {
  return windows.flatMap(([a, b]): Window[] => (Math.max(a, from) < Math.min(b, to) ? [[Math.max(a, from), Math.min(b, to)]] : []));
}

/**
 * The fleet's traces starting in `windows`, shaped by the real ingest pipeline, an hour of
 * traffic at a time (each processed as if it arrived an hour after it ended).
 */
export function* spansOf(fleet: Fleet, windows: readonly Window[]): Generator<Span[]> {
  const pipeline = createIngestPipeline({ limits: DEFAULT_LIMITS, prices: createPriceTable() });
  for (const [a, b] of windows) {
    for (let from = a; from < b; from += HOUR) {
      const to = Math.min(b, from + HOUR);
      const batch: unknown[] = [];
      for (const trace of simulate(fleet, { from, to })) for (const e of trace) batch.push(e);
      yield pipeline.process(batch, { project: PROJECT, now: to + HOUR }).spans;
    }
  }
}

/**
 * Writes one part of the shared week: the stationary fleet's traffic in `windows`, with append
 * batch numbers from `seq`, into a new file with the store's schema (no rollups yet).
 */
export async function writePart(path: string, c: FillConfig, windows: readonly Window[], seq: bigint): Promise<number> {
  const db = await DuckDBInstance.create(path, { threads: '1' });
  const conn = await db.connect();
  await migrate(conn, path);
  const appender = await conn.createAppender('spans');
  let n = 0;
  for (const spans of spansOf(fleetOf(c, []), windows)) {
    appendSpanColumns(appender, encodeSpanColumns(spans).columns, seq++);
    n += spans.length;
  }
  appender.closeSync();
  conn.closeSync();
  db.closeSync();
  return n;
}

/**
 * Merges the parts into the first, then opens it with the store: its recovery flush derives the
 * rollups and trace index of every span, and close() compacts and checkpoints them.
 */
export async function mergeAndDerive(parts: readonly string[]): Promise<void> {
  const base = parts[0]!;
  const db = await DuckDBInstance.create(base);
  const conn = await db.connect();
  for (const [k, part] of parts.slice(1).entries()) {
    await conn.run(`ATTACH '${part.replace(/'/g, "''")}' AS part${k} (READ_ONLY)`);
    await conn.run(`INSERT INTO spans SELECT * FROM part${k}.spans`);
    await conn.run(`DETACH part${k}`);
  }
  await conn.run('CHECKPOINT');
  conn.closeSync();
  db.closeSync();
  const engine = await DuckDbEngine.open({ path: base, threads: 2 });
  await engine.close();
}

/** A run's own copy of the shared week. */
export function copyBase(base: string, dir: string): string {
  const path = join(dir, 'bench.duckdb');
  copyFileSync(base, path);
  return path;
}

/**
 * Throws unless the run's fleet and the stationary fleet simulate the same events in the first
 * shared hour after `after` (the premise of sharing the week).
 */
export function checkSameTraffic(c: FillConfig, fleet: Fleet, shared: readonly Window[], after: number): void {
  const w = shared.find(([a, b]) => b - a >= HOUR && a >= after) ?? shared.find(([a, b]) => b - a >= HOUR);
  if (!w) return;
  const window = { from: w[0], to: w[0] + HOUR };
  const text = (f: Fleet) => JSON.stringify([...simulate(f, window)]);
  if (text(fleet) !== text(fleetOf(c, []))) throw new Error(`the run's fleet differs from the stationary one at ${new Date(w[0]).toISOString()}: the shared week cannot be used`);
}
