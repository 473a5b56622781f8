// Micro-benchmark of the ingest hot path: validateEvent alone, then validate + price (pipeline).
// Run: npx tsx packages/server/bench/validate-bench.ts

import { createIngestPipeline } from '../src/ingest/pipeline.js';
import { createPriceTable } from '../src/ingest/pricing.js';
import { DEFAULT_LIMITS } from '../src/model/limits.js';
import { validateEvent } from '../src/model/validate-event.js';

const N = 200_000;
const ROUNDS = 5;
const now = Date.now();

/** A typical SDK event: an LLM call with ids, tokens, a decision and a few attributes. */
function typicalEvent(i: number): Record<string, unknown> {
  return {
    timestamp: now - 1_000 + (i % 1_000),
    agent_id: `agent-${i % 20}`,
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    span_id: (0x1000000000000000n + BigInt(i)).toString(16),
    parent_span_id: '00f067aa0ba902b7',
    span_type: 'llm_call',
    name: 'chat.completions',
    model: i % 2 === 0 ? 'gpt-4o' : 'claude-sonnet-4-20250514',
    provider: i % 2 === 0 ? 'openai' : 'anthropic',
    tokens_input: 1_200 + (i % 500),
    tokens_output: 300,
    tokens_cache_read: 200,
    latency_ms: 812.5,
    decision_made: 'escalate',
    confidence: 0.82,
    session_id: `s-${i % 100}`,
    user_id: `u-${i % 1000}`,
    attributes: { tier: 'gold', retries: 2, region: 'eu-west-1' },
  };
}

// Events as JSON.parse would hand them over (fresh objects, not shared hidden-class literals).
const events = JSON.parse(JSON.stringify(Array.from({ length: N }, (_, i) => typicalEvent(i)))) as unknown[];
const ctx = { project: 'bench', now, limits: DEFAULT_LIMITS };
const pipeline = createIngestPipeline({ limits: DEFAULT_LIMITS, prices: createPriceTable() });

function measure(label: string, run: () => void): void {
  run(); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push(N / seconds);
  }
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)] as number;
  console.log(`${label.padEnd(24)} ${Math.round(median).toLocaleString('en-US').padStart(12)} events/s   ${(1e6 / median).toFixed(2)} µs/event`);
}

console.log(`${N.toLocaleString('en-US')} typical events, median of ${ROUNDS} rounds`);
measure('validateEvent', () => {
  for (let i = 0; i < N; i++) {
    if (!validateEvent(events[i], i, ctx).ok) throw new Error(`event ${i} rejected`);
  }
});
measure('pipeline (validate+price)', () => {
  const { rejected } = pipeline.process(events, { project: 'bench', now });
  if (rejected.length > 0) throw new Error(JSON.stringify(rejected[0]));
});
