// A client retrying a batch after a lost response (same Idempotency-Key, as the SDKs send) gets
// the first answer and the batch is stored once — also across a restart, and for a retry that
// races the first attempt; on /v1/events and on OTLP /v1/traces (protobuf and JSON).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { genAiTracePayload, type OtlpFormat } from './support/otlp.js';
import { startServer, type RunningServer } from './support/server.js';

const NOW = Date.now();
const batch = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ agent_id: `idem-${tag}`, trace_id: `${tag}${String(i).padStart(32 - tag.length, '0')}`, timestamp: NOW }));

describe('Idempotency-Key', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  const spansOf = async (s: RunningServer, agent: string) =>
    (await request(`${s.url}/api/timeseries?metric=count&interval=1h&range=2h&agent=${agent}`, { key: s.adminKey })).body.series[0].points.reduce(
      (sum: number, [, v]: [number, number]) => sum + v,
      0,
    );

  it('stores a retried batch once and answers the retry with the first response', async () => {
    const post = () => request(`${server.url}/v1/events`, { key: server.adminKey, body: [...batch('a', 5), { agent_id: 7 }], headers: { 'idempotency-key': 'batch-a-1' } });
    const first = await post();
    const retry = await post();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ accepted: 5, rejected_events: 1 });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(await spansOf(server, 'idem-a')).toBe(5);
  });

  it('stores racing duplicates once', async () => {
    const post = () => request(`${server.url}/v1/events`, { key: server.adminKey, body: batch('b', 50), headers: { 'idempotency-key': 'batch-b' } });
    const replies = await Promise.all([post(), post(), post()]);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(replies.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(2);
    expect(await spansOf(server, 'idem-b')).toBe(50);
  });

  it('remembers keys across a restart, because they are committed with the spans', async () => {
    const body = batch('c', 3);
    expect((await request(`${server.url}/v1/events`, { key: server.adminKey, body, headers: { 'idempotency-key': 'batch-c' } })).status).toBe(200);
    const { dataDir, adminKey } = server;
    await server.stop();
    server = await startServer({ dataDir, adminKey });
    const retry = await request(`${server.url}/v1/events`, { key: adminKey, body, headers: { 'idempotency-key': 'batch-c' } });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await spansOf(server, 'idem-c')).toBe(3);
  });

  it('scopes keys by project and rejects malformed keys', async () => {
    const other = (await request(`${server.url}/api/keys`, { key: server.adminKey, body: { project: 'other', scopes: ['ingest', 'read'] } })).body.key as string;
    const r = await request(`${server.url}/v1/events`, { key: other, body: batch('d', 2), headers: { 'idempotency-key': 'batch-a-1' } });
    expect(r.headers.get('idempotent-replayed')).toBeNull();
    expect(r.body).toMatchObject({ accepted: 2 });
    const bad = await request(`${server.url}/v1/events`, { key: server.adminKey, body: batch('e', 1), headers: { 'idempotency-key': 'x'.repeat(129) } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('Idempotency-Key: must be 1 to 128 visible ASCII characters');
  });

  const traceSpans = async (s: RunningServer, traceId: string) =>
    (await request(`${s.url}/api/traces/${traceId}`, { key: s.adminKey })).body.spans.map((x: { name: string }) => x.name).sort();

  it.each<OtlpFormat>(['protobuf', 'json'])('replays the first OTLP %s response byte for byte and stores the trace once', async (format) => {
    const payload = await genAiTracePayload(format, `otlp-idem-${format}`, NOW);
    const post = (key: string) =>
      fetch(`${server.url}/v1/traces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': payload.contentType, 'idempotency-key': key },
        body: new Uint8Array(payload.body),
      });
    const first = await post(`otlp-${format}`);
    const firstBytes = Buffer.from(await first.arrayBuffer());
    const replies = await Promise.all([post(`otlp-${format}`), post(`otlp-${format}`)]);
    expect([first.status, ...replies.map((r) => r.status)]).toEqual([200, 200, 200]);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    for (const r of replies) {
      expect(r.headers.get('idempotent-replayed')).toBe('true');
      expect(r.headers.get('content-type')).toBe(payload.contentType);
      expect(Buffer.from(await r.arrayBuffer())).toEqual(firstBytes);
    }
    expect(await traceSpans(server, payload.traceId)).toEqual(['chat gpt-4o', 'execute_tool lookup', 'invoke_agent']);
  });

  it('keeps OTLP keys apart from /v1/events keys and remembers them across a restart', async () => {
    const payload = await genAiTracePayload('protobuf', 'otlp-idem-restart', NOW);
    const post = (s: RunningServer) =>
      request(`${s.url}/v1/traces`, { key: s.adminKey, raw: payload.body, headers: { 'content-type': payload.contentType, 'idempotency-key': 'batch-c' } });
    // 'batch-c' was used on /v1/events above: the OTLP request is a first attempt, not a replay.
    const first = await post(server);
    expect([first.status, first.headers.get('idempotent-replayed')]).toEqual([200, null]);
    const { dataDir, adminKey } = server;
    await server.stop();
    server = await startServer({ dataDir, adminKey });
    const retry = await post(server);
    expect([retry.status, retry.headers.get('idempotent-replayed')]).toEqual([200, 'true']);
    expect(await traceSpans(server, payload.traceId)).toEqual(['chat gpt-4o', 'execute_tool lookup', 'invoke_agent']);
  });
});
