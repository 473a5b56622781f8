// A data dir of `n` spans of simulated fleet traffic for dashboard benchmarks, cached by size so
// re-measuring costs a copy, not a fill. Filling 10M spans through the simulator and the ingest
// pipeline took ~1 h on the shared machine (the JS pipeline, not DuckDB, is the cost), so only a
// base of at most 1M spans goes that way (raw-appender.ts: real pipeline, real appender); the rest
// are copies of those rows made by DuckDB SQL, each copy a new set of traces (trace and session ids
// renamed, timestamps moved back a few seconds, its own append seq). Every derived table (rollups,
// trace index, insight hours) is then built by the store's own code, as after a crash, so the
// server reads the copies exactly as it would read the same spans ingested.
//
// A cached fill keeps the time it ended at; a later run copies it, moves every span and derived row
// by whole hours (which moves every bucket with them, exactly), and appends the last part of an
// hour as new spans (a day-old stretch of traces, renamed), whose rows the store derives as for
// any append. Re-measuring 10M spans then costs a file copy and a few minutes of spans.

import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { appendFleetDays } from './raw-appender.js';
import { tempDir } from './support.js';

/** At most this many spans are made by the simulator and pipeline; the rest are whole copies of them. */
export const BASE_SPANS = 1_000_000;

const CACHE = join(tmpdir(), 'sightline-bench-cache');

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

interface FillMeta {
  spans: number;
  baseSpans: number;
  end: number;
  baseSeconds: number;
  copySeconds: number;
  deriveSeconds: number;
}

export interface Fill {
  dataDir: string;
  spans: number;
  /** What it cost, in words: fresh fill or cached, and the time of each step. */
  note: string;
}

export async function sql(path: string, statements: string[]): Promise<void> {
  const db = await DuckDBInstance.create(path);
  const conn = await db.connect();
  try {
    for (const s of statements) await conn.run(s);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Whole copies of the base rows, about `n` spans in all: copy k renames trace ids' first 4 hex digits to k+1's. */
function copyStatements(base: number, n: number): string[] {
  const out: string[] = [];
  for (let k = 1; k < Math.round(n / base); k++) {
    const prefix = (k + 1).toString(16).padStart(4, '0');
    const cols = `project, timestamp - ${k * 7_000}, agent_id, '${prefix}' || substr(trace_id, 5), span_id, parent_span_id, span_type, name, model,
      provider, tokens_input, tokens_output, tokens_cache_read, tokens_cache_write, tokens_reasoning, latency_ms, cost_usd, cost_source,
      decision_made, confidence, error_type, error_message, CASE WHEN session_id IS NULL THEN NULL ELSE session_id || '-${prefix}' END,
      user_id, attributes, input, output, ingested_at - ${k * 7_000}`;
    out.push(`INSERT INTO spans SELECT ${cols}, (SELECT max(seq) FROM spans) + 1 FROM spans WHERE trace_id LIKE '0001%'`);
  }
  return out;
}

/**
 * Moves every span and every derived row `ms` (whole hours) later. Minute, 5-minute and hour
 * buckets, and the hour a trace is filed under, all move with it, so the derived rows stay exactly
 * what the store would derive from the moved spans.
 */
function shiftStatements(ms: number): string[] {
  if (ms === 0) return [];
  if (ms % HOUR_MS !== 0) throw new RangeError('shift by whole hours only');
  return [
    `UPDATE spans SET timestamp = timestamp + ${ms}, ingested_at = ingested_at + ${ms}`,
    ...['rollup_minute', 'rollup_hour', 'rollup_dim_5min'].map((t) => `UPDATE ${t} SET bucket = bucket + ${ms}`),
    `UPDATE trace_index SET first_ts = first_ts + ${ms}, last_ts = last_ts + ${ms}`,
    `UPDATE path_hour SET hour = hour + ${ms}`,
    `UPDATE cohort_hour SET hour = hour + ${ms}`,
    // insight_hours is keyed by hour: rewritten rather than updated in place.
    `CREATE TEMP TABLE moved_hours AS SELECT hour + ${ms} AS hour, materialized_at + ${ms} AS materialized_at FROM insight_hours`,
    'DELETE FROM insight_hours',
    'INSERT INTO insight_hours SELECT * FROM moved_hours',
    `UPDATE meta SET value = (SELECT coalesce(to_json(list(h + ${ms}))::VARCHAR, '[]') FROM (SELECT unnest(value::BIGINT[]) AS h)) WHERE key = 'insight_open_hours'`,
  ];
}

/**
 * Spans for the last `gap` ms before `to`, appended as new data (the next seq): the traces that
 * started in that window a day earlier, moved a day later, ids renamed (first hex digit f), spans
 * past `to` left out as not yet arrived. The store derives their rows as it does for any append.
 */
function topUpStatements(to: number, gap: number): string[] {
  if (gap <= 0) return [];
  const from = to - gap - DAY_MS;
  return [
    `INSERT INTO spans SELECT project, timestamp + ${DAY_MS}, agent_id, 'f' || substr(trace_id, 2), span_id, parent_span_id, span_type, name, model,
      provider, tokens_input, tokens_output, tokens_cache_read, tokens_cache_write, tokens_reasoning, latency_ms, cost_usd, cost_source,
      decision_made, confidence, error_type, error_message, CASE WHEN session_id IS NULL THEN NULL ELSE session_id || '-f' END,
      user_id, attributes, input, output, ingested_at + ${DAY_MS}, (SELECT max(seq) FROM spans) + 1
    FROM spans WHERE timestamp + ${DAY_MS} < ${to} AND (project, trace_id) IN (
      SELECT project, trace_id FROM spans WHERE timestamp >= ${from - HOUR_MS} AND timestamp < ${from + gap + HOUR_MS}
      GROUP BY ALL HAVING min(timestamp) >= ${from} AND min(timestamp) < ${from + gap})`,
  ];
}

/** Drops every derived row and watermark: the next open derives everything from the spans. */
export const UNDERIVE = [
  ...['rollup_minute', 'rollup_hour', 'rollup_dim_5min', 'trace_index', 'path_hour', 'cohort_hour', 'insight_hours'].map((t) => `DELETE FROM ${t}`),
  "UPDATE meta SET value = '0' WHERE key IN ('rollup_seq', 'insight_seq')",
  "UPDATE meta SET value = '[]' WHERE key = 'insight_open_hours'",
];

/** Opens the store once: it derives rollups and the trace index, then materializes insight hours. */
export async function derive(path: string, now: number): Promise<number> {
  const t = performance.now();
  const store = await createDuckDbStore({ path });
  await store.materializeInsights({ now });
  await store.close();
  return (performance.now() - t) / 1000;
}

async function fillFresh(dir: string, n: number, end: number, baseSpans: number): Promise<FillMeta> {
  const path = join(dir, 'sightline.duckdb');
  const base = await appendFleetDays(dir, Math.min(n, baseSpans), end);
  const t = performance.now();
  await sql(path, copyStatements(base.spans, n));
  const copySeconds = (performance.now() - t) / 1000;
  const deriveSeconds = await derive(path, end);
  const copies = Math.max(1, Math.round(n / base.spans));
  return { spans: base.spans * copies, baseSpans: base.spans, end, baseSeconds: base.seconds, copySeconds, deriveSeconds };
}

/**
 * A fresh data dir holding `n` spans of 7 days of fleet traffic ending at `end` (a whole minute),
 * from the cache when it has that size. The caller owns (and removes) the returned dir.
 */
export async function fleetDataDir(n: number, end: number, opts: { cacheDir?: string; baseSpans?: number } = {}): Promise<Fill> {
  const cache = opts.cacheDir ?? CACHE;
  const cached = join(cache, `fleet-${n}`);
  const metaFile = join(cached, 'fill.json');
  let fresh = '';
  if (!existsSync(metaFile)) {
    mkdirSync(cache, { recursive: true });
    const building = `${cached}.partial`;
    rmSync(building, { recursive: true, force: true });
    mkdirSync(building);
    const m = await fillFresh(building, n, end, opts.baseSpans ?? BASE_SPANS);
    writeFileSync(join(building, 'fill.json'), JSON.stringify(m));
    rmSync(cached, { recursive: true, force: true });
    renameSync(building, cached);
    fresh = `filled fresh: ${m.baseSpans.toLocaleString('en-US')} simulated in ${m.baseSeconds.toFixed(0)} s, copied to ${m.spans.toLocaleString('en-US')} in ${m.copySeconds.toFixed(0)} s, derived in ${m.deriveSeconds.toFixed(0)} s; `;
  }
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as FillMeta;
  const dataDir = tempDir('sightline-webbench-');
  const t = performance.now();
  cpSync(join(cached, 'sightline.duckdb'), join(dataDir, 'sightline.duckdb'));
  const copied = (performance.now() - t) / 1000;
  const hours = Math.floor((end - meta.end) / HOUR_MS);
  const gap = end - (meta.end + hours * HOUR_MS);
  let moved = '';
  if (hours > 0 || gap > 0) {
    const t2 = performance.now();
    const path = join(dataDir, 'sightline.duckdb');
    await sql(path, ['BEGIN', ...shiftStatements(hours * HOUR_MS), ...topUpStatements(meta.end + hours * HOUR_MS, gap), 'COMMIT']);
    const seconds = (performance.now() - t2) / 1000 + (await derive(path, end));
    moved = `, moved ${hours} h later and ${Math.round(gap / 60_000)} min topped up in ${seconds.toFixed(0)} s`;
  }
  return { dataDir, spans: meta.spans, note: `${fresh}${meta.spans.toLocaleString('en-US')} spans from the cache (copied in ${copied.toFixed(0)} s${moved})` };
}
