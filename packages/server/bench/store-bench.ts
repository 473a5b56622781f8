// Store benchmark: raw DuckDB appender vs Store.append (spans + deferred rollups, through the
// worker) at several batch sizes, rollup and trace query latencies, rollup table sizes and bytes
// per span. Prints a markdown table.
// Run: npx tsx packages/server/bench/store-bench.ts [--spans N] [--batches 1000,10000]

import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Span } from '../src/model/span.js';
import { createDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import type { Store } from '../src/store/store.js';
import { appendSpanColumns, encodeSpanColumns } from '../src/store/duckdb/span-columns.js';
import { migrate } from '../src/store/duckdb/schema.js';
import { quantileFromHistogram } from '../src/store/latency-sketch.js';
import { HOUR_MS } from '../src/store/rollup.js';

const DAY_MS = 24 * HOUR_MS;
const argIndex = process.argv.indexOf('--spans');
const SPANS = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 1_000_000;
const batchIndex = process.argv.indexOf('--batches');
/** Store.append batch sizes to measure (the server's group commit hands over 1,000–20,000). */
const BATCHES = batchIndex > 0 ? process.argv[batchIndex + 1]!.split(',').map(Number) : [1000, 10_000];
const BATCH = 1000;
const START = Date.UTC(2025, 0, 1);
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'claude-haiku-4', 'gemini-2.5-flash'];
const DECISIONS = Array.from({ length: 10 }, (_, i) => `decision-${i}`);
const TYPES = ['agent_step', 'llm_call', 'decision', 'tool_call', 'llm_call'] as const;

/** Random-looking 32-hex-digit trace id, like OpenTelemetry's (no zone-map help from ordering). */
function traceId(trace: number): string {
  let out = '';
  let x = trace + 1;
  for (let k = 0; k < 4; k++) {
    x = Math.imul(x ^ (x >>> 15), 2246822519) >>> 0;
    x = Math.imul(x ^ (x >>> 13), 3266489917) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    out += x.toString(16).padStart(8, '0');
  }
  return out;
}

/**
 * Span i of a time-ordered synthetic fleet: 20 agents, traces of 5 spans, spread over 7 days.
 * Realistic cardinality: only llm_call spans carry a model (each agent uses 2 of the 5 models),
 * only decision spans a decision (10 values), so an hour has a few hundred rollup keys.
 */
function syntheticSpan(i: number): Span {
  const trace = Math.floor(i / 5);
  const step = i % 5;
  const type = TYPES[step]!;
  const llm = type === 'llm_call';
  const h = (i * 2654435761) >>> 0;
  const agent = trace % 20;
  const model = (agent + (h % 2)) % 5;
  return {
    project: 'bench',
    timestamp: START + Math.floor((i * 7 * DAY_MS) / SPANS),
    agent_id: `agent-${agent}`,
    trace_id: traceId(trace),
    span_id: `span-${i}`,
    parent_span_id: step === 0 ? null : `span-${i - step}`,
    span_type: type,
    name: `${type}-${step}`,
    model: llm ? MODELS[model]! : null,
    provider: llm ? (model < 2 ? 'openai' : model < 4 ? 'anthropic' : 'google') : null,
    tokens_input: llm ? 200 + (h % 4000) : 0,
    tokens_output: llm ? 20 + (h % 800) : 0,
    tokens_cache_read: llm ? h % 500 : 0,
    tokens_cache_write: 0,
    tokens_reasoning: llm ? h % 100 : 0,
    latency_ms: llm ? 200 + (h % 5000) : (h % 300) / 3,
    cost_usd: llm ? (h % 1000) / 100_000 : null,
    cost_source: llm ? 'computed' : 'none',
    decision_made: type === 'decision' ? DECISIONS[h % 10]! : null,
    confidence: type === 'decision' ? (h % 100) / 100 : null,
    error_type: h % 50 === 0 ? 'timeout' : null,
    error_message: h % 50 === 0 ? 'upstream timed out' : null,
    session_id: `session-${trace % 1000}`,
    user_id: null,
    attributes: { step, region: h % 2 === 0 ? 'eu' : 'us' },
    input: null,
    output: null,
    ingested_at: START + Math.floor((i * 7 * DAY_MS) / SPANS) + 50,
  };
}

function batchAt(from: number, size = BATCH): Span[] {
  const out: Span[] = [];
  for (let i = from; i < Math.min(from + size, SPANS); i++) out.push(syntheticSpan(i));
  return out;
}

const fileBytes = (p: string): number =>
  [p, `${p}.wal`].reduce((a, f) => a + (existsSync(f) ? statSync(f).size : 0), 0);

async function rawAppender(path: string): Promise<number> {
  const db = await DuckDBInstance.create(path);
  const conn = await db.connect();
  await migrate(conn, path);
  const appender = await conn.createAppender('spans');
  let generating = 0;
  const t = performance.now();
  for (let i = 0; i < SPANS; i += BATCH) {
    const g = performance.now();
    const { columns } = encodeSpanColumns(batchAt(i));
    generating += performance.now() - g;
    appendSpanColumns(appender, columns, BigInt(i / BATCH + 1));
  }
  appender.closeSync();
  const seconds = (performance.now() - t - generating) / 1000;
  conn.closeSync();
  db.closeSync();
  return SPANS / seconds;
}

async function median(runs: number, f: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)]!;
}

/** Appends all spans in batches of `size` through the store; rows/s and per-call latency. */
async function storeAppend(path: string, size: number): Promise<{ rate: number; p99: number; max: number; store: Store }> {
  const store = await createDuckDbStore({ path });
  let generating = 0;
  const latencies: number[] = [];
  const t = performance.now();
  for (let i = 0; i < SPANS; i += size) {
    const g = performance.now();
    const batch = batchAt(i, size);
    const a = performance.now();
    generating += a - g;
    await store.append(batch);
    latencies.push(performance.now() - a);
  }
  const rate = SPANS / ((performance.now() - t - generating) / 1000);
  latencies.sort((a, b) => a - b);
  return { rate, p99: latencies[Math.floor(latencies.length * 0.99)]!, max: latencies.at(-1)!, store };
}

/** Physical rows in the rollup tables, read from the closed file. */
async function rollupRows(path: string): Promise<{ minute: number; hour: number; hours: number }> {
  const db = await DuckDBInstance.create(path);
  const conn = await db.connect();
  const reader = await conn.runAndReadAll(
    'SELECT (SELECT count(*) FROM rollup_minute), (SELECT count(*) FROM rollup_hour), (SELECT count(DISTINCT bucket) FROM rollup_hour)',
  );
  const [minute, hour, hours] = reader.getRows()[0]!.map(Number);
  conn.closeSync();
  db.closeSync();
  return { minute: minute!, hour: hour!, hours: hours! };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-bench-'));
  try {
    const rawRate = await rawAppender(join(dir, 'raw.duckdb'));
    const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
    const appendRows: string[] = [];
    let path = '';
    let store: Store | null = null;
    for (const size of BATCHES) {
      if (store !== null) await store.close();
      path = join(dir, `store-${size}.duckdb`);
      const r = await storeAppend(path, size);
      store = r.store;
      appendRows.push(
        `| store.append, batches of ${fmt(size)}, via worker (rows/s) | ${fmt(r.rate)} (${(r.rate / rawRate).toFixed(2)}× raw; per call p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(0)} ms) |`,
      );
    }
    if (store === null) throw new Error('no batch sizes');
    const week = { project: 'bench', from: START, to: START + 7 * DAY_MS, filter: {} };
    // The first rollup read flushes pending deltas; compaction then runs as it would on a server.
    const firstP95 = performance.now();
    await store.rollup({ ...week, bucketMs: HOUR_MS, groupBy: ['model'] });
    const firstRead = performance.now() - firstP95;
    const p95 = await median(5, async () => {
      const rows = await store.rollup({ ...week, bucketMs: HOUR_MS, groupBy: ['model'] });
      return rows.map((r) => quantileFromHistogram(r.latency_hist, 0.95));
    });
    const costPerDecision = await median(5, () => store.rollup({ ...week, bucketMs: 7 * DAY_MS, groupBy: ['decision'] }));
    let k = 0;
    const pick = (): { id: string; around: number } => {
      const i = (++k * 7919 * 5) % SPANS;
      const span = syntheticSpan(i);
      return { id: span.trace_id, around: span.timestamp };
    };
    const trace = await median(5, async () => {
      const { id } = pick();
      const spans = await store.getTrace('bench', id);
      if (spans.length !== 5) throw new Error(`trace ${id} has ${spans.length} spans`);
    });
    const hinted = await median(5, async () => {
      const { id, around } = pick();
      const spans = await store.getTrace('bench', id, { around });
      if (spans.length !== 5) throw new Error(`trace ${id} has ${spans.length} spans`);
    });
    const search = await median(5, () => store.searchTraces({ project: 'bench', from: START + 6 * DAY_MS, to: START + 7 * DAY_MS, limit: 50, errors_only: true }));
    await store.close();
    const rows = await rollupRows(path);
    const mb = fileBytes(path) / 1e6 / (SPANS / 1e6);
    console.log(`\n${fmt(SPANS)} spans, 7 days, 20 agents × 2 of 5 models, 10 decisions\n`);
    console.log('| measure | value |');
    console.log('|---|---:|');
    console.log(`| raw appender, spans table (rows/s) | ${fmt(rawRate)} |`);
    for (const r of appendRows) console.log(r);
    console.log(`| first rollup read after ingest (flush + query, ms) | ${firstRead.toFixed(1)} |`);
    console.log(`| p95 per model per hour, 7 days (ms, median of 5) | ${p95.toFixed(1)} |`);
    console.log(`| cost per decision, 7 days (ms, median of 5) | ${costPerDecision.toFixed(1)} |`);
    console.log(`| one trace, no hint (ms, median of 5) | ${trace.toFixed(1)} |`);
    console.log(`| one trace, hint { around } (ms, median of 5) | ${hinted.toFixed(1)} |`);
    console.log(`| search traces with errors, last day (ms, median of 5) | ${search.toFixed(1)} |`);
    console.log(`| rollup rows after close: minute / hour (hour rows per hour) | ${fmt(rows.minute)} / ${fmt(rows.hour)} (${fmt(rows.hour / rows.hours)}) |`);
    console.log(`| MB per 1M spans (after close, last store) | ${mb.toFixed(0)} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
