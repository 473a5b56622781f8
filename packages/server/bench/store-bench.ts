// Store benchmark: raw DuckDB appender vs Store.append (with rollups, through the worker), rollup
// and trace query latencies, and bytes per span. Prints a markdown table.
// Run: npx tsx packages/server/bench/store-bench.ts [--spans N]

import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Span } from '../src/model/span.js';
import { createDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { appendSpan } from '../src/store/duckdb/row-writer.js';
import { migrate } from '../src/store/duckdb/schema.js';
import { quantileFromHistogram } from '../src/store/latency-sketch.js';
import { HOUR_MS } from '../src/store/rollup.js';

const DAY_MS = 24 * HOUR_MS;
const argIndex = process.argv.indexOf('--spans');
const SPANS = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 1_000_000;
const BATCH = 1000;
const START = Date.UTC(2025, 0, 1);
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'claude-haiku-4', 'gemini-2.5-flash'];
const DECISIONS = Array.from({ length: 10 }, (_, i) => `decision-${i}`);
const TYPES = ['agent_step', 'llm_call', 'decision', 'tool_call', 'llm_call'] as const;

/** Span i of a time-ordered synthetic fleet: 20 agents, traces of 5 spans, spread over 7 days. */
function syntheticSpan(i: number): Span {
  const trace = Math.floor(i / 5);
  const step = i % 5;
  const type = TYPES[step]!;
  const llm = type === 'llm_call';
  const h = (i * 2654435761) >>> 0;
  return {
    project: 'bench',
    timestamp: START + Math.floor((i * 7 * DAY_MS) / SPANS),
    agent_id: `agent-${trace % 20}`,
    trace_id: `trace-${trace.toString(16).padStart(8, '0')}`,
    span_id: `span-${i}`,
    parent_span_id: step === 0 ? null : `span-${i - step}`,
    span_type: type,
    name: `${type}-${step}`,
    model: llm ? MODELS[h % 5]! : null,
    provider: llm ? (h % 5 < 2 ? 'openai' : h % 5 < 4 ? 'anthropic' : 'google') : null,
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

function batchAt(from: number): Span[] {
  const out: Span[] = [];
  for (let i = from; i < Math.min(from + BATCH, SPANS); i++) out.push(syntheticSpan(i));
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
    const batch = batchAt(i);
    generating += performance.now() - g;
    for (const s of batch) appendSpan(appender, s);
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

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-bench-'));
  try {
    const rawRate = await rawAppender(join(dir, 'raw.duckdb'));
    const path = join(dir, 'store.duckdb');
    const store = await createDuckDbStore({ path });
    let generating = 0;
    const t = performance.now();
    for (let i = 0; i < SPANS; i += BATCH) {
      const g = performance.now();
      const batch = batchAt(i);
      generating += performance.now() - g;
      await store.append(batch);
    }
    const storeRate = SPANS / ((performance.now() - t - generating) / 1000);
    const week = { project: 'bench', from: START, to: START + 7 * DAY_MS, filter: {} };
    const p95 = await median(5, async () => {
      const rows = await store.rollup({ ...week, bucketMs: HOUR_MS, groupBy: ['model'] });
      return rows.map((r) => quantileFromHistogram(r.latency_hist, 0.95));
    });
    const costPerDecision = await median(5, () => store.rollup({ ...week, bucketMs: 7 * DAY_MS, groupBy: ['decision'] }));
    let k = 0;
    const trace = await median(5, async () => {
      const id = `trace-${Math.floor(((++k * 7919) % SPANS) / 5).toString(16).padStart(8, '0')}`;
      const spans = await store.getTrace('bench', id);
      if (spans.length !== 5) throw new Error(`trace ${id} has ${spans.length} spans`);
    });
    const search = await median(5, () => store.searchTraces({ project: 'bench', from: START + 6 * DAY_MS, to: START + 7 * DAY_MS, limit: 50, errors_only: true }));
    await store.close();
    const mb = fileBytes(path) / 1e6 / (SPANS / 1e6);
    const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
    console.log(`\n${fmt(SPANS)} spans, batches of ${BATCH}, 7 days, 20 agents, 5 models, 10 decisions\n`);
    console.log('| measure | value |');
    console.log('|---|---:|');
    console.log(`| raw appender, spans table (rows/s) | ${fmt(rawRate)} |`);
    console.log(`| store.append incl. rollups, via worker (rows/s) | ${fmt(storeRate)} (${(storeRate / rawRate).toFixed(2)}× raw) |`);
    console.log(`| p95 per model per hour, 7 days (ms, median of 5) | ${p95.toFixed(1)} |`);
    console.log(`| cost per decision, 7 days (ms, median of 5) | ${costPerDecision.toFixed(1)} |`);
    console.log(`| one trace (ms, median of 5) | ${trace.toFixed(1)} |`);
    console.log(`| search traces with errors, last day (ms, median of 5) | ${search.toFixed(1)} |`);
    console.log(`| MB per 1M spans (after close) | ${mb.toFixed(0)} |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
