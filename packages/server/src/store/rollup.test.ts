import { describe, expect, it } from 'vitest';
import { emptyHistogram } from './latency-sketch.js';
import { HOUR_MS, MINUTE_MS, rollupDeltas } from './rollup.js';
import { makeSpan } from './store.case.js';

const T0 = Date.UTC(2025, 0, 6, 10, 0, 0);

describe('rollupDeltas', () => {
  const spans = [
    makeSpan({ timestamp: T0 + 1_000, latency_ms: 0.5, cost_usd: 0.25, confidence: 0.5 }),
    makeSpan({ timestamp: T0 + 59_999, latency_ms: 1, cost_usd: null, error_type: 'timeout' }),
    makeSpan({ timestamp: T0 + 60_000, latency_ms: 1, model: null, error_message: 'boom' }),
    makeSpan({ timestamp: T0 + 61_000, latency_ms: 1, model: '' }),
  ];

  it('sums spans per bucket and key, keeping null and empty values apart', () => {
    const minute = rollupDeltas(spans, MINUTE_MS);
    expect(minute.map((r) => [r.bucket - T0, r.model, r.count, r.errors])).toEqual([
      [0, 'gpt-4o', 2, 1],
      [60_000, null, 1, 1],
      [60_000, '', 1, 0],
    ]);
    const hist = emptyHistogram();
    hist[0] = 1;
    hist[1] = 1;
    expect(minute[0]).toEqual({
      project: 'alpha',
      bucket: T0,
      agent_id: 'agent-1',
      model: 'gpt-4o',
      decision_made: null,
      span_type: 'llm_call',
      provider: 'openai',
      count: 2,
      errors: 1,
      latency_sum: 1.5,
      tokens_input: 200,
      tokens_output: 40,
      tokens_cache_read: 20,
      tokens_cache_write: 10,
      tokens_reasoning: 6,
      cost_usd: 0.25,
      confidence_sum: 0.5,
      confidence_count: 1,
      latency_hist: hist,
    });
    expect(rollupDeltas(spans, HOUR_MS).map((r) => [r.bucket - T0, r.model, r.count])).toEqual([
      [0, 'gpt-4o', 2],
      [0, null, 1],
      [0, '', 1],
    ]);
  });
});
