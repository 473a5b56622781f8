// OTLP/HTTP bodies end to end without HTTP: status and message for every kind of bad input,
// partial success through the real ingest pipeline, and response bodies in both formats.

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../model/limits.js';
import { createIngestPipeline } from '../pipeline.js';
import { createPriceTable } from '../pricing.js';
import {
  decodeOtlpLogs,
  decodeOtlpMetrics,
  decodeOtlpTraces,
  encodeLogsResponse,
  encodeMetricsResponse,
  encodeTraceResponse,
  logsPartialSuccess,
  metricsPartialSuccess,
  tracePartialSuccess,
} from './handle.js';
import { decodeResponseProto, encodeRequestProto } from './proto.js';
import { chatSpan, T0, tracesJson, tracesProto } from './request-builder.js';

const PB = 'application/x-protobuf';
const NOW = Number(T0 / 1_000_000n) + 60_000;
const limits = DEFAULT_LIMITS;

describe('decodeOtlpTraces: status and message', () => {
  const body = Buffer.from(tracesProto({ resource: { 'service.name': 'bot' }, spans: [chatSpan()] }));

  it('415 for unknown or missing content types and encodings', () => {
    expect(decodeOtlpTraces(body, 'text/plain', undefined, limits)).toEqual({
      ok: false,
      status: 415,
      message: 'unsupported Content-Type "text/plain"; OTLP/HTTP accepts application/x-protobuf, application/json',
    });
    expect(decodeOtlpTraces(body, undefined, undefined, limits)).toMatchObject({ ok: false, status: 415, message: 'no Content-Type; OTLP/HTTP accepts application/x-protobuf, application/json' });
    expect(decodeOtlpTraces(body, PB, 'zstd', limits)).toEqual({ ok: false, status: 415, message: 'unsupported Content-Encoding "zstd"; accepted: gzip, deflate, br, identity' });
  });

  it('accepts gzip and charset parameters', () => {
    const decoded = decodeOtlpTraces(gzipSync(body), 'application/x-protobuf; charset=binary', 'gzip', limits);
    expect(decoded.ok && decoded.events.length).toBe(1);
    const json = decodeOtlpTraces(gzipSync(JSON.stringify(tracesJson({ spans: [chatSpan()] }))), 'application/json; charset=utf-8', 'gzip', limits);
    expect(json.ok && json.events.length).toBe(1);
  });

  it('413 over the size limit counted after decompression: a gzip bomb stops at the limit', () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100 * 1024);
    expect(decodeOtlpTraces(bomb, PB, 'gzip', limits)).toEqual({
      ok: false,
      status: 413,
      message: `decompressed body exceeds the limit of ${limits.maxBodyBytes} bytes (maxBodyBytes)`,
    });
    expect(decodeOtlpTraces(body, PB, undefined, { ...limits, maxBodyBytes: 100 })).toMatchObject({ ok: false, status: 413 });
  });

  it('413 over the span limit, counted while decoding (protobuf and JSON alike)', () => {
    const spans = Array.from({ length: 3 }, (_, i) => chatSpan({ spanId: `${i + 1}`.padStart(16, '0') }));
    const expected = { ok: false, status: 413, message: 'more than 2 spans in one request exceeds the limit of 2 per request (maxEventsPerRequest)' };
    const two = { ...limits, maxEventsPerRequest: 2 };
    expect(decodeOtlpTraces(Buffer.from(tracesProto({ spans })), PB, undefined, two)).toEqual(expected);
    expect(decodeOtlpTraces(Buffer.from(JSON.stringify(tracesJson({ spans }))), 'application/json', undefined, two)).toEqual(expected);
    expect(decodeOtlpTraces(Buffer.from(tracesProto({ spans: spans.slice(0, 2) })), PB, undefined, two)).toMatchObject({ ok: true, events: [{}, {}] });
  });

  it('413 when attributes, array elements and span events together exceed maxEventsPerRequest × maxAttributes', () => {
    const small = { ...limits, maxEventsPerRequest: 2, maxAttributes: 4 };
    const attributes = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, i]));
    const expected = {
      ok: false,
      status: 413,
      message: 'more than 8 attribute values, array elements and span events in one request exceeds the limit of 8 (maxEventsPerRequest × maxAttributes)',
    };
    // 9 attributes plus the envelopes: over 8 whichever format carries them.
    const spans = [{ ...chatSpan(), attributes }];
    expect(decodeOtlpTraces(Buffer.from(tracesProto({ spans })), PB, undefined, small)).toEqual(expected);
    expect(decodeOtlpTraces(Buffer.from(JSON.stringify(tracesJson({ spans }))), 'application/json', undefined, small)).toEqual(expected);
  });

  it('400 for a known field sent with the wrong wire type, as the Collector answers (08 96 01)', () => {
    expect(decodeOtlpTraces(Buffer.from([0x08, 0x96, 0x01]), PB, undefined, limits)).toEqual({
      ok: false,
      status: 400,
      message: 'undecodable ExportTraceServiceRequest protobuf: ExportTraceServiceRequest.resourceSpans (field 1) has wire type 0 (VARINT), expected 2 (LEN)',
    });
    // A span whose name (field 5, a string) arrives as a varint.
    const span = [0x28, 0x01];
    const request = [0x0a, 2 + 2 + span.length, 0x12, 2 + span.length, 0x12, span.length, ...span];
    expect(decodeOtlpTraces(Buffer.from(request), PB, undefined, limits)).toEqual({
      ok: false,
      status: 400,
      message: 'undecodable ExportTraceServiceRequest protobuf: Span.name (field 5) has wire type 0 (VARINT), expected 2 (LEN)',
    });
    expect(decodeOtlpLogs(Buffer.from([0x08, 0x96, 0x01]), PB, undefined, limits)).toEqual({
      ok: false,
      status: 400,
      message: 'undecodable ExportLogsServiceRequest protobuf: ExportLogsServiceRequest.resourceLogs (field 1) has wire type 0 (VARINT), expected 2 (LEN)',
    });
    expect(decodeOtlpMetrics(Buffer.from([0x08, 0x96, 0x01]), PB, undefined, limits)).toMatchObject({ ok: false, status: 400 });
  });

  it('unknown fields are skipped, whatever their wire type (forward compatibility)', () => {
    // Field 99 (unknown to ExportTraceServiceRequest) as a varint, then the real request.
    const request = Buffer.concat([Buffer.from([0x98, 0x06, 0x2a]), body]);
    expect(decodeOtlpTraces(request, PB, undefined, limits)).toMatchObject({ ok: true, events: [{ span_id: 'b7ad6b7169203331' }] });
  });

  it('400 with a message for undecodable bodies', () => {
    expect(decodeOtlpTraces(body.subarray(0, body.length - 7), PB, undefined, limits)).toMatchObject({
      ok: false,
      status: 400,
      message: expect.stringMatching(/^undecodable ExportTraceServiceRequest protobuf: /),
    });
    expect(decodeOtlpTraces(Buffer.from('{"resourceSpans": ['), 'application/json', undefined, limits)).toMatchObject({
      ok: false,
      status: 400,
      message: expect.stringMatching(/^invalid OTLP\/JSON: /),
    });
    expect(decodeOtlpTraces(Buffer.from('{"resourceSpans": {}}'), 'application/json', undefined, limits)).toEqual({ ok: false, status: 400, message: 'resourceSpans: must be an array' });
    expect(decodeOtlpTraces(Buffer.from('[1]'), 'application/json', undefined, limits)).toEqual({ ok: false, status: 400, message: 'OTLP/JSON body must be a JSON object with "resourceSpans"' });
    expect(decodeOtlpTraces(Buffer.from('not gzip'), PB, 'gzip', limits)).toMatchObject({ ok: false, status: 400, message: expect.stringMatching(/^invalid gzip body: /) });
  });

  it('random bytes: 400, or (when they happen to parse) no spans — never a throw', () => {
    let seed = 7;
    for (let round = 0; round < 200; round++) {
      const bytes = Uint8Array.from({ length: 1 + (round % 64) * 8 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
      const decoded = decodeOtlpTraces(Buffer.from(bytes), PB, undefined, limits);
      if (decoded.ok) expect(decoded.events.length + decoded.invalid.count).toBeLessThanOrEqual(bytes.length);
      else expect(decoded.status).toBe(400);
    }
  });
});

describe('partial success through the real pipeline', () => {
  it('ids of wrong length and oversized attribute arrays reject only their spans, each named', () => {
    const spans = [
      chatSpan({ spanId: '1111111111111111' }),
      chatSpan({ spanId: '2222', traceId: '0af7651916cd43dd8448eb211c80319c' }),
      chatSpan({ spanId: '3333333333333333', attributes: { 'huge.array': Array.from({ length: 10_000 }, (_, i) => i) } }),
    ];
    const decoded = decodeOtlpTraces(Buffer.from(tracesProto({ resource: { 'service.name': 'bot' }, spans })), PB, undefined, limits);
    if (!decoded.ok) throw new Error(decoded.message);
    const pipeline = createIngestPipeline({ limits, prices: createPriceTable() });
    const { spans: stored, rejected } = pipeline.process(decoded.events, { project: 'p', now: NOW });
    expect(stored.map((s) => s.span_id)).toEqual(['1111111111111111']);
    expect(tracePartialSuccess(decoded.invalid, rejected, decoded.events)).toEqual({
      rejectedSpans: 2,
      errorMessage:
        '2 spans rejected: span 2222: spanId "2222" must be 16 hex characters (8 bytes), got 4 | span 3333333333333333: attributes: 49096 bytes as JSON exceeds the limit of 16384',
    });
    expect(tracePartialSuccess({ count: 0, messages: [] }, [], decoded.events)).toBeUndefined();
  });
});

describe('responses', () => {
  it('protobuf: empty on full success, partial_success otherwise', () => {
    const full = encodeTraceResponse(PB);
    expect([full.contentType, full.body.length]).toEqual([PB, 0]);
    const partial = encodeTraceResponse(PB, { rejectedSpans: 2, errorMessage: 'bad ids' });
    expect(decodeResponseProto('traces', partial.body as Buffer)).toEqual({ partialSuccess: { rejectedSpans: '2', errorMessage: 'bad ids' } });
  });

  it('JSON: empty partialSuccess on full success, int64 as a string otherwise', () => {
    expect(encodeTraceResponse('application/json')).toEqual({ body: '{"partialSuccess":{}}', contentType: 'application/json' });
    expect(encodeTraceResponse('application/json', { rejectedSpans: 1, errorMessage: 'x' }).body).toBe('{"partialSuccess":{"rejectedSpans":"1","errorMessage":"x"}}');
  });
});

const histogram = (name: string, points: number) => ({
  name,
  unit: name.endsWith('duration') ? 's' : '{token}',
  histogram: {
    aggregationTemporality: 1,
    dataPoints: Array.from({ length: points }, (_, i) => ({
      attributes: [
        { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
        { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
        { key: 'gen_ai.token.type', value: { stringValue: i === 0 ? 'input' : 'output' } },
      ],
      startTimeUnixNano: T0.toString(),
      timeUnixNano: (T0 + 60_000_000_000n).toString(),
      count: '3',
      sum: 1500,
      min: 100,
      max: 900,
      bucketCounts: ['1', '2'],
      explicitBounds: [256],
    })),
  },
});

describe('metrics and logs', () => {
  const metricsRequest = {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bot' } }] },
        scopeMetrics: [
          {
            metrics: [
              histogram('gen_ai.client.token.usage', 2),
              { name: 'http.server.duration', unit: 'ms', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ asDouble: 1 }, { asDouble: 2 }, { asDouble: 3 }] } },
            ],
          },
        ],
      },
    ],
  };
  const expectedPoint = {
    metric: 'gen_ai.client.token.usage',
    unit: '{token}',
    agent_id: 'bot',
    timestamp: Number(T0 / 1_000_000n) + 60_000,
    start_timestamp: Number(T0 / 1_000_000n),
    temporality: 'delta',
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.token.type': 'input' },
    count: 3,
    sum: 1500,
    min: 100,
    max: 900,
    bucket_counts: [1, 2],
    explicit_bounds: [256],
  };
  const expectedDropped = { count: 3, messages: ['http.server.duration: 3 data points dropped (not a GenAI client metric)'] };

  it('keeps GenAI histograms and drops the rest with a message (protobuf and JSON alike)', () => {
    const proto = decodeOtlpMetrics(Buffer.from(encodeRequestProto('metrics', metricsRequest)), PB, undefined, limits);
    if (!proto.ok) throw new Error(proto.message);
    expect(proto.points[0]).toEqual(expectedPoint);
    expect(proto.dropped).toEqual(expectedDropped);
    const json = decodeOtlpMetrics(Buffer.from(JSON.stringify(metricsRequest)), 'application/json', undefined, limits);
    expect(json).toEqual(proto);
    const partial = metricsPartialSuccess(proto.dropped);
    expect(partial).toEqual({
      rejectedDataPoints: 3,
      errorMessage:
        'Sightline keeps only the histograms gen_ai.client.token.usage and gen_ai.client.operation.duration; http.server.duration: 3 data points dropped (not a GenAI client metric)',
    });
    expect(decodeResponseProto('metrics', encodeMetricsResponse(PB, partial).body as Buffer)).toEqual({
      partialSuccess: { rejectedDataPoints: '3', errorMessage: partial!.errorMessage },
    });
  });

  it('logs are decoded, counted and reported as not stored', () => {
    const request = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'a' } }, { body: { stringValue: 'b' } }] }] }] };
    const proto = decodeOtlpLogs(Buffer.from(encodeRequestProto('logs', request)), PB, undefined, limits);
    const json = decodeOtlpLogs(Buffer.from(JSON.stringify(request)), 'application/json', undefined, limits);
    expect([proto, json]).toEqual([{ ok: true, logRecords: 2 }, { ok: true, logRecords: 2 }]);
    const reply = encodeLogsResponse('application/json', logsPartialSuccess(2));
    expect(JSON.parse(reply.body as string)).toEqual({
      partialSuccess: {
        rejectedLogRecords: '2',
        errorMessage:
          'Sightline does not store logs: 2 log records dropped. Send GenAI spans to /v1/traces (prompts and completions as span attributes) and GenAI metrics to /v1/metrics.',
      },
    });
    expect(decodeOtlpLogs(Buffer.from([0xff, 0xff, 0xff]), PB, undefined, limits)).toMatchObject({ ok: false, status: 400 });
  });

  it('logs and metrics are bounded like spans: 413 past maxEventsPerRequest, counted while decoding', () => {
    const two = { ...limits, maxEventsPerRequest: 2 };
    const logs = { resourceLogs: [{ scopeLogs: [{ logRecords: [{}, {}, {}] }] }] };
    const logsTooMany = { ok: false, status: 413, message: 'more than 2 log records in one request exceeds the limit of 2 per request (maxEventsPerRequest)' };
    expect(decodeOtlpLogs(Buffer.from(encodeRequestProto('logs', logs)), PB, undefined, two)).toEqual(logsTooMany);
    expect(decodeOtlpLogs(Buffer.from(JSON.stringify(logs)), 'application/json', undefined, two)).toEqual(logsTooMany);
    const metrics = { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'm', gauge: { dataPoints: [{ asInt: 1 }, { asInt: 2 }, { asInt: 3 }] } }] }] }] };
    const metricsTooMany = { ok: false, status: 413, message: 'more than 2 data points in one request exceeds the limit of 2 per request (maxEventsPerRequest)' };
    expect(decodeOtlpMetrics(Buffer.from(encodeRequestProto('metrics', metrics)), PB, undefined, two)).toEqual(metricsTooMany);
    expect(decodeOtlpMetrics(Buffer.from(JSON.stringify(metrics)), 'application/json', undefined, two)).toEqual(metricsTooMany);
    // Packed repeated numbers count as values: 9 bucket counts exceed 2 × 4.
    const histogram = { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'h', histogram: { dataPoints: [{ bucketCounts: [1, 2, 3, 4, 5, 6, 7, 8, 9] }] } }] }] }] };
    expect(decodeOtlpMetrics(Buffer.from(encodeRequestProto('metrics', histogram)), PB, undefined, { ...two, maxAttributes: 4 })).toMatchObject({
      ok: false,
      status: 413,
      message: expect.stringMatching(/^more than 8 attribute values/),
    });
  });
});
