import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../model/limits.js';
import { decodeEventsBody } from './decode-body.js';
import { createIngestPipeline } from './pipeline.js';
import { createPriceTable } from './pricing.js';

const NOW = Date.UTC(2025, 5, 1, 12);

describe('createIngestPipeline', () => {
  const pipeline = createIngestPipeline({
    limits: DEFAULT_LIMITS,
    prices: createPriceTable({ acme: { 'house-model': { input_per_mtok: 2, output_per_mtok: 8 } } }),
  });

  it('validates, normalises and prices each event, reporting rejects by position', () => {
    const ndjson = [
      '{"agent_id":"a","span_id":"s1","trace_id":"t1","model":"house-model","tokens_input":1000,"tokens_output":500,"region":"eu"}',
      '{"agent_id":"b","confidence":1.7,"tokens_input":-3}',
      '{"agent_id":',
      '',
      '{"agent_id":"c","span_id":"s2","trace_id":"t1","span_type":"tool_call","name":"search","latency_ms":40,"error":"timeout"}',
    ].join('\n');
    const decoded = decodeEventsBody(Buffer.from(ndjson), 'application/x-ndjson', undefined, DEFAULT_LIMITS);
    if (!decoded.ok) throw new Error(decoded.message);
    const { spans, rejected } = pipeline.process(decoded.events, { project: 'acme', now: NOW });

    expect(rejected).toEqual([
      { index: 1, field: 'tokens_input', error: 'tokens_input: must be a non-negative integer, got -3' },
      { index: 1, field: 'confidence', error: 'confidence: 1.7 is outside 0..1' },
      { index: 2, field: 'event', error: 'line 3: invalid JSON: Unexpected end of JSON input' },
    ]);
    const common = {
      project: 'acme',
      timestamp: NOW,
      trace_id: 't1',
      parent_span_id: null,
      provider: null,
      tokens_cache_read: 0,
      tokens_cache_write: 0,
      tokens_reasoning: 0,
      decision_made: null,
      confidence: null,
      session_id: null,
      user_id: null,
      input: null,
      output: null,
      ingested_at: NOW,
    };
    expect(spans).toEqual([
      {
        ...common,
        agent_id: 'a',
        span_id: 's1',
        span_type: 'llm_call',
        name: null,
        model: 'house-model',
        tokens_input: 1000,
        tokens_output: 500,
        latency_ms: 0,
        cost_usd: 0.006,
        cost_source: 'computed',
        error_type: null,
        error_message: null,
        attributes: { region: 'eu' },
      },
      {
        ...common,
        agent_id: 'c',
        span_id: 's2',
        span_type: 'tool_call',
        name: 'search',
        model: null,
        tokens_input: 0,
        tokens_output: 0,
        latency_ms: 40,
        cost_usd: null,
        cost_source: 'none',
        error_type: 'error',
        error_message: 'timeout',
        attributes: {},
      },
    ]);
  });

  it('uses the project from the context, never from the payload', () => {
    const { spans } = pipeline.process([{ agent_id: 'a', project: 'evil' }], { project: 'acme', now: NOW });
    expect(spans.map((s) => [s.project, s.attributes])).toEqual([['acme', { project: 'evil' }]]);
  });
});
