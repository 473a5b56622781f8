// End-to-end: the real server over HTTP — ingest formats, partial rejection, auth, limits,
// restart durability, rollups against raw aggregates, live tail, pricing.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);

function event(i: number, extra: Record<string, unknown> = {}) {
  return {
    timestamp: T0 + i * 1000,
    agent_id: `agent-${i % 3}`,
    trace_id: `trace${String(i).padStart(27, '0')}`,
    span_id: `span${String(i).padStart(12, '0')}`,
    span_type: 'llm_call',
    model: 'my-model',
    tokens_input: 100 + i,
    tokens_output: 10 + i,
    latency_ms: 100 + i,
    cost_usd: 0.001 * (i + 1),
    decision_made: i % 2 === 0 ? 'search' : 'answer',
    confidence: 0.5,
    ...extra,
  };
}

describe('sightline serve over HTTP', () => {
  let server: RunningServer;
  let ingestKey: string;
  let readKey: string;

  beforeAll(async () => {
    server = await startServer();
    const mk = async (scopes: string[]) =>
      (await request(`${server.url}/api/keys`, { key: server.adminKey, body: { scopes } })).body.key as string;
    ingestKey = await mk(['ingest']);
    readKey = await mk(['read']);
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  it('answers health without a key', async () => {
    const r = await request(`${server.url}/api/health`);
    expect(r).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('accepts one object, a JSON array, NDJSON and gzip, and reads each back exactly', async () => {
    const one = event(1, { attributes: { input_category: 'billing', nested: { a: [1, 2] } }, session_id: 's1', user_id: 'u1' });
    expect((await request(`${server.url}/v1/events`, { key: ingestKey, body: one })).body).toEqual({ accepted: 1, rejected: [], rejected_events: 0 });
    expect((await request(`${server.url}/v1/events`, { key: ingestKey, body: [event(2), event(3)] })).body).toMatchObject({ accepted: 2 });
    const ndjson = [event(4), event(5)].map((e) => JSON.stringify(e)).join('\n') + '\n';
    const nd = await request(`${server.url}/v1/events`, { key: ingestKey, raw: ndjson, headers: { 'content-type': 'application/x-ndjson' } });
    expect(nd.body).toMatchObject({ accepted: 2 });
    const gz = await request(`${server.url}/v1/events`, { key: ingestKey, body: [event(6)], gzip: true });
    expect(gz.body).toMatchObject({ accepted: 1 });

    const trace = await request(`${server.url}/api/traces/${one.trace_id}`, { key: readKey });
    expect(trace.status).toBe(200);
    expect(trace.body.trace_id).toBe(one.trace_id);
    expect(trace.body.spans).toHaveLength(1);
    const { ingested_at, ...span } = trace.body.spans[0];
    expect(typeof ingested_at).toBe('number');
    expect(span).toEqual({
      project: 'default',
      timestamp: one.timestamp,
      agent_id: 'agent-1',
      trace_id: one.trace_id,
      span_id: one.span_id,
      parent_span_id: null,
      span_type: 'llm_call',
      name: null,
      model: 'my-model',
      provider: null,
      tokens_input: 101,
      tokens_output: 11,
      tokens_cache_read: 0,
      tokens_cache_write: 0,
      tokens_reasoning: 0,
      latency_ms: 101,
      cost_usd: 0.002,
      cost_source: 'given',
      decision_made: 'answer',
      confidence: 0.5,
      error_type: null,
      error_message: null,
      session_id: 's1',
      user_id: 'u1',
      attributes: { input_category: 'billing', nested: { a: [1, 2] } },
      input: null,
      output: null,
    });
    for (const i of [4, 6]) {
      const r = await request(`${server.url}/api/traces/${event(i).trace_id}`, { key: readKey });
      expect(r.body.spans.map((s: { span_id: string }) => s.span_id)).toEqual([event(i).span_id]);
    }
  });

  it('stores the valid events of a batch and names each problem of the others', async () => {
    const batch = [
      event(10),
      event(11, { confidence: 1.7 }),
      event(12, { tokens_input: -3 }),
      event(13),
      { ...event(14), agent_id: undefined },
    ];
    const r = await request(`${server.url}/v1/events`, { key: ingestKey, body: batch });
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(2);
    expect(r.body.rejected_events).toBe(3);
    expect(r.body.rejected.map((p: { index: number; field: string }) => [p.index, p.field])).toEqual([
      [1, 'confidence'],
      [2, 'tokens_input'],
      [4, 'agent_id'],
    ]);
    expect(r.body.rejected[0].error).toContain('1.7');
    expect(r.body.rejected[1].error).toContain('-3');
    expect((await request(`${server.url}/api/traces/${event(13).trace_id}`, { key: readKey })).status).toBe(200);
    expect((await request(`${server.url}/api/traces/${event(11).trace_id}`, { key: readKey })).status).toBe(404);
  });

  it('rejects a batch where every event is invalid with 400 and the problems', async () => {
    const r = await request(`${server.url}/v1/events`, { key: ingestKey, body: [{ agent_id: 5 }] });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ accepted: 0, rejected_events: 1, rejected: [{ index: 0, field: 'agent_id' }] });
  });

  it('refuses missing, wrong and under-scoped keys', async () => {
    expect((await request(`${server.url}/v1/events`, { body: event(20) })).status).toBe(401);
    expect((await request(`${server.url}/v1/events`, { key: 'sl_nope', body: event(20) })).status).toBe(401);
    const forbidden = await request(`${server.url}/v1/events`, { key: readKey, body: event(20) });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.message).toContain('"ingest" scope');
    expect((await request(`${server.url}/api/overview`, { key: ingestKey })).status).toBe(403);
    expect((await request(`${server.url}/api/overview`)).status).toBe(401);
    expect((await request(`${server.url}/api/keys`, { key: readKey })).status).toBe(403);
  });

  it('answers 415 for an unknown content type and 400 for undecodable JSON', async () => {
    const r = await request(`${server.url}/v1/events`, { key: ingestKey, raw: 'a,b', headers: { 'content-type': 'text/csv' } });
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe('unsupported_media_type');
    const bad = await request(`${server.url}/v1/events`, { key: ingestKey, raw: '{"agent_id":', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
  });

  it('computes cost for an LLM call without one, from the price table', async () => {
    const e = event(30, { model: 'gpt-4o', provider: 'openai', tokens_input: 1_000_000, tokens_output: 100_000, cost_usd: undefined });
    await request(`${server.url}/v1/events`, { key: ingestKey, body: e });
    const span = (await request(`${server.url}/api/traces/${e.trace_id}`, { key: readKey })).body.spans[0];
    // gpt-4o: $2.50 per million input tokens, $10 per million output tokens.
    expect(span.cost_source).toBe('computed');
    expect(span.cost_usd).toBeCloseTo(2.5 + 1.0, 9);
  });

  it('explains bad query parameters', async () => {
    const r = await request(`${server.url}/api/timeseries?metric=bogus`, { key: readKey });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/^metric: "bogus" is not one of count, errors/);
    const g = await request(`${server.url}/api/timeseries?group_by=agent;drop`, { key: readKey });
    expect(g.status).toBe(400);
  });
});

describe('limits', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const dir = (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'sightline-cfg-'));
    const cfg = join(dir, 'sightline.yaml');
    writeFileSync(cfg, 'limits:\n  maxBodyBytes: 2000\n  maxEventsPerRequest: 3\n');
    server = await startServer({ args: ['--config', cfg] });
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  it('answers 413 over the body limit, also when the limit is only passed after decompression', async () => {
    const big = Array.from({ length: 3 }, (_, i) => event(i, { attributes: { pad: 'x'.repeat(900) } }));
    const plain = await request(`${server.url}/v1/events`, { key: server.adminKey, body: big });
    expect(plain.status).toBe(413);
    expect(plain.body.error.message).toContain('2000');
    const zipped = await request(`${server.url}/v1/events`, { key: server.adminKey, body: big, gzip: true });
    expect(zipped.status).toBe(413);
  });

  it('answers 413 over the events-per-request limit', async () => {
    const r = await request(`${server.url}/v1/events`, { key: server.adminKey, body: [event(1), event(2), event(3), event(4)] });
    expect(r.status).toBe(413);
    expect(r.body.error.message).toContain('3');
  });
});
