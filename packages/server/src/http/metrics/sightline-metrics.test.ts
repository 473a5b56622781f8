import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Span } from '../../model/span.js';
import { createSightlineMetrics, onlyProject } from './sightline-metrics.js';

const T0 = Date.UTC(2025, 0, 1);

function span(over: Partial<Span>): Span {
  return {
    project: 'default', timestamp: T0, agent_id: 'bot', trace_id: 't', span_id: 's', parent_span_id: null,
    span_type: 'llm_call', name: null, model: 'gpt-4o', provider: null, tokens_input: 100, tokens_output: 10,
    tokens_cache_read: 40, tokens_cache_write: 0, tokens_reasoning: 0, latency_ms: 300, cost_usd: 0.5,
    cost_source: 'given', decision_made: null, confidence: null, error_type: null, error_message: null,
    session_id: null, user_id: null, attributes: {}, input: null, output: null, ingested_at: T0, ...over,
  };
}

const sources = { queuedSpans: () => 3, liveClients: () => 1, storeStats: async () => ({ spans: 7, bytes: 4096 }) };

/** Samples of one metric (no HELP/TYPE lines). */
const samples = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

describe('Sightline metrics', () => {
  it('records business metrics with GenAI names and bucket boundaries, and passes promtool', async () => {
    const m = createSightlineMetrics({ maxSeries: 100, decisionLabel: false }, sources, () => T0);
    m.onCommit([span({}), span({ error_type: 'timeout', tokens_input: 5000, latency_ms: 1500 })], 2);
    const text = await m.render(null);
    expect(samples(text, 'sightline_agent_spans_total')).toEqual(['sightline_agent_spans_total{project="default",agent="bot",model="gpt-4o",span_type="llm_call"} 2']);
    expect(samples(text, 'sightline_agent_errors_total')).toEqual(['sightline_agent_errors_total{project="default",agent="bot",model="gpt-4o",span_type="llm_call"} 1']);
    expect(samples(text, 'sightline_agent_tokens_total')).toEqual([
      'sightline_agent_tokens_total{project="default",agent="bot",model="gpt-4o",span_type="llm_call",token_type="input"} 5100',
      'sightline_agent_tokens_total{project="default",agent="bot",model="gpt-4o",span_type="llm_call",token_type="output"} 20',
      'sightline_agent_tokens_total{project="default",agent="bot",model="gpt-4o",span_type="llm_call",token_type="cache_read"} 80',
    ]);
    expect(samples(text, 'gen_ai_client_token_usage_bucket').map((l) => /le="([^"]+)"/.exec(l)![1])).toEqual(
      ['input', 'output'].flatMap(() => ['1', '4', '16', '64', '256', '1024', '4096', '16384', '65536', '262144', '1048576', '4194304', '16777216', '67108864', '+Inf']),
    );
    expect(samples(text, 'gen_ai_client_operation_duration_seconds_bucket').map((l) => /le="([^"]+)"/.exec(l)![1])).toEqual(
      ['0.01', '0.02', '0.04', '0.08', '0.16', '0.32', '0.64', '1.28', '2.56', '5.12', '10.24', '20.48', '40.96', '81.92', '+Inf'],
    );
    expect(samples(text, 'gen_ai_client_operation_duration_seconds_sum')).toEqual([
      'gen_ai_client_operation_duration_seconds_sum{project="default",agent="bot",model="gpt-4o",span_type="llm_call"} 1.8',
    ]);
    expect(samples(text, 'sightline_ingest_spans_total')).toEqual(['sightline_ingest_spans_total 2']);
    expect(samples(text, 'sightline_ingest_queue_spans')).toEqual(['sightline_ingest_queue_spans 3']);
    expect(samples(text, 'sightline_store_bytes')).toEqual(['sightline_store_bytes 4096']);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: check.status, out: check.stdout + check.stderr }).toEqual({ status: 0, out: '' });
  });

  it('caps label sets, dropping and counting the excess', async () => {
    const m = createSightlineMetrics({ maxSeries: 2, decisionLabel: false }, sources);
    m.onCommit(['a', 'b', 'c', 'c', 'd', 'a'].map((agent_id) => span({ agent_id })), 1);
    const text = await m.render(null);
    expect(samples(text, 'sightline_agent_spans_total').map((l) => l.replace(/,model.*\}/, '}'))).toEqual([
      'sightline_agent_spans_total{project="default",agent="a"} 2',
      'sightline_agent_spans_total{project="default",agent="b"} 1',
    ]);
    expect(samples(text, 'sightline_metrics_series_dropped_total')).toEqual(['sightline_metrics_series_dropped_total 2']);
    expect(samples(text, 'sightline_metrics_spans_dropped_total')).toEqual(['sightline_metrics_spans_dropped_total 3']);
    expect(samples(text, 'sightline_metrics_series')).toEqual(['sightline_metrics_series 2']);
  });

  it('labels decisions only for the configured agents', async () => {
    const m = createSightlineMetrics({ maxSeries: 100, decisionLabel: ['router'] }, sources);
    m.onCommit([span({ agent_id: 'router', decision_made: 'refund' }), span({ agent_id: 'other', decision_made: 'refund' })], 1);
    expect(samples(await m.render(null), 'sightline_agent_spans_total')).toEqual([
      'sightline_agent_spans_total{project="default",agent="router",model="gpt-4o",span_type="llm_call",decision="refund"} 1',
      'sightline_agent_spans_total{project="default",agent="other",model="gpt-4o",span_type="llm_call",decision=""} 1',
    ]);
  });

  it("shows a read key only its own project's agent series, however labels are spelled", async () => {
    const m = createSightlineMetrics({ maxSeries: 100, decisionLabel: false }, sources);
    m.onCommit([span({ project: 'a' }), span({ project: 'ab' }), span({ project: 'b', agent_id: 'x,project="a"' })], 1);
    const text = await m.render('a');
    expect(samples(text, 'sightline_agent_spans_total')).toEqual(['sightline_agent_spans_total{project="a",agent="bot",model="gpt-4o",span_type="llm_call"} 1']);
    // Instance-wide series (no project label) are the instance admin's and the scrape token's.
    expect(samples(text, 'sightline_ingest_spans_total')).toEqual([]);
    expect(await m.render(null)).toContain('\nsightline_ingest_spans_total 3\n');
    expect(onlyProject('m{project="a\\"b"} 1\nm{project="a"} 2', 'a"b')).toBe('m{project="a\\"b"} 1\n');
    expect(samples(text, 'gen_ai_client_token_usage_count')).toEqual([
      'gen_ai_client_token_usage_count{project="a",agent="bot",model="gpt-4o",span_type="llm_call",token_type="input"} 1',
      'gen_ai_client_token_usage_count{project="a",agent="bot",model="gpt-4o",span_type="llm_call",token_type="output"} 1',
    ]);
    expect(samples(text, 'gen_ai_client_token_usage_bucket').filter((l) => !l.includes('project="a"'))).toEqual([]);
    expect(onlyProject('m{le="1",agent="x,project=\\"a\\"",project="b"} 1\nm{le="1",project="a"} 2', 'a')).toBe('m{le="1",project="a"} 2\n');
  });

  it('never writes a control character of an id raw into a label (a NUL corrupts the text format)', async () => {
    const m = createSightlineMetrics({ maxSeries: 100, decisionLabel: true }, sources, () => T0);
    m.onCommit([span({ agent_id: 'nul\u0000byte', model: 'line\nbreak', decision_made: 'tab\tbed' })], 1);
    const text = await m.render(null);
    expect(/[\u0000-\u0009\u000b-\u001f]/.test(text)).toBe(false);
    expect(samples(text, 'sightline_agent_spans_total')).toEqual([
      'sightline_agent_spans_total{project="default",agent="nul\\\\u0000byte",model="line\\\\u000abreak",span_type="llm_call",decision="tab\\\\u0009bed"} 1',
    ]);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.status).toBe(0);
  });
});
