import { describe, expect, it } from 'vitest';
import type { DoctorFigures, DoctorSourceRow } from '../../store/doctor-reads.js';
import { formatShareOf as percent } from '@sightline/api';
import { duration } from './format.js';
import { reportOf } from './report.js';

const REQ = { project: 'p', from: 0, to: 3_600_000, now: 3_600_000, graceMs: 60_000 };

function row(over: Partial<DoctorSourceRow>): DoctorSourceRow {
  return {
    service: 'checkout', scope: 'opentelemetry-instrumentation-openai', scope_version: '0.3', sdk: 'opentelemetry', sdk_version: '2.12.1',
    spans: 100, otlp_spans: 100, llm_calls: 100, llm_with_model: 100, llm_with_tokens: 100, llm_cost_given: 0, llm_cost_computed: 100,
    llm_cost_no_price: 0, llm_with_session: 100, llm_with_decision: 100, with_decision: 100, orphans: 0,
    arrival_min_ms: 5, arrival_median_ms: 40, arrival_max_ms: 900, ended_after_arrival: 0,
    ...over,
  };
}

const figures = (sources: DoctorSourceRow[], more: Partial<DoctorFigures> = {}): DoctorFigures => ({
  sources, unpriced_models: [], unread_attributes: [], orphan_examples: [], ...more,
});

describe('doctor report', () => {
  it('says nothing about a source that sends everything', () => {
    const report = reportOf(figures([row({})]), REQ);
    expect(report.findings).toEqual([]);
    expect(report.sources[0]!.label).toBe('service checkout (opentelemetry-instrumentation-openai 0.3)');
    expect(report.sources[0]!.sdk).toEqual({ name: 'opentelemetry', version: '2.12.1' });
  });

  it('tells an OTLP source what to set, in sentences with shares and counts', () => {
    const report = reportOf(
      figures([row({ llm_with_model: 58, llm_with_tokens: 95, llm_cost_computed: 50, llm_cost_given: 8, llm_cost_no_price: 2, llm_with_session: 0, orphans: 3, arrival_min_ms: -2_400, ended_after_arrival: 7 })], {
        unpriced_models: [{ model: 'acme-ft', provider: null, spans: 2, tokens_input: 900, tokens_output: 100 }],
        unread_attributes: [
          { service: 'checkout', scope: 'opentelemetry-instrumentation-openai', scope_version: '0.3', sdk: 'opentelemetry', sdk_version: '2.12.1', attribute: 'server.address', spans: 100 },
        ],
      }),
      REQ,
    );
    expect(report.findings.map((f) => [f.severity, f.topic, f.count, f.text])).toEqual([
      ['problem', 'session', 100, '100% of LLM calls from service checkout (opentelemetry-instrumentation-openai 0.3) (100 calls of 100) have no session: set gen_ai.conversation.id (or session.id)'],
      ['problem', 'model', 42, '42% of LLM calls from service checkout (opentelemetry-instrumentation-openai 0.3) (42 calls of 100) have no model: set gen_ai.request.model'],
      ['problem', 'cost', 40, '40% of LLM calls from service checkout (opentelemetry-instrumentation-openai 0.3) have no cost, for want of a model or token counts to price: set gen_ai.request.model and the token counts, or set gen_ai.usage.cost'],
      ['warning', 'clock', 7, '7 spans from service checkout (opentelemetry-instrumentation-openai 0.3) ended after the server received them, by up to 2.4 s: its clock runs ahead; sync it with NTP'],
      ['warning', 'tokens', 5, '5% of LLM calls from service checkout (opentelemetry-instrumentation-openai 0.3) (5 calls of 100) have no token counts: set gen_ai.usage.input_tokens and gen_ai.usage.output_tokens'],
      ['warning', 'orphans', 3, '3 spans from service checkout (opentelemetry-instrumentation-openai 0.3) (3%) name a parent that never arrived (waited 60 s): export the parent\'s service to Sightline too, or look for spans its exporter dropped'],
      ['warning', 'cost', 2, 'Model acme-ft has no price, so 2 spans with 1,000 tokens have no cost: add it under prices in the config file, or send the cost with each call'],
      ['info', 'unread_attributes', 100, 'Spans from service checkout (opentelemetry-instrumentation-openai 0.3) carry attributes no mapping reads: server.address (100 spans); they stay plain attributes: if one holds a model, tokens, a session or a decision, send it under a name docs/otlp-mapping.md lists'],
    ]);
  });

  it('names native fields for a Sightline SDK’s events, and asks for decisions only where none are recorded', () => {
    const native = row({ service: 'support', scope: null, scope_version: null, sdk: 'sightline-sdk-js/0.1.0', sdk_version: null, otlp_spans: 0, llm_with_session: 90, llm_with_decision: 0, with_decision: 0, arrival_median_ms: 6 * 60_000 });
    const report = reportOf(figures([native]), REQ);
    expect(report.sources[0]).toMatchObject({ label: 'agent support (sightline-sdk-js 0.1.0)', sdk: { name: 'sightline-sdk-js', version: '0.1.0' }, transport: 'native' });
    expect(report.findings.map((f) => f.text)).toEqual([
      '10% of LLM calls from agent support (sightline-sdk-js 0.1.0) (10 calls of 100) have no session: send session_id',
      'Spans from agent support (sightline-sdk-js 0.1.0) arrive 6 min after they end (median): its clock runs behind, or its exporter holds spans that long; sync the clock with NTP or export more often',
      'No span from agent support (sightline-sdk-js 0.1.0) records a decision (100 LLM calls in range): to see what your agent chose, send decision_made on the call that chooses',
    ]);
    const decidedApart = reportOf(figures([{ ...native, arrival_median_ms: 10, llm_with_session: 100, with_decision: 4 }]), REQ);
    expect(decidedApart.findings).toEqual([]);
  });
});

describe('doctor numbers', () => {
  it('never rounds a part to none or all', () => {
    expect([percent(0, 10), percent(1, 3000), percent(1, 300), percent(42, 100), percent(2999, 3000), percent(5, 5), percent(1, 0)]).toEqual([
      '0%', '0.1%', '0.3%', '42%', '99.9%', '100%', '0%',
    ]);
  });

  it('gives durations a unit', () => {
    expect([duration(12.4), duration(2_400), duration(-90_000), duration(600_000), duration(7_200_000)]).toEqual(['12 ms', '2.4 s', '-90 s', '10 min', '2 h']);
  });
});
