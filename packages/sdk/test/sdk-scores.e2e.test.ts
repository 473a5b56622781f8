// score() and feedback() end to end: queued in the background, sent to /v1/scores of the real
// server, read back with GET /api/scores with exact values.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/test/support/server.js';
import { createSightline } from '../src/index.js';

async function scoresOf(server: RunningServer, query: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${server.url}/api/scores?${query}`, { headers: { authorization: `Bearer ${server.adminKey}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { scores: Record<string, unknown>[] }).scores;
}

describe('TypeScript SDK scores → real server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  it('sends evaluator scores and user feedback of the current trace, a span and a session', async () => {
    const logged: string[] = [];
    const sl = createSightline({
      endpoint: server.url, apiKey: server.adminKey, agentId: 'e2e-scores', flushOnExit: false,
      logger: { warn: (m: string) => logged.push(m) },
    });
    let traceId = '';
    let spanId = '';
    sl.trace('answer', { sessionId: 'conv-5' }, (root) => {
      traceId = root.traceId;
      sl.span('llm_call', 'draft', (s) => {
        spanId = s.spanId;
      });
      sl.score({ name: 'helpfulness', value: 0.75, source: 'evaluator', comment: 'cites the policy', scoreId: 'ev-1', timestamp: 1_767_225_600_000 });
    });
    sl.score({ name: 'groundedness', value: 'grounded', traceId, spanId, source: 'evaluator', scoreId: 'ev-2', timestamp: 1_767_225_601_000 });
    sl.feedback({ traceId, value: false, comment: 'wrong amount', userId: 'u-42', scoreId: 'fb-1', timestamp: 1_767_225_602_000 });
    sl.feedback({ sessionId: 'conv-5', name: 'csat', value: 4, scoreId: 'fb-2', timestamp: 1_767_225_603_000 });
    // Outside a trace and naming nothing: dropped with a warning, never thrown.
    sl.score({ name: 'orphan', value: 1 });
    await sl.shutdown();
    expect(sl.stats().scores).toEqual({ queued: 0, sent: 4, dropped: 0, retried: 0, failed: 0 });
    expect(logged).toEqual([expect.stringContaining('score "orphan" names no trace, span or session and was called outside a trace')]);

    const ofTrace = await scoresOf(server, `trace_id=${traceId}`);
    expect(ofTrace.map((s) => [s.score_id, s.target, s.span_id, s.name, s.kind, s.value, s.label, s.source, s.comment, s.author])).toEqual([
      ['fb-1', 'trace', null, 'user_feedback', 'boolean', 0, null, 'user', 'wrong amount', 'u-42'],
      ['ev-2', 'span', spanId, 'groundedness', 'category', null, 'grounded', 'evaluator', null, null],
      ['ev-1', 'trace', null, 'helpfulness', 'number', 0.75, null, 'evaluator', 'cites the policy', null],
    ]);
    const ofSession = await scoresOf(server, 'session_id=conv-5');
    expect(ofSession.map((s) => [s.score_id, s.target, s.name, s.value, s.source])).toEqual([['fb-2', 'session', 'csat', 4, 'user']]);
  });
});
