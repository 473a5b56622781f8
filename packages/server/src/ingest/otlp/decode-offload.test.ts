// The decode worker gives exactly what the inline decode gives (structured clone keeps a
// `__proto__` attribute an own key), and bodies waiting for it are bounded (503 past the limit).

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../model/limits.js';
import { createOtlpDecoder } from './decode-offload.js';
import { AGENT_FALLBACK } from '../../model/span.js';
import { decodeOtlpLogs, decodeOtlpTraces } from './handle.js';
import { chatSpan, tracesJson, tracesProto } from './request-builder.js';

const PB = 'application/x-protobuf';

describe('createOtlpDecoder', () => {
  const spans = Array.from({ length: 40 }, (_, i) => chatSpan({ spanId: `${i + 1}`.padStart(16, '0'), attributes: { ['__proto__']: 'kept as a key', n: i } }));
  const proto = Buffer.from(tracesProto({ resource: { 'service.name': 'bot' }, spans }));
  const json = Buffer.from(JSON.stringify(tracesJson({ resource: { 'service.name': 'bot' }, spans })));

  it('a body past the inline size is decoded by the worker, with the same result as inline', async () => {
    const decoder = createOtlpDecoder(DEFAULT_LIMITS, { inlineBytes: 100 });
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
    const decoder = createOtlpDecoder(DEFAULT_LIMITS, { inlineBytes: 100, maxQueuedBytes: proto.length + 1024 });
    const first = decoder.traces(proto, PB, undefined);
    const second = decoder.traces(proto, PB, undefined);
    expect(await second).toEqual({
      ok: false,
      status: 503,
      message: `1 OTLP body (${Math.ceil(proto.length / 1024)} KiB) is already waiting to be decoded (the limit is 8 bodies or ${Math.ceil((proto.length + 1024) / 1024)} KiB); retry later`,
      retryAfterMs: 1000,
    });
    expect(await first).toMatchObject({ ok: true });
    // Once the first is done, there is room again.
    expect(await decoder.traces(proto, PB, undefined)).toMatchObject({ ok: true });
  });

  it('503 once as many bodies wait as allowed, however small they are (a 16 KiB gzip body may be 16 MiB of JSON)', async () => {
    const decoder = createOtlpDecoder(DEFAULT_LIMITS, { inlineBytes: 100, maxQueuedBodies: 2 });
    const waiting = [decoder.traces(proto, PB, undefined), decoder.traces(proto, PB, undefined)];
    expect(await decoder.traces(proto, PB, undefined)).toMatchObject({ ok: false, status: 503, message: expect.stringMatching(/^2 OTLP bodies \(\d+ KiB\) are already waiting/) });
    for (const decoded of await Promise.all(waiting)) expect(decoded).toMatchObject({ ok: true });
  });
});
