// ClickHouse benchmark, same run, same machine: HTTP ingest through one and through two Sightline
// nodes sharing one ClickHouse (load generators in separate processes), then the dashboard queries
// at N spans (default 10M) on ClickHouse and DuckDB side by side. Prints markdown tables.
// Needs `npm run build` (the nodes and the load generator run from dist/) and clickhouse-server.
// Run: npx tsx packages/server/bench/clickhouse-bench.ts [--spans 10000000] [--seconds 8]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Span } from '../src/model/span.js';
import { createClickHouseStore } from '../src/store/clickhouse/clickhouse-store.js';
import { createConnection } from '../src/store/clickhouse/connection.js';
import { createDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { quantileFromHistogram } from '../src/store/latency-sketch.js';
import { HOUR_MS, MINUTE_MS } from '../src/store/rollup.js';
import type { Store } from '../src/store/store.js';
import { startClickHouse } from '../test/support/clickhouse.js';
import { runLoadgen, startServer } from './support.js';

const { values } = parseArgs({ options: { spans: { type: 'string', default: '10000000' }, seconds: { type: 'string', default: '8' } } });
const SPANS = Number(values.spans);
const SECONDS = Number(values.seconds);
const DAY_MS = 24 * HOUR_MS;
const START = Date.UTC(2025, 0, 1);
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'claude-haiku-4', 'gemini-2.5-flash'];
const TYPES = ['agent_step', 'llm_call', 'decision', 'tool_call', 'llm_call'] as const;

/** Span i of a fleet of 20 agents, traces of 5 spans over 7 days (as in store-bench.ts). */
function syntheticSpan(i: number): Span {
  const trace = Math.floor(i / 5);
  const step = i % 5;
  const type = TYPES[step]!;
  const llm = type === 'llm_call';
  const h = (i * 2654435761) >>> 0;
  const model = (trace % 20 + (h % 2)) % 5;
  const ts = START + Math.floor((i * 7 * DAY_MS) / SPANS);
  return {
    project: 'bench', timestamp: ts, agent_id: `agent-${trace % 20}`,
    trace_id: ((Math.imul(trace + 1, 2654435761) >>> 0).toString(16) + trace.toString(16)).padStart(32, '0'),
    span_id: `span-${i}`, parent_span_id: step === 0 ? null : `span-${i - step}`, span_type: type, name: `${type}-${step}`,
    model: llm ? MODELS[model]! : null, provider: llm ? (model < 2 ? 'openai' : model < 4 ? 'anthropic' : 'google') : null,
    tokens_input: llm ? 200 + (h % 4000) : 0, tokens_output: llm ? 20 + (h % 800) : 0, tokens_cache_read: llm ? h % 500 : 0,
    tokens_cache_write: 0, tokens_reasoning: llm ? h % 100 : 0, latency_ms: llm ? 200 + (h % 5000) : (h % 300) / 3,
    cost_usd: llm ? (h % 1000) / 100_000 : null, cost_source: llm ? 'computed' : 'none',
    decision_made: type === 'decision' ? `decision-${h % 10}` : null, confidence: type === 'decision' ? (h % 100) / 100 : null,
    error_type: h % 50 === 0 ? 'timeout' : null, error_message: h % 50 === 0 ? 'upstream timed out' : null,
    session_id: `session-${trace % 1000}`, user_id: null, attributes: { step, region: h % 2 === 0 ? 'eu' : 'us' },
    input: null, output: null, ingested_at: ts + 50,
  };
}

async function load(store: Store, batch: number): Promise<number> {
  const t = performance.now();
  let generating = 0;
  for (let i = 0; i < SPANS; i += batch) {
    const g = performance.now();
    const spans: Span[] = [];
    for (let k = i; k < Math.min(i + batch, SPANS); k++) spans.push(syntheticSpan(k));
    generating += performance.now() - g;
    await store.append(spans);
  }
  return SPANS / ((performance.now() - t - generating) / 1000);
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

/** The dashboard's reads: median of 5 after one warm-up each. */
async function dashboardQueries(store: Store): Promise<Record<string, number>> {
  const week = { project: 'bench', from: START, to: START + 7 * DAY_MS, filter: {} };
  const lastDay = { project: 'bench', from: START + 6 * DAY_MS, to: START + 7 * DAY_MS, filter: {} };
  let k = 0;
  const pick = () => syntheticSpan((++k * 7919 * 5) % SPANS);
  const queries: Record<string, () => Promise<unknown>> = {
    'p95 per hour by model, 7 days': async () =>
      (await store.rollup({ ...week, bucketMs: HOUR_MS, groupBy: ['model'] })).map((r) => quantileFromHistogram(r.latency_hist, 0.95)),
    // Without the latency histogram, as the dashboard reads every metric but the quantiles.
    'cost per decision, 7 days': () => store.rollup({ ...week, bucketMs: 7 * DAY_MS, groupBy: ['decision'], histogram: false }),
    'count per minute by agent, last 24 h': () => store.rollup({ ...lastDay, bucketMs: MINUTE_MS, groupBy: ['agent'], histogram: false }),
    'errors per 5 min, last 24 h': () => store.rollup({ ...lastDay, bucketMs: 5 * MINUTE_MS, groupBy: [], histogram: false }),
    'overview KPIs, 7 days': () => store.rollup({ ...week, bucketMs: HOUR_MS, groupBy: [], collapse: true }),
    'one trace (no hint)': () => store.getTrace('bench', pick().trace_id),
    'one trace (hinted)': async () => {
      const s = pick();
      return store.getTrace('bench', s.trace_id, { around: s.timestamp });
    },
    'trace search, errors, last 24 h': () => store.searchTraces({ ...lastDay, limit: 50, errors_only: true }),
  };
  const out: Record<string, number> = {};
  for (const [name, q] of Object.entries(queries)) {
    await q();
    out[name] = await median(5, q);
  }
  return out;
}

/**
 * Waits until ClickHouse's background merges settle (active part count unchanged for 6 s, at most
 * 3 min): 500 inserts of 20,000 rows leave hundreds of small parts that a server ingesting over
 * a week would long have merged, and reading them one by one is not the steady state.
 */
async function settleMerges(url: string, database: string): Promise<{ before: number; after: number; seconds: number }> {
  const conn = createConnection(url);
  const count = async () =>
    Number((await conn.rows<{ n: number }>(`SELECT count() AS n FROM system.parts WHERE active AND database = '${database}'`))[0]!.n);
  const started = performance.now();
  const before = await count();
  let last = before;
  let stable = 0;
  while (stable < 3 && performance.now() - started < 180_000) {
    await new Promise((r) => setTimeout(r, 2_000));
    const n = await count();
    stable = n === last ? stable + 1 : 0;
    last = n;
  }
  await conn.close();
  return { before, after: last, seconds: (performance.now() - started) / 1000 };
}

async function ingestThroughNodes(storeUrl: string): Promise<{ one: number; two: number; twoStatuses: string }> {
  const args = ['--store', storeUrl];
  const a = await startServer({ args });
  const b = await startServer({ args, adminKey: a.adminKey });
  try {
    await runLoadgen(a, { batch: 1000, concurrency: 4, 'duration-s': 2 });
    const one = await runLoadgen(a, { batch: 1000, concurrency: 4, 'duration-s': SECONDS });
    const two = await Promise.all([
      runLoadgen(a, { batch: 1000, concurrency: 4, 'duration-s': SECONDS }),
      runLoadgen(b, { batch: 1000, concurrency: 4, 'duration-s': SECONDS }),
    ]);
    const statuses = two.flatMap((r) => Object.entries(r.status_counts)).map(([s, n]) => `${s}×${n}`).join(', ');
    return { one: one.events_per_s, two: two[0].events_per_s + two[1].events_per_s, twoStatuses: statuses };
  } finally {
    await a.stop({ remove: true });
    await b.stop({ remove: true });
  }
}

async function main(): Promise<void> {
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  const ch = await startClickHouse();
  const dir = mkdtempSync(join(tmpdir(), 'sightline-ch-bench-'));
  try {
    const ingest = await ingestThroughNodes(ch.storeUrl('ingest'));
    console.log('\nHTTP ingest into ClickHouse (loadgen: batches of 1,000, 4 connections per node, separate processes)\n');
    console.log('| Sightline nodes | events/s acknowledged |\n|---|---:|');
    console.log(`| 1 | ${fmt(ingest.one)} |`);
    console.log(`| 2 | ${fmt(ingest.two)} (statuses: ${ingest.twoStatuses}) |`);

    // As on a server upgraded or installed days before: its per-agent minute rollup (schema version 5)
    // is complete from a day after its migration, so set the schema up two days before the spans start.
    await (await createClickHouseStore({ url: ch.shards[0]!.url, database: 'dashboard', clock: () => START - 2 * DAY_MS })).close();
    const chStore = await createClickHouseStore({ url: ch.shards[0]!.url, database: 'dashboard' });
    const chRate = await load(chStore, 20_000);
    const parts = await settleMerges(ch.shards[0]!.url, 'dashboard');
    console.log(`\nClickHouse parts after loading: ${parts.before} active, ${parts.after} once background merges settled (${parts.seconds.toFixed(0)} s)`);
    const chStats = await chStore.stats();
    const chTimes = await dashboardQueries(chStore);
    await chStore.close();

    const duck = await createDuckDbStore({ path: join(dir, 'bench.duckdb') });
    const duckRate = await load(duck, 20_000);
    const duckTimes = await dashboardQueries(duck);
    const duckStats = await duck.stats();
    await duck.close();

    console.log(`\nDashboard queries at ${fmt(SPANS)} spans over 7 days (median of 5, ms)\n`);
    console.log('| query | ClickHouse 18.16 | DuckDB |\n|---|---:|---:|');
    for (const name of Object.keys(chTimes)) console.log(`| ${name} | ${chTimes[name]!.toFixed(1)} | ${duckTimes[name]!.toFixed(1)} |`);
    console.log(`| store.append, batches of 20,000 (rows/s) | ${fmt(chRate)} | ${fmt(duckRate)} |`);
    console.log(`| MB per 1M spans | ${(chStats.bytes / 1e6 / (SPANS / 1e6)).toFixed(0)} | ${(duckStats.bytes / 1e6 / (SPANS / 1e6)).toFixed(0)} |`);
  } finally {
    await ch.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
