// End to end against the real Sightline server: events sent by the SDK are read back through the
// query API with exact values.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/test/support/server.js';
import { createSightline } from '../src/index.js';
import { closedPort } from './support/sink.js';

/** Stats of the score queue when no score was sent. */
const NO_SCORES = { queued: 0, sent: 0, dropped: 0, retried: 0, failed: 0 };

interface StoredSpan {
  span_id: string;
  parent_span_id: string | null;
  [k: string]: unknown;
}

async function readTrace(server: RunningServer, traceId: string): Promise<StoredSpan[]> {
  const res = await fetch(`${server.url}/api/traces/${traceId}`, { headers: { authorization: `Bearer ${server.adminKey}` } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { trace_id: string; spans: StoredSpan[] };
  expect(body.trace_id).toBe(traceId);
  return body.spans;
}

describe('TypeScript SDK → real server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  it('stores a nested trace with exact values', async () => {
    const sl = createSightline({ endpoint: server.url, apiKey: server.adminKey, agentId: 'e2e-ts', flushOnExit: false });
    let traceId = '';
    let err: unknown;
    await sl
      .trace('handle ticket', { sessionId: 'sess-1', userId: 'user-9' }, async (root) => {
        traceId = root.traceId;
        sl.llmCall({ name: 'plan', model: 'gpt-4o-mini', provider: 'openai', tokensInput: 1200, tokensOutput: 150, tokensCacheRead: 1000, latencyMs: 640 });
        sl.decision('route', { chosen: 'refund', confidence: 0.82, options: ['refund', 'escalate'] });
        await sl.span('tool_call', 'lookup_order', { attributes: { order: 'A-17' } }, async () => {
          throw new RangeError('order not found');
        });
      })
      .catch((e: unknown) => (err = e));
    expect(err).toBeInstanceOf(RangeError);
    await sl.shutdown();
    expect(sl.stats()).toEqual({ queued: 0, sent: 4, dropped: 0, retried: 0, failed: 0, sampledOut: 0, scores: NO_SCORES });

    const spans = await readTrace(server, traceId);
    const byName = new Map(spans.map((s) => [s.name as string, s]));
    const root = byName.get('handle ticket');
    expect(spans).toHaveLength(4);
    expect(root).toMatchObject({ agent_id: 'e2e-ts', span_type: 'agent_step', session_id: 'sess-1', user_id: 'user-9', error_type: 'RangeError', error_message: 'order not found' });
    expect(root?.parent_span_id ?? null).toBeNull();
    expect(byName.get('plan')).toMatchObject({
      span_type: 'llm_call', model: 'gpt-4o-mini', provider: 'openai', tokens_input: 1200, tokens_output: 150, tokens_cache_read: 1000,
      latency_ms: 640, parent_span_id: root?.span_id, session_id: 'sess-1',
    });
    expect(byName.get('route')).toMatchObject({ span_type: 'decision', decision_made: 'refund', confidence: 0.82, attributes: { options: ['refund', 'escalate'] } });
    expect(byName.get('lookup_order')).toMatchObject({ span_type: 'tool_call', error_type: 'RangeError', error_message: 'order not found', attributes: { order: 'A-17' } });
  });

  it('records wrapped OpenAI calls with their usage', async () => {
    const sl = createSightline({ endpoint: server.url, apiKey: server.adminKey, agentId: 'e2e-ts', flushOnExit: false });
    const openai = sl.wrapOpenAI({
      chat: {
        completions: {
          create: (p: { model: string }) =>
            Promise.resolve({ object: 'chat.completion', model: p.model, choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 50, completion_tokens: 7, total_tokens: 57 } }),
        },
      },
    });
    const traceId = await sl.trace('answer', async (root) => {
      await openai.chat.completions.create({ model: 'gpt-4o' });
      return root.traceId;
    });
    await sl.shutdown();
    const llm = (await readTrace(server, traceId)).find((s) => s.span_type === 'llm_call');
    expect(llm).toMatchObject({ name: 'chat gpt-4o', model: 'gpt-4o', provider: 'openai', tokens_input: 50, tokens_output: 7 });
  });

  it('rejects a bad key with 401: events dropped and counted, not retried', async () => {
    const warnings: string[] = [];
    const sl = createSightline({ endpoint: server.url, apiKey: 'sl_wrong', flushOnExit: false, logger: { warn: (m) => warnings.push(m) } });
    sl.span('custom', 'x', () => 1);
    await sl.shutdown();
    expect(sl.stats()).toMatchObject({ sent: 0, failed: 1, retried: 0 });
    expect(warnings[0]).toMatch(/^server refused a batch with HTTP 401: /);
  });
});

describe('server down at start, then up', () => {
  it('loses nothing within the queue bound', async () => {
    const port = await closedPort();
    const adminKey = `sl_admin_e2e_${process.pid}_0123456789abcdef`;
    const sl = createSightline({ endpoint: `http://127.0.0.1:${port}`, apiKey: adminKey, agentId: 'late-server', flushOnExit: false, flushIntervalMs: 50, retryBaseMs: 100, retryMaxMs: 500, maxRetries: 60 });
    const traceId = sl.trace('early', (root) => {
      for (let i = 0; i < 99; i++) sl.toolCall(`call-${i}`, { latencyMs: i });
      return root.traceId;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(sl.stats().retried).toBeGreaterThan(0);
    const server = await startServer({ adminKey, args: ['--port', String(port)] });
    try {
      expect(server.port).toBe(port);
      await sl.flush();
      expect(sl.stats()).toMatchObject({ sent: 100, dropped: 0, failed: 0 });
      const spans = await readTrace(server, traceId);
      expect(spans).toHaveLength(100);
    } finally {
      await sl.shutdown();
      await server.stop({ remove: true });
    }
  });
});
