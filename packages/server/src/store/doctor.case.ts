// Conformance of Store.doctorScan (doctor-reads.ts), run against every backend: per-source shares,
// orphans on both sides of the grace period and the parent look-back, arrival figures, models
// without a price and unread attribute names, on a fixture whose every figure is worked out below.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../model/span.js';
import { PARENT_LOOKBACK_MS, type DoctorFigures } from './doctor-reads.js';
import { makeSpan, T0 } from './store-fixtures.case.js';
import type { Store } from './store.js';

const HOUR = 3_600_000;
const CUTOFF = T0 + 2 * HOUR;
const SCOPE = 'opentelemetry-instrumentation-openai';

/** A span as the OTLP mapping stores it, from service checkout. */
function otlp(id: string, over: Partial<Span>, extra: Record<string, unknown> = {}, kept = ['gen_ai.operation.name']): Span {
  return makeSpan({
    agent_id: 'checkout-agent',
    trace_id: 'trace-c',
    span_id: id,
    session_id: null,
    user_id: null,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'server.port': 443,
      ...extra,
      'otel.scope.name': SCOPE,
      'otel.scope.version': '0.3',
      'sightline.read': kept,
      'resource.service.name': 'checkout',
      'resource.telemetry.sdk.name': 'opentelemetry',
      'resource.telemetry.sdk.version': '2.12.1',
    },
    ...over,
  });
}

/** Ends at `end` and arrives `arrival` ms later. */
const timed = (end: number, arrival: number, latency = 500): Partial<Span> => ({ timestamp: end - latency, latency_ms: latency, ingested_at: end + arrival });

const SPANS: Span[] = [
  // checkout: 6 spans in range, 5 LLM calls.
  otlp('c1', { ...timed(T0 + 1_000, 100), decision_made: 'refund', session_id: 's-1' }, { 'llm.invocation': { inner: 1 } }),
  otlp('c2', { ...timed(T0 + 2_000, 300), parent_span_id: 'c1', model: null, tokens_input: 0, tokens_output: 0, cost_usd: null, cost_source: 'none' }, { 'ai.toolCall.name': 'lookup' }),
  otlp('c3', { ...timed(T0 + 3_000, -2_000), parent_span_id: 'missing-1', model: 'my-finetune', tokens_input: 50, tokens_output: 5, cost_usd: null, cost_source: 'none', session_id: 's-2' },
    { 'ai.toolCall.name': 'x', 'we"ird ключ': 1 }),
  // Its parent never came, but it arrived after the cutoff: still within the grace period.
  otlp('c4', { timestamp: T0 + 4_000, latency_ms: 1_000, ingested_at: CUTOFF + 1, span_type: 'tool_call', parent_span_id: 'missing-2' }),
  // Its parent started half an hour before the range: found by the look-back.
  otlp('c5', { ...timed(T0 + 5_000, 200), parent_span_id: 'early', trace_id: 'trace-e', cost_usd: 0.5, cost_source: 'given' }, {}, ['gen_ai.operation.name', 'server.port']),
  // Its parent started two hours before the range: beyond the look-back, an orphan.
  otlp('c6', { ...timed(T0 + 6_000, 250), parent_span_id: 'ancient', trace_id: 'trace-a' }),
  otlp('early', { timestamp: T0 - HOUR / 2, trace_id: 'trace-e', span_type: 'agent_step' }),
  otlp('ancient', { timestamp: T0 - 2 * HOUR, trace_id: 'trace-a', span_type: 'agent_step' }),
  // Native events from the JS SDK: a custom attribute is not "unread".
  makeSpan({ span_id: 'n1', trace_id: 'trace-n', agent_id: 'support', ...timed(T0 + 10_000, 50), model: 'claude-3-5-sonnet', decision_made: 'answer',
    attributes: { 'sightline.sdk': 'sightline-sdk-js/0.1.0', tier: 'gold' } }),
  makeSpan({ span_id: 'n2', trace_id: 'trace-n', parent_span_id: 'n1', agent_id: 'support', ...timed(T0 + 11_000, 70), span_type: 'decision', decision_made: 'answer',
    attributes: { 'sightline.sdk': 'sightline-sdk-js/0.1.0', tier: 'gold' } }),
  // No marks at all (stored before the doctor, or sent by curl).
  makeSpan({ span_id: 'l1', trace_id: 'trace-l', agent_id: 'legacy', ...timed(T0 + 12_000, 1_000), model: 'mystery-model', provider: null,
    tokens_input: 10, tokens_output: 10, cost_usd: null, cost_source: 'none', session_id: null, attributes: {} }),
  // Another project and another hour stay out.
  makeSpan({ project: 'beta', span_id: 'b1', ...timed(T0 + 3_000, 9), parent_span_id: 'nowhere', attributes: { 'sightline.read': [], z: 1 } }),
  otlp('late', { ...timed(T0 + HOUR + 1_000, 1) }),
];

const SCAN = { project: 'alpha', from: T0, to: T0 + HOUR, orphanIngestedBefore: CUTOFF, limit: 20 };
const CHECKOUT = { service: 'checkout', scope: SCOPE, scope_version: '0.3', sdk: 'opentelemetry', sdk_version: '2.12.1' };

export function runDoctorConformance(name: string, newStore: () => Promise<Store>): void {
  describe(`doctor scan: ${name}`, () => {
    let store: Store;
    let figures: DoctorFigures;

    beforeAll(async () => {
      store = await newStore();
      await store.append(SPANS);
      figures = await store.doctorScan(SCAN);
    });
    afterAll(async () => {
      await store?.close();
    });

    it('counts each source’s LLM calls with model, tokens, cost by source, session and decision, its orphans and arrival figures', () => {
      expect(figures.sources).toEqual([
        {
          ...CHECKOUT, spans: 6, otlp_spans: 6, llm_calls: 5, llm_with_model: 4, llm_with_tokens: 4,
          llm_cost_given: 1, llm_cost_computed: 2, llm_cost_no_price: 1, llm_with_session: 2, llm_with_decision: 1, with_decision: 1,
          orphans: 2, arrival_min_ms: -2_000, arrival_median_ms: 200, arrival_max_ms: 2 * HOUR - 5_000 + 1, ended_after_arrival: 1,
        },
        {
          service: 'support', scope: null, scope_version: null, sdk: 'sightline-sdk-js/0.1.0', sdk_version: null,
          spans: 2, otlp_spans: 0, llm_calls: 1, llm_with_model: 1, llm_with_tokens: 1,
          llm_cost_given: 0, llm_cost_computed: 1, llm_cost_no_price: 0, llm_with_session: 1, llm_with_decision: 1, with_decision: 2,
          orphans: 0, arrival_min_ms: 50, arrival_median_ms: 50, arrival_max_ms: 70, ended_after_arrival: 0,
        },
        {
          service: 'legacy', scope: null, scope_version: null, sdk: null, sdk_version: null,
          spans: 1, otlp_spans: 0, llm_calls: 1, llm_with_model: 1, llm_with_tokens: 1,
          llm_cost_given: 0, llm_cost_computed: 0, llm_cost_no_price: 1, llm_with_session: 0, llm_with_decision: 0, with_decision: 0,
          orphans: 0, arrival_min_ms: 1_000, arrival_median_ms: 1_000, arrival_max_ms: 1_000, ended_after_arrival: 0,
        },
      ]);
    });

    it('lists orphans newest first: the parent missing past the cutoff, and the one beyond the look-back', () => {
      expect(PARENT_LOOKBACK_MS).toBe(HOUR);
      expect(figures.orphan_examples).toEqual([
        { service: 'checkout', trace_id: 'trace-a', span_id: 'c6', parent_span_id: 'ancient', name: 'chat', timestamp: T0 + 5_500 },
        { service: 'checkout', trace_id: 'trace-c', span_id: 'c3', parent_span_id: 'missing-1', name: 'chat', timestamp: T0 + 2_500 },
      ]);
    });

    it('lists models with tokens but no price', () => {
      expect(figures.unpriced_models).toEqual([
        { model: 'my-finetune', provider: 'openai', spans: 1, tokens_input: 50, tokens_output: 5 },
        { model: 'mystery-model', provider: null, spans: 1, tokens_input: 10, tokens_output: 10 },
      ]);
    });

    it('counts top-level attributes of OTLP spans that the mapping neither consumed nor read, per source', () => {
      expect(figures.unread_attributes).toEqual([
        { ...CHECKOUT, attribute: 'server.port', spans: 5 },
        { ...CHECKOUT, attribute: 'ai.toolCall.name', spans: 2 },
        { ...CHECKOUT, attribute: 'llm.invocation', spans: 1 },
        { ...CHECKOUT, attribute: 'we"ird ключ', spans: 1 },
      ]);
    });

    it('keeps the most frequent rows up to the limit, and a grace period covering every span finds no orphan', async () => {
      const top = await store.doctorScan({ ...SCAN, limit: 2, orphanIngestedBefore: T0 });
      expect(top.unread_attributes.map((r) => [r.attribute, r.spans])).toEqual([['server.port', 5], ['ai.toolCall.name', 2]]);
      expect(top.unpriced_models.map((r) => r.model)).toEqual(['my-finetune', 'mystery-model']);
      expect(top.sources.map((s) => [s.service, s.orphans])).toEqual([['checkout', 0], ['support', 0], ['legacy', 0]]);
      expect(top.orphan_examples).toEqual([]);
    });

    it('answers an empty range with empty lists', async () => {
      expect(await store.doctorScan({ ...SCAN, from: T0 - 10 * HOUR, to: T0 - 9 * HOUR })).toEqual({
        sources: [], unpriced_models: [], unread_attributes: [], orphan_examples: [],
      });
    });
  });
}
