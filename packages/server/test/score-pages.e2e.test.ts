// The score routes the dashboard's pages read, on the real server: a trace's scores (its spans'
// included) and whether the key may add one, a reviewer's score with an annotate key (refused to
// read and ingest keys), a session's scores with its traces', and the quality panel's summary
// against the previous covered period, for the fleet and for one agent.

import type { ScoreSummaryReply, SessionScoresReply, TraceScoresReply } from '@sightline/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const MIN = 60_000;
const TO = Math.floor(Date.now() / MIN) * MIN;
const FROM = TO - 60 * MIN;

let server: RunningServer;
let keys: Record<'ingest' | 'read' | 'annotate', string>;

beforeAll(async () => {
  server = await startServer();
  const mk = async (scopes: string[]) => (await request(`${server.url}/api/keys`, { key: server.adminKey, body: { scopes } })).body.key as string;
  keys = { ingest: await mk(['ingest']), read: await mk(['read']), annotate: await mk(['annotate']) };
  const events = [
    { trace_id: 'tr-1', span_id: 's1', agent_id: 'support', span_type: 'llm_call', model: 'gpt-4o', timestamp: TO - 40 * MIN, session_id: 'chat-1' },
    { trace_id: 'tr-1', span_id: 's2', parent_span_id: 's1', agent_id: 'support', span_type: 'tool_call', name: 'lookup', timestamp: TO - 40 * MIN + 500, session_id: 'chat-1' },
    { trace_id: 'tr-2', span_id: 'b1', agent_id: 'billing', span_type: 'llm_call', model: 'gpt-4o', timestamp: TO - 30 * MIN },
  ];
  expect((await request(`${server.url}/v1/events`, { key: keys.ingest, body: events })).status).toBe(200);
  const at = (min: number) => TO - min * MIN;
  const scores = [
    // The previous covered period: [first score, FROM).
    { score_id: 'old-h', trace_id: 'tr-1', name: 'helpfulness', value: 0.9, source: 'evaluator', timestamp: FROM - 30 * MIN },
    { score_id: 'old-t', trace_id: 'tr-1', name: 'thumbs', value: true, source: 'user', timestamp: FROM - 20 * MIN },
    // The range.
    { score_id: 'h1', trace_id: 'tr-1', name: 'helpfulness', value: 0.5, source: 'evaluator', timestamp: at(39), comment: 'missed the policy' },
    { score_id: 'h2', trace_id: 'tr-1', span_id: 's2', name: 'helpfulness', value: 0.7, source: 'evaluator', timestamp: at(38) },
    { score_id: 'h3', trace_id: 'tr-2', name: 'helpfulness', value: 0.2, source: 'evaluator', timestamp: at(29) },
    { score_id: 't1', trace_id: 'tr-1', name: 'thumbs', value: true, source: 'user', timestamp: at(37), author: 'u-42' },
    { score_id: 't2', trace_id: 'tr-1', name: 'thumbs', value: false, source: 'user', timestamp: at(36) },
    { score_id: 't3', trace_id: 'tr-2', name: 'thumbs', value: true, source: 'user', timestamp: at(28) },
    { score_id: 'r1', session_id: 'chat-1', name: 'resolved', value: 'yes', source: 'human', timestamp: at(35) },
  ];
  const r = await request(`${server.url}/v1/scores`, { key: keys.ingest, body: scores });
  expect(r.body).toEqual({ accepted: scores.length, rejected: [], rejected_events: 0 });
}, 60_000);

afterAll(async () => {
  await server?.stop({ remove: true });
});

const get = async <T>(path: string, key: string) => request<T>(`${server.url}${path}`, { key });
const ids = (scores: { score_id: string }[]) => scores.map((s) => s.score_id);

describe('GET /api/traces/:id/scores', () => {
  it("lists the trace's and its spans' scores newest first and tells a read key it cannot score, and why", async () => {
    const r = await get<TraceScoresReply>('/api/traces/tr-1/scores', keys.read);
    expect(r.status).toBe(200);
    expect(ids(r.body.scores)).toEqual(['t2', 't1', 'h2', 'h1', 'old-t', 'old-h']);
    expect(r.body.scores.find((s) => s.score_id === 'h2')).toMatchObject({ target: 'span', span_id: 's2', value: 0.7, kind: 'number', source: 'evaluator' });
    expect(r.body.can_score).toBe(false);
    expect(r.body.cannot_score_reason).toBe('this API key has the read scope; scoring a trace needs a key with the annotate scope');
    const annotate = await get<TraceScoresReply>('/api/traces/tr-1/scores', keys.annotate);
    expect([annotate.body.can_score, annotate.body.cannot_score_reason]).toEqual([true, null]);
  });

  it('refuses an ingest-only key: it cannot read', async () => {
    const r = await get('/api/traces/tr-1/scores', keys.ingest);
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: { code: 'forbidden', message: 'this API key lacks the "read" scope (it has: ingest)' } });
  });
});

describe("a reviewer's score", () => {
  it('is stored from an annotate key as source human with the key as author, and listed on the trace', async () => {
    const r = await request(`${server.url}/api/traces/tr-2/scores`, { key: keys.annotate, body: { name: 'correctness', value: 0.25, comment: 'wrong refund amount' } });
    expect(r.status).toBe(201);
    expect(r.body.score).toMatchObject({ target: 'trace', trace_id: 'tr-2', name: 'correctness', kind: 'number', value: 0.25, source: 'human', comment: 'wrong refund amount', author: `key ${keys.annotate.slice(0, 10)}…` });
    const listed = await get<TraceScoresReply>('/api/traces/tr-2/scores', keys.read);
    expect(listed.body.scores[0]).toEqual(r.body.score);
  });

  it('is refused from a read key and from an ingest key, storing nothing', async () => {
    for (const [key, scopes] of [[keys.read, 'read'], [keys.ingest, 'ingest']] as const) {
      const r = await request(`${server.url}/api/traces/tr-2/scores`, { key, body: { name: 'correctness', value: 1 } });
      expect(r.status).toBe(403);
      expect(r.body.error.message).toBe(`this API key lacks the "annotate" scope (it has: ${scopes})`);
    }
    const listed = (await get<TraceScoresReply>('/api/traces/tr-2/scores', keys.read)).body.scores;
    expect(listed.filter((s) => s.name === 'correctness').map((s) => s.value)).toEqual([0.25]);
  });
});

describe('GET /api/sessions/:id/scores', () => {
  it("lists the session's scores with those of its traces, which do not name the session", async () => {
    const r = await get<SessionScoresReply>('/api/sessions/chat-1/scores', keys.read);
    expect(r.status).toBe(200);
    expect(ids(r.body.scores)).toEqual(['r1', 't2', 't1', 'h2', 'h1', 'old-t', 'old-h']);
    expect((await get<SessionScoresReply>('/api/sessions/nobody/scores', keys.read)).body.scores).toEqual([]);
  });
});

describe('GET /api/scores/summary', () => {
  it('gives each name its count, mean or labels and the change against the previous covered period', async () => {
    const r = await get<ScoreSummaryReply>(`/api/scores/summary?from=${FROM}&to=${TO}`, keys.read);
    expect(r.status).toBe(200);
    expect(r.body.covered).toEqual({ from: FROM, to: TO });
    expect(r.body.previous_covered).toEqual({ from: FROM - 30 * MIN, to: FROM });
    const byName = Object.fromEntries(r.body.names.map((n) => [n.name, n]));
    expect(r.body.names.map((n) => n.name)).toEqual(['helpfulness', 'thumbs', 'resolved']);
    expect(byName.helpfulness!.kind).toBe('number');
    expect(byName.helpfulness!.current.count).toBe(3);
    expect(byName.helpfulness!.current.mean).toBeCloseTo(1.4 / 3, 12);
    expect(byName.helpfulness!.previous).toEqual({ count: 1, mean: 0.9, labels: {} });
    expect(byName.helpfulness!.mean_change).toBeCloseTo(1.4 / 3 - 0.9, 12);
    expect(byName.thumbs).toMatchObject({ kind: 'boolean', current: { count: 3, labels: {} }, previous: { count: 1, mean: 1 } });
    expect(byName.thumbs!.current.mean).toBeCloseTo(2 / 3, 12);
    expect(byName.resolved).toEqual({ name: 'resolved', kind: 'category', current: { count: 1, mean: null, labels: { yes: 1 } }, previous: null, mean_change: null });
  });

  it("narrows to one agent's judged traces", async () => {
    const r = await get<ScoreSummaryReply>(`/api/scores/summary?from=${FROM}&to=${TO}&agent=billing`, keys.read);
    expect(r.body.names.map((n) => [n.name, n.current.count, n.current.mean, n.previous])).toEqual([
      ['helpfulness', 1, 0.2, null],
      ['thumbs', 1, 1, null],
    ]);
    expect(r.body.previous_covered).toBeNull();
  });
});
