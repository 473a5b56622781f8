// The decode worker gives exactly what the inline decode gives (structured clone keeps a
// `__proto__` attribute an own key), and bodies waiting for it are bounded (503 past the limit).

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../model/limits.js';
import { decodeEventsBody } from '../decode-body.js';
import { createIngestPipeline } from '../pipeline.js';
import { createPriceTable } from '../pricing.js';
import { RejectedEvent } from '../screen-events.js';
import { createBodyDecoder, giveBody } from './decode-offload.js';
import { AGENT_FALLBACK } from '../../model/span.js';
import { decodeOtlpLogs, decodeOtlpTraces } from './handle.js';
import { chatSpan, tracesJson, tracesProto } from './request-builder.js';

const PB = 'application/x-protobuf';

describe('createBodyDecoder', () => {
  const spans = Array.from({ length: 40 }, (_, i) => chatSpan({ spanId: `${i + 1}`.padStart(16, '0'), attributes: { ['__proto__']: 'kept as a key', n: i } }));
  const proto = Buffer.from(tracesProto({ resource: { 'service.name': 'bot' }, spans }));
  const json = Buffer.from(JSON.stringify(tracesJson({ resource: { 'service.name': 'bot' }, spans })));

  it('moves a body its owner gave up to the worker without a copy, and copies any other', async () => {
    const decoder = createBodyDecoder(DEFAULT_LIMITS, { inlineBytes: 100 });
    const inline = decodeOtlpTraces(proto, PB, undefined, DEFAULT_LIMITS, { markRead: true });
    // A body in a buffer of its own (as http/body.ts reads large ones): transferred, left empty.
    const own = Buffer.from(new ArrayBuffer(proto.length));
    proto.copy(own);
    expect(await decoder.traces(giveBody(own), PB, undefined)).toEqual(inline);
    expect(own.byteLength).toBe(0);
    // Not given, or a view into a larger buffer: copied, the caller's bytes stay.
    const kept = Buffer.from(new ArrayBuffer(proto.length));
    proto.copy(kept);
    expect(await decoder.traces(kept, PB, undefined)).toEqual(inline);
    const view = giveBody(Buffer.concat([proto, Buffer.alloc(8)]).subarray(0, proto.length));
    expect(await decoder.traces(view, PB, undefined)).toEqual(inline);
    expect([kept.equals(proto), view.equals(proto)]).toEqual([true, true]);
  });

  it('a body past the inline size is decoded by the worker, with the same result as inline', async () => {
    const decoder = createBodyDecoder(DEFAULT_LIMITS, { inlineBytes: 100 });
    const [viaWorker, viaWorkerJson, viaWorkerGzip] = await Promise.all([
      decoder.traces(proto, PB, undefined),
      decoder.traces(json, 'application/json', undefined),
      decoder.traces(gzipSync(proto), PB, 'gzip'),
    ]);
    // As the /v1/traces route decodes: with the doctor's read mark.
    const inline = decodeOtlpTraces(proto, PB, undefined, DEFAULT_LIMITS, { markRead: true });
    expect(inline.ok && inline.events.length).toBe(40);
    expect(viaWorker).toEqual(inline);
    expect(viaWorkerJson).toEqual(inline);
    expect(viaWorkerGzip).toEqual(inline);
    // The spans name no agent: each falls back to service.name and is marked for trace attribution,
    // a symbol that a structured clone drops and the offloader puts back.
    const fallbacks = (r: typeof inline) => (r.ok ? r.events.map((e) => (e as Record<symbol, unknown>)[AGENT_FALLBACK] === true) : []);
    expect(fallbacks(inline)).toEqual(Array.from({ length: 40 }, () => true));
    for (const r of [viaWorker, viaWorkerJson, viaWorkerGzip]) expect(fallbacks(r as typeof inline)).toEqual(fallbacks(inline));
    const attributes = (viaWorker.ok && (viaWorker.events[0] as { attributes: object }).attributes) as object;
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(attributes, '__proto__')?.value).toBe('kept as a key');
    // Failures come back as values too.
    expect(await decoder.logs(Buffer.from([0x08, 0x96, 0x01]), PB, undefined)).toEqual(decodeOtlpLogs(Buffer.from([0x08, 0x96, 0x01]), PB, undefined, DEFAULT_LIMITS));
  });

  it('503 with Retry-After once the bodies waiting for the worker reach the limit', async () => {
    const decoder = createBodyDecoder(DEFAULT_LIMITS, { inlineBytes: 100, maxQueuedBytes: proto.length + 1024 });
    const first = decoder.traces(proto, PB, undefined);
    const second = decoder.traces(proto, PB, undefined);
    expect(await second).toEqual({
      ok: false,
      status: 503,
      message: `1 ingest body (${Math.ceil(proto.length / 1024)} KiB) is already waiting to be decoded (the limit is 8 bodies or ${Math.ceil((proto.length + 1024) / 1024)} KiB); retry later`,
      retryAfterMs: 1000,
    });
    expect(await first).toMatchObject({ ok: true });
    // Once the first is done, there is room again.
    expect(await decoder.traces(proto, PB, undefined)).toMatchObject({ ok: true });
  });

  it('503 once as many bodies wait as allowed, however small they are (a 16 KiB gzip body may be 16 MiB of JSON)', async () => {
    const decoder = createBodyDecoder(DEFAULT_LIMITS, { inlineBytes: 100, maxQueuedBodies: 2 });
    const waiting = [decoder.traces(proto, PB, undefined), decoder.traces(proto, PB, undefined)];
    expect(await decoder.traces(proto, PB, undefined)).toMatchObject({ ok: false, status: 503, message: expect.stringMatching(/^2 ingest bodies \(\d+ KiB\) are already waiting/) });
    for (const decoded of await Promise.all(waiting)) expect(decoded).toMatchObject({ ok: true });
  });

  it('a native events body past the inline size is screened by the worker: the pipeline then gives exactly the inline result', async () => {
    const now = Date.UTC(2025, 5, 1, 12);
    const pipeline = createIngestPipeline({ limits: DEFAULT_LIMITS, prices: createPriceTable() });
    const lines = [
      JSON.stringify({ agent_id: 'a', trace_id: 't', span_id: 's1', model: 'gpt-4o', tokens_input: 100, tokens_output: 10, timestamp: now }),
      JSON.stringify({ agent_id: 'b', confidence: 1.7, tokens_input: -3, timestamp: now }),
      '{"agent_id":',
      JSON.stringify({ agent_id: 'c', timestamp: now, attributes: { a: { ['k'.repeat(2_000)]: { b: { c: { d: 1 } } } } } }),
      JSON.stringify({ agent_id: 'd', trace_id: 't', span_id: 's2', parent_span_id: 's1', span_type: 'tool_call', latency_ms: 4, timestamp: now }),
    ];
    const body = Buffer.from(lines.join('\n'));
    const ctx = { project: 'p', now };
    const decoder = createBodyDecoder(DEFAULT_LIMITS, { inlineBytes: 100 });
    const [viaWorker, viaWorkerGzip] = await Promise.all([
      decoder.events(body, 'application/x-ndjson', undefined, ctx),
      decoder.events(gzipSync(body), 'application/x-ndjson', 'gzip', ctx),
    ]);
    if (!viaWorker.ok || !viaWorkerGzip.ok) throw new Error('decode failed');
    // The invalid events came back as stand-ins holding their clipped problems, not as themselves.
    expect(viaWorker.events.map((e) => (e instanceof RejectedEvent ? 'rejected' : typeof e))).toEqual(['object', 'rejected', 'object', 'rejected', 'object']);
    const inline = decodeEventsBody(body, 'application/x-ndjson', undefined, DEFAULT_LIMITS);
    if (!inline.ok) throw new Error(inline.message);
    const expected = pipeline.process(inline.events, ctx);
    expect(expected.spans.map((s) => s.span_id)).toEqual(['s1', 's2']);
    expect(expected.rejected).toEqual([
      { index: 1, field: 'tokens_input', error: 'tokens_input: must be a non-negative integer, got -3' },
      { index: 1, field: 'confidence', error: 'confidence: 1.7 is outside 0..1' },
      { index: 2, field: 'event', error: 'line 3: invalid JSON: Unexpected end of JSON input' },
      { index: 3, field: `attributes.a.${'k'.repeat(83)}…(2019 characters)…${'k'.repeat(122)}.b.c.d`, error: expected.rejected[3]!.error },
    ]);
    expect(expected.rejected[3]!.error.length).toBeLessThan(600);
    expect(pipeline.process(viaWorker.events, ctx)).toEqual(expected);
    expect(pipeline.process(viaWorkerGzip.events, ctx)).toEqual(expected);
    // Failures come back as values, with the inline decode's status and message.
    expect(await decoder.events(Buffer.from(`[${'1,'.repeat(200)}`), 'application/json', undefined, ctx)).toEqual(
      decodeEventsBody(Buffer.from(`[${'1,'.repeat(200)}`), 'application/json', undefined, DEFAULT_LIMITS),
    );
  });
});
