// Hostile OTLP bodies against the real server: decompression bombs of millions of empty spans,
// oversized logs, wrong wire types and many large bodies at once get exact answers, nothing of
// a refused request is stored, a large valid body is stored whole, and /api/health keeps
// answering while the hostile bodies are decoded.

import http from 'node:http';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatSpan, tracesJson, tracesProto, type SpanSpec } from '../src/ingest/otlp/request-builder.js';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop({ remove: true });
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** POSTs a body; `sent` resolves once the whole body has been handed to the socket. */
function post(path: string, body: Buffer, headers: Record<string, string>): { sent: Promise<void>; answer: Promise<Answer> } {
  const url = new URL(path, server.url);
  let markSent!: () => void;
  const sent = new Promise<void>((resolve) => (markSent = resolve));
  const answer = new Promise<Answer>((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: false, headers: { authorization: `Bearer ${server.adminKey}`, 'content-length': body.length, ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body, markSent);
  });
  return { sent, answer };
}

/** Settles with the order things finished in, so a test can assert what came first. */
function trackOrder() {
  const order: string[] = [];
  return { order, mark: <T>(name: string, p: Promise<T>) => p.then((v) => (order.push(name), v)) };
}

/** Peak resident memory of the server so far (VmHWM), in MiB. */
function peakRssMiB(): number {
  const status = readFileSync(`/proc/${server.process.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** A length-delimited protobuf field around `payload`. */
function field(tag: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag, ...varint(payload.length)]), payload]);
}

/** ExportTraceServiceRequest { resource_spans { scope_spans { spans: {} × n } } }: 2 bytes a span. */
function emptySpans(n: number): Buffer {
  const spans = Buffer.alloc(n * 2);
  for (let i = 0; i < spans.length; i += 2) spans[i] = 0x12;
  return field(0x0a, field(0x12, spans));
}

const PB = { 'content-type': 'application/x-protobuf' };
const SPAN_LIMIT = 'more than 10000 spans in one request exceeds the limit of 10000 per request (maxEventsPerRequest)';

async function traceSpans(traceId: string): Promise<number> {
  const reply = await request(`${server.url}/api/traces/${traceId}`, { key: server.adminKey });
  return reply.status === 404 ? 0 : (reply.body.spans as unknown[]).length;
}

describe('hostile OTLP bodies', () => {
  it('a 16 KiB gzip bomb of 8.4M empty spans: 413 naming the limit, health answers meanwhile, memory stays bounded', async () => {
    const before = peakRssMiB();
    const bomb = gzipSync(emptySpans(8_388_000));
    expect(bomb.length).toBeLessThan(20 * 1024);
    // Three at once, as in the report that stalled everything for 39 s.
    const bombs = [0, 1, 2].map(() => post('/v1/traces', bomb, { ...PB, 'content-encoding': 'gzip' }));
    await Promise.all(bombs.map((b) => b.sent));
    const { order, mark } = trackOrder();
    const answers = Promise.all(bombs.map((b, i) => mark(`bomb ${i}`, b.answer)));
    const health = await mark('health', request(`${server.url}/api/health`));
    expect(health.status).toBe(200);
    for (const answer of await answers) {
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toEqual({ error: { code: 'payload_too_large', message: SPAN_LIMIT } });
    }
    expect(order).toContain('health');
    // Before: 8M span objects took the server from 0.5 to 1.9 GB.
    expect(peakRssMiB() - before).toBeLessThan(400);
  });

  it('16 MiB of /v1/logs: 413 instead of a 6 s stall and a 200', async () => {
    // ExportLogsServiceRequest { resource_logs { scope_logs { log_records: {} × 8.4M } } }
    const records = Buffer.alloc(8_388_000 * 2);
    for (let i = 0; i < records.length; i += 2) records[i] = 0x12;
    const body = field(0x0a, field(0x12, records));
    const logs = post('/v1/logs', body, PB);
    await logs.sent;
    const { order, mark } = trackOrder();
    const answer = mark('logs', logs.answer);
    expect((await mark('health', request(`${server.url}/api/health`))).status).toBe(200);
    const reply = await answer;
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body)).toEqual({
      error: { code: 'payload_too_large', message: 'more than 10000 log records in one request exceeds the limit of 10000 per request (maxEventsPerRequest)' },
    });
    expect(order.sort()).toEqual(['health', 'logs']);
  });

  it('24 concurrent 12 MiB bodies: each answered 413, or 429/503 with Retry-After, health answers while they are decoded', async () => {
    const body = emptySpans(6 * 1024 * 1024);
    const posts = Array.from({ length: 24 }, () => post('/v1/traces', body, PB));
    await Promise.all(posts.map((p) => p.sent));
    const { order, mark } = trackOrder();
    const answers = Promise.all(posts.map((p, i) => mark(`body ${i}`, p.answer)));
    expect((await mark('health', request(`${server.url}/api/health`))).status).toBe(200);
    const replies = await answers;
    for (const reply of replies) {
      if (reply.status === 413) expect(JSON.parse(reply.body)).toEqual({ error: { code: 'payload_too_large', message: SPAN_LIMIT } });
      else {
        // 429 at the door (limits.maxIngestBytesInFlight: bodies still uploading or decoding count; or
        // answered too late at the measured pace, when it says how much later to retry) or 503 from
        // the decoder's queue; either way the sender is told when to retry.
        expect([429, 503]).toContain(reply.status);
        expect(Number(reply.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(JSON.parse(reply.body).error.code).toBe('overloaded');
      }
    }
    // The door always lets one body in, and the decoder refuses it for its span count; the rest were
    // told when to retry.
    expect(replies.filter((r) => r.status === 413).length).toBeGreaterThanOrEqual(1);
    expect(order).toContain('health');
  });

  it('health answers while large bodies are being decoded: before any of three 8 MB bodies is answered', async () => {
    // One span with 300,000 distinct attribute keys: slow to parse and build, whatever decodes it.
    const attributes = Array.from({ length: 300_000 }, (_, i) => `{"key":"k${i}","value":{}}`).join(',');
    const body = Buffer.from(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[${attributes}]}]}]}]}`);
    expect(body.length).toBeGreaterThan(8_000_000);
    const posts = [0, 1, 2].map(() => post('/v1/traces', body, { 'content-type': 'application/json' }));
    // As soon as one body is out (the others still uploading), ask for health.
    await Promise.race(posts.map((p) => p.sent));
    const { order, mark } = trackOrder();
    const answers = Promise.all(posts.map((p, i) => mark(`body ${i}`, p.answer)));
    expect((await mark('health', request(`${server.url}/api/health`))).status).toBe(200);
    for (const reply of await answers) {
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toEqual({
        partialSuccess: { rejectedSpans: '1', errorMessage: '1 span rejected: span #0: traceId "" must be 32 hex characters (16 bytes), got 0' },
      });
    }
    // Decoded inline, the first body would have held health back until it was answered.
    expect(order[0]).toBe('health');
  });

  it('08 96 01 (resource_spans as a varint): 400 naming the field and wire type, as the Collector answers', async () => {
    const reply = await request(`${server.url}/v1/traces`, { raw: Buffer.from([0x08, 0x96, 0x01]), key: server.adminKey, headers: PB });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      error: {
        code: 'bad_request',
        message: 'undecodable ExportTraceServiceRequest protobuf: ExportTraceServiceRequest.resourceSpans (field 1) has wire type 0 (VARINT), expected 2 (LEN)',
      },
    });
  });

  it('a refused request stores nothing; a large valid one (decoded in the worker) is stored whole, bad spans named', async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const spans = (traceId: string, n: number): SpanSpec[] =>
      Array.from({ length: n }, (_, i) =>
        chatSpan({ traceId, spanId: (i + 1).toString(16).padStart(16, '0'), startNanos: now - 1_000_000_000n, endNanos: now, attributes: { 'note.text': 'x'.repeat(400) } }),
      );
    // Over the span limit: nothing of it is stored, not even the first 10,000.
    const tooMany = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1';
    const refused = post('/v1/traces', Buffer.from(tracesProto({ spans: spans(tooMany, 10_001) })), PB);
    expect((await refused.answer).status).toBe(413);
    expect(await traceSpans(tooMany)).toBe(0);
    // 3,000 spans (~1.6 MB, past the inline size) plus one with a bad span id: 200, partial success.
    const valid = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2';
    const large = [...spans(valid, 3_000), { ...chatSpan(), traceId: valid, spanId: 'abcd' }];
    const json = Buffer.from(JSON.stringify(tracesJson({ spans: large })));
    expect(json.length).toBeGreaterThan(1024 * 1024);
    const reply = await request(`${server.url}/v1/traces`, { raw: json, key: server.adminKey, headers: { 'content-type': 'application/json' } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      partialSuccess: { rejectedSpans: '1', errorMessage: '1 span rejected: span abcd: spanId "abcd" must be 16 hex characters (8 bytes), got 4' },
    });
    expect(await traceSpans(valid)).toBe(3_000);
  });
});
