// Trace attribution's cost on the commit path: group commit into a DuckDB store on disk, batches
// of 1,000 OTLP-shaped spans (traces of an invoke_agent root naming the agent and four children
// under service.name), without attribution, with it when roots come first (attributed before
// storing), and when children come a batch before their roots (every root revises its four
// children: Store.reviseSpans on each commit). Ratios within one run; nothing is asserted.
// Run: npx tsx packages/server/bench/attribution-bench.ts [--batches 100]

import { parseArgs } from 'node:util';
import type { Span } from '../src/model/span.js';
import { createDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { createGroupCommit } from '../src/store/group-commit.js';
import { createTraceAttribution, DEFAULT_ATTRIBUTION } from '../src/store/trace-attribution.js';
import { table, tempDir } from './support.js';

const BATCH = 1000;
const PER_TRACE = 5;

function span(trace: string, i: number, at: number): Span {
  const root = i === 0;
  return {
    project: 'bench', timestamp: at + i, agent_id: root ? 'support' : 'support-svc', trace_id: trace, span_id: `${trace.slice(0, 12)}${i}`,
    parent_span_id: root ? null : `${trace.slice(0, 12)}0`, span_type: root ? 'agent_step' : 'llm_call', name: root ? 'invoke_agent support' : 'chat gpt-4o',
    model: root ? null : 'gpt-4o', provider: root ? null : 'openai', tokens_input: root ? 0 : 1200, tokens_output: root ? 0 : 80, tokens_cache_read: 0,
    tokens_cache_write: 0, tokens_reasoning: 0, latency_ms: 800, cost_usd: root ? null : 0.004, cost_source: 'computed', decision_made: null, confidence: null,
    error_type: null, error_message: null, session_id: root ? 'conv-1' : null, user_id: null, attributes: { 'gen_ai.operation.name': root ? 'invoke_agent' : 'chat' },
    input: null, output: null, ingested_at: at, ...(root ? {} : { agent_fallback: true as const }),
  };
}

/** `batches` batches; childrenFirst: each batch holds the children of its traces and the roots of the previous batch's. */
function traffic(batches: number, childrenFirst: boolean, at: number): Span[][] {
  const traces = BATCH / PER_TRACE;
  const out: Span[][] = [];
  let pendingRoots: Span[] = [];
  for (let b = 0; b < batches; b++) {
    const batch: Span[] = [];
    const roots: Span[] = [];
    for (let t = 0; t < traces; t++) {
      const trace = `${b.toString(16).padStart(8, '0')}${t.toString(16).padStart(8, '0')}${'0'.repeat(16)}`;
      const spans = Array.from({ length: PER_TRACE }, (_, i) => span(trace, i, at + b * 1000 + t));
      if (childrenFirst) {
        batch.push(...spans.slice(1));
        roots.push(spans[0]!);
      } else {
        batch.push(...spans);
      }
    }
    out.push([...pendingRoots, ...batch]);
    pendingRoots = roots;
  }
  if (pendingRoots.length > 0) out.push(pendingRoots);
  return out;
}

async function run(mode: 'off' | 'roots first' | 'children first', batches: number): Promise<number> {
  const store = await createDuckDbStore({ path: `${tempDir('attribution-bench-')}/bench.duckdb` });
  try {
    const attribution = mode === 'off' ? undefined : createTraceAttribution({ ...DEFAULT_ATTRIBUTION, clock: Date.now });
    const commits = createGroupCommit(store, { maxBatchSpans: BATCH * 2, maxDelayMs: 0, maxQueuedSpans: 1e9, ...(attribution && { attribution }) });
    const work = traffic(batches, mode === 'children first', Date.now() - 3_600_000);
    const spans = work.reduce((n, b) => n + b.length, 0);
    const started = performance.now();
    // One request at a time per batch, two in flight, as a steady exporter stream.
    for (let i = 0; i < work.length; i += 2) {
      const results = await Promise.all(work.slice(i, i + 2).map((b) => commits.submit(b)));
      for (const r of results) if (r.status !== 'ok') throw new Error(r.message);
    }
    return spans / ((performance.now() - started) / 1000);
  } finally {
    await store.close();
  }
}

export async function attributionBench(batches: number): Promise<string> {
  const modes = ['off', 'roots first', 'children first'] as const;
  const best = new Map<string, number>(modes.map((m) => [m, 0]));
  // Alternating rounds, best of three: the machine is shared.
  for (let round = 0; round < 3; round++) for (const m of modes) best.set(m, Math.max(best.get(m)!, await run(m, batches)));
  const off = best.get('off')!;
  return table(
    [`group commit into DuckDB, ${batches} batches of ${BATCH} spans (traces of 5)`, 'spans/s', '× without attribution'],
    modes.map((m) => [m === 'off' ? 'without attribution' : `attribution, ${m}${m === 'children first' ? ' (4 revisions a trace)' : ''}`, Math.round(best.get(m)!), `${(best.get(m)! / off).toFixed(2)}×`]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { batches: { type: 'string' } } });
  console.log(await attributionBench(Number(values.batches ?? 100)));
}
