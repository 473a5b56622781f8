// Scores end to end on the real server: POST /v1/scores (one, an array, NDJSON, gzip; partial
// rejection; Idempotency-Key and score ids), GenAI evaluation events sent by the stock
// OpenTelemetry SDK and exporter, reads by trace and session, rollups by agent and decision, and
// the /metrics series.

import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { exportingTracer } from './support/otlp-export.js';
import { startServer, type RunningServer } from './support/server.js';

let server: RunningServer;
let ingestKey: string;
let readKey: string;
const NOW = Date.now();
const T = NOW - 10 * 60_000;

beforeAll(async () => {
  server = await startServer();
  const mk = async (scopes: string[]) => (await request(`${server.url}/api/keys`, { key: server.adminKey, body: { scopes } })).body.key as string;
  ingestKey = await mk(['ingest']);
  readKey = await mk(['read']);
  // Two traces of two agents that chose differently.
  const events = [
    { trace_id: 'tr-refund', span_id: 'r1', agent_id: 'support', span_type: 'llm_call', model: 'gpt-4o', timestamp: T, session_id: 'chat-9', tokens_input: 10, tokens_output: 5 },
    { trace_id: 'tr-refund', span_id: 'r2', parent_span_id: 'r1', agent_id: 'support', span_type: 'decision', decision_made: 'refund', timestamp: T + 1_000, session_id: 'chat-9' },
    { trace_id: 'tr-escalate', span_id: 'e1', agent_id: 'billing', span_type: 'llm_call', model: 'claude-3-5-sonnet', decision_made: 'escalate', timestamp: T + 2_000 },
  ];
  expect((await request(`${server.url}/v1/events`, { key: ingestKey, body: events })).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await server?.stop({ remove: true });
});

const scoresOf = async (query: string) => (await request(`${server.url}/api/scores?${query}`, { key: readKey })).body.scores as Record<string, unknown>[];

describe('POST /v1/scores', () => {
  it('stores one score, answers like /v1/events, and lists it on its trace', async () => {
    const reply = await request(`${server.url}/v1/scores`, {
      key: ingestKey,
      body: { score_id: 'fb-1', trace_id: 'tr-refund', name: 'thumbs', value: true, source: 'user', comment: 'solved it', author: 'u-42', timestamp: T + 60_000 },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ accepted: 1, rejected: [], rejected_events: 0 });
    expect(await scoresOf('trace_id=tr-refund')).toEqual([
      {
        project: 'default', score_id: 'fb-1', timestamp: T + 60_000, target: 'trace', trace_id: 'tr-refund', span_id: null, session_id: null,
        name: 'thumbs', kind: 'boolean', value: 1, label: null, source: 'user', comment: 'solved it', author: 'u-42', ingested_at: expect.any(Number),
      },
    ]);
  });

  it('keeps the good scores of an NDJSON gzip batch and names each bad one by index and field', async () => {
    const lines = [
      JSON.stringify({ score_id: 'ev-1', trace_id: 'tr-refund', span_id: 'r1', name: 'helpfulness', value: 0.4, source: 'evaluator', timestamp: T + 61_000 }),
      JSON.stringify({ trace_id: 'tr-escalate', name: 'helpfulness', value: 'NaN-ish', source: 'robot' }),
      '{not json',
      JSON.stringify({ name: 'helpfulness', value: 1 }),
      JSON.stringify({ score_id: 'ev-2', trace_id: 'tr-escalate', name: 'helpfulness', value: 0.9, source: 'evaluator', timestamp: T + 62_000 }),
      JSON.stringify({ score_id: 'ss-1', session_id: 'chat-9', name: 'resolved', value: 'yes', source: 'human', timestamp: T + 63_000 }),
    ];
    const reply = await request(`${server.url}/v1/scores`, { key: ingestKey, raw: lines.join('\n'), headers: { 'content-type': 'application/x-ndjson' }, gzip: true });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      accepted: 3,
      rejected: [
        { index: 1, field: 'source', error: 'source: must be one of user, evaluator, human, api, got "robot"' },
        { index: 2, field: 'score', error: expect.stringMatching(/^line 3: invalid JSON: /) },
        { index: 3, field: 'target', error: 'target: a score needs a trace_id, a span_id (with its trace_id) or a session_id to judge' },
      ],
      rejected_events: 3,
    });
    expect((await scoresOf('session_id=chat-9')).map((s) => [s.score_id, s.target, s.label])).toEqual([['ss-1', 'session', 'yes']]);
  });

  it('answers 400 when every score is bad, storing nothing', async () => {
    const reply = await request(`${server.url}/v1/scores`, { key: ingestKey, body: [{ trace_id: 'tr-refund', name: 'x', value: { a: 1 } }] });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      accepted: 0,
      rejected: [{ index: 0, field: 'value', error: 'value: must be a finite number, a boolean or a category (a string), got an object' }],
      rejected_events: 1,
    });
    expect((await scoresOf('trace_id=tr-refund&name=x')).length).toBe(0);
  });

  it('stores a retried request once (Idempotency-Key replays the first answer; a reused key with another body is refused) and a resent score id replaces its score', async () => {
    const body = [{ score_id: 'idem-1', trace_id: 'tr-escalate', name: 'thumbs', value: false, source: 'user', timestamp: T + 70_000 }];
    const first = await request(`${server.url}/v1/scores`, { key: ingestKey, body, headers: { 'idempotency-key': 'retry-me' } });
    const again = await request(`${server.url}/v1/scores`, { key: ingestKey, body, headers: { 'idempotency-key': 'retry-me' } });
    expect([first.status, again.status, again.headers.get('idempotent-replayed')]).toEqual([200, 200, 'true']);
    expect(again.body).toEqual(first.body);
    const reused = await request(`${server.url}/v1/scores`, { key: ingestKey, body: [{ ...body[0], value: true }], headers: { 'idempotency-key': 'retry-me' } });
    expect(reused.status).toBe(422);
    // The user changes their mind: same score id, new value, one score.
    expect((await request(`${server.url}/v1/scores`, { key: ingestKey, body: [{ ...body[0], value: true }] })).status).toBe(200);
    expect((await scoresOf('trace_id=tr-escalate&name=thumbs')).map((s) => [s.score_id, s.value])).toEqual([['idem-1', 1]]);
  });

  it('refuses a read key (403) and an unknown field by name', async () => {
    expect((await request(`${server.url}/v1/scores`, { key: readKey, body: { trace_id: 't', name: 'n', value: 1 } })).status).toBe(403);
    const reply = await request(`${server.url}/v1/scores`, { key: ingestKey, body: { trace_id: 't', name: 'n', value: 1, scroe: 2 } });
    expect(reply.body.rejected).toEqual([{ index: 0, field: 'scroe', error: expect.stringMatching(/^scroe: unknown field; a score has score_id, id, timestamp/) }]);
  });
});

describe('OTLP gen_ai.evaluation.result events', () => {
  it('become span scores: value, label, explanation; a failed evaluation is skipped', async () => {
    const otel = exportingTracer(server, 'protobuf', 'support');
    const span = otel.tracer.startSpan('chat gpt-4o', { kind: SpanKind.CLIENT, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' } });
    span.addEvent('gen_ai.evaluation.result', {
      'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 0.75, 'gen_ai.evaluation.score.label': 'relevant', 'gen_ai.evaluation.explanation': 'answers the question',
    });
    span.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'correctness', 'gen_ai.evaluation.score.label': 'incorrect' });
    span.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'toxicity', 'error.type': 'timeout' });
    span.end();
    await otel.finish();
    expect(otel.results.map((r) => r.code)).toEqual([0]);
    const { traceId, spanId } = span.spanContext();
    const scores = await scoresOf(`trace_id=${traceId}`);
    expect(scores.map((s) => [s.score_id, s.target, s.span_id, s.name, s.kind, s.value, s.label, s.source, s.comment])).toEqual([
      [`otel:${traceId}:${spanId}:0`, 'span', spanId, 'relevance', 'number', 0.75, 'relevant', 'evaluator', 'answers the question'],
      [`otel:${traceId}:${spanId}:1`, 'span', spanId, 'correctness', 'category', null, 'incorrect', 'evaluator', null],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
  });
});

describe('GET /api/scores/rollup and /metrics', () => {
  it('rolls helpfulness up by agent and decision from the judged traces, with means', async () => {
    const url = `${server.url}/api/scores/rollup?from=${T}&to=${NOW + 60_000}&bucket=1d&group_by=agent,decision&name=helpfulness`;
    const reply = await request(url, { key: readKey });
    expect(reply.status).toBe(200);
    expect(reply.body.rows.map((r: Record<string, unknown>) => [r.group, r.count, r.mean])).toEqual([
      [['billing', 'escalate'], 1, 0.9],
      [['support', 'refund'], 1, 0.4],
    ]);
    const bad = await request(`${server.url}/api/scores/rollup?group_by=agent,colour`, { key: readKey });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('group_by: "colour" is not one of name, source, agent, model, decision');
  });

  it('exposes score counts and sums per project, name and source', async () => {
    const text = (await request(`${server.url}/metrics`, { key: server.adminKey })).body as string;
    const line = (name: string, labels: string) => text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
    expect(line('sightline_scores_total', 'project="default",name="helpfulness",source="evaluator"')).toBe('sightline_scores_total{project="default",name="helpfulness",source="evaluator"} 2');
    expect(line('sightline_score_value_sum', 'project="default",name="helpfulness",source="evaluator"')).toBe('sightline_score_value_sum{project="default",name="helpfulness",source="evaluator"} 1.3');
    expect(line('sightline_score_value_count', 'project="default",name="thumbs",source="user"')).toBe('sightline_score_value_count{project="default",name="thumbs",source="user"} 3');
  });
});

describe('annotate scope', () => {
  it('lets a reviewer read and score a trace by hand, and nothing an admin key does', async () => {
    const created = await request(`${server.url}/api/keys`, { key: server.adminKey, body: { scopes: ['annotate'] } });
    expect(created.status).toBe(201);
    const reviewer = created.body.key as string;
    expect((await request(`${server.url}/api/traces/tr-refund`, { key: reviewer })).status).toBe(200);
    const scored = await request(`${server.url}/api/traces/tr-refund/scores`, {
      key: reviewer,
      body: { score_id: 'rev-1', name: 'correct', value: false, comment: 'refund was not due', timestamp: T + 80_000 },
    });
    expect(scored.status).toBe(201);
    expect(scored.body.score).toMatchObject({ score_id: 'rev-1', target: 'trace', trace_id: 'tr-refund', kind: 'boolean', value: 0, source: 'human', author: `key ${reviewer.slice(0, 10)}…` });
    expect((await scoresOf('trace_id=tr-refund&name=correct')).map((s) => [s.score_id, s.source, s.comment])).toEqual([['rev-1', 'human', 'refund was not due']]);
    const bad = await request(`${server.url}/api/traces/tr-refund/scores`, { key: reviewer, body: { name: 'correct' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('value: must be a finite number, a boolean or a category (a string), got undefined');
    // A read key may not score; an annotate key may not ingest nor manage keys.
    expect((await request(`${server.url}/api/traces/tr-refund/scores`, { key: readKey, body: { name: 'correct', value: true } })).status).toBe(403);
    expect((await request(`${server.url}/v1/scores`, { key: reviewer, body: { trace_id: 'tr-refund', name: 'x', value: 1 } })).status).toBe(403);
    expect((await request(`${server.url}/api/keys`, { key: reviewer, body: { scopes: ['read'] } })).status).toBe(403);
  });
});

describe('GET /api/insights/scores', () => {
  it('summarises one score name with its groups, and refuses a request without a name', async () => {
    const reply = await request(`${server.url}/api/insights/scores?name=helpfulness&range=1h`, { key: readKey });
    expect(reply.status).toBe(200);
    expect(reply.body.summary).toBe('helpfulness averages 0.65 (2 scores); no baseline to compare with');
    expect(reply.body.by_decision.map((g: { value: string; current: { mean: number } }) => [g.value, g.current.mean])).toEqual([['escalate', 0.9], ['refund', 0.4]]);
    const missing = await request(`${server.url}/api/insights/scores`, { key: readKey });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe('name: required: the score name (at most 256 characters), e.g. name=helpfulness');
  });
});
