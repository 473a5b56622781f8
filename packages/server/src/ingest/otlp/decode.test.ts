// The two wire formats: every AnyValue kind, OTLP/JSON quirks, and bad input of every kind.

import { describe, expect, it } from 'vitest';
import { decodeTracesJson as decodeJson } from './json.js';
import { encodeRequestProto } from './proto.js';
import { decodeTracesProto as decodeProto } from './proto-traces.js';
import { T0, tracesJson, tracesProto, type SpanSpec } from './request-builder.js';

const BUDGET = { maxItems: 10_000, itemName: 'spans', maxValues: 1_280_000 };
const decodeTracesProto = (bytes: Uint8Array) => decodeProto(bytes, BUDGET);
const decodeTracesJson = (request: unknown) => decodeJson(request, BUDGET);

const base: SpanSpec = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'x', startNanos: T0, endNanos: T0 + 1n };

const EVERY_KIND = {
  s: 'text',
  b: true,
  i: 42,
  big: 9_007_199_254_740_993n,
  neg: -7,
  d: 0.25,
  arr: ['a', 1, false],
  kv: { model: 'gpt-4o', nested: { depth: 2 } },
  bytes: new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
  empty: [],
};

const EXPECTED = {
  s: 'text',
  b: true,
  i: 42,
  big: '9007199254740993',
  neg: -7,
  d: 0.25,
  arr: ['a', 1, false],
  kv: { model: 'gpt-4o', nested: { depth: 2 } },
  bytes: '3q2+7w==',
  empty: [],
};

describe('AnyValue', () => {
  it('protobuf: every kind becomes JSON (int64 beyond 2^53 as a string, bytes as base64)', () => {
    const decoded = decodeTracesProto(tracesProto({ spans: [{ ...base, attributes: EVERY_KIND }] }));
    expect(decoded.ok && decoded.value.spans[0]!.attributes).toEqual(EXPECTED);
  });

  it('JSON: every kind gives the same values', () => {
    const decoded = decodeTracesJson(tracesJson({ spans: [{ ...base, attributes: EVERY_KIND }] }));
    expect(decoded.ok && decoded.value.spans[0]!.attributes).toEqual(EXPECTED);
  });

  it('JSON: int64 as number or string, doubles as NaN/Infinity strings, an empty AnyValue as null, unknown fields ignored', () => {
    const request = {
      unknownTopLevel: 1,
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '0AF7651916CD43DD8448EB211C80319C',
                  spanId: 'B7AD6B7169203331',
                  name: 'x',
                  kind: 'SPAN_KIND_CLIENT',
                  startTimeUnixNano: 1767225600000000000,
                  endTimeUnixNano: '1767225600001000000',
                  futureField: { x: 1 },
                  status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
                  attributes: [
                    { key: 'n', value: { intValue: '12' } },
                    { key: 'nan', value: { doubleValue: 'NaN' } },
                    { key: 'inf', value: { doubleValue: 'Infinity' } },
                    { key: 'none', value: {} },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const decoded = decodeTracesJson(request);
    if (!decoded.ok) throw new Error(decoded.message);
    const span = decoded.value.spans[0]!;
    expect([span.traceId, span.spanId, span.kind, span.statusCode, span.statusMessage, span.endNanos - span.startNanos]).toEqual([
      '0af7651916cd43dd8448eb211c80319c',
      'b7ad6b7169203331',
      3,
      2,
      'boom',
      1_000_000n,
    ]);
    expect(span.attributes).toEqual({ n: 12, nan: 'NaN', inf: 'Infinity', none: null });
  });
});

describe('bad spans are counted as invalid, the rest decode', () => {
  const spans: SpanSpec[] = [
    { ...base, traceId: '0af7651916cd43dd' },
    { ...base, spanId: 'b7ad6b71692033' },
    { ...base, parentSpanId: 'ab' },
    { ...base, traceId: '00000000000000000000000000000000' },
    { ...base, kind: 9 },
    { ...base, status: { code: 7 } },
    { ...base, spanId: '1111111111111111' },
  ];
  const expected = [
    'span b7ad6b7169203331: traceId "0af7651916cd43dd" must be 32 hex characters (16 bytes), got 16',
    'span b7ad6b71692033: spanId "b7ad6b71692033" must be 16 hex characters (8 bytes), got 14',
    'span b7ad6b7169203331: parentSpanId "ab" must be 16 hex characters (8 bytes), got 2',
    'span b7ad6b7169203331: traceId must not be all zeros',
    'span b7ad6b7169203331: kind 9 is not a SpanKind (0..5)',
    'span b7ad6b7169203331: status.code 7 is not a StatusCode (0 unset, 1 ok, 2 error)',
  ];

  it('protobuf', () => {
    const decoded = decodeTracesProto(tracesProto({ spans }));
    if (!decoded.ok) throw new Error(decoded.message);
    expect(decoded.value.invalid).toEqual({ count: 6, messages: expected });
    expect(decoded.value.spans.map((s) => s.spanId)).toEqual(['1111111111111111']);
  });

  it('JSON, plus non-hex ids, bad times and enum names', () => {
    const request = tracesJson({ spans });
    const list = (request.resourceSpans as any)[0].scopeSpans[0].spans as Record<string, unknown>[];
    list.push({ ...list[6], spanId: 'zzzzzzzzzzzzzzzz' });
    list.push({ ...list[6], startTimeUnixNano: '12.5' });
    list.push({ ...list[6], kind: 'SPAN_KIND_WEIRD' });
    list.push('not a span' as never);
    const decoded = decodeTracesJson(request);
    if (!decoded.ok) throw new Error(decoded.message);
    expect(decoded.value.invalid).toEqual({
      count: 10,
      messages: [
        ...expected,
        'span zzzzzzzzzzzzzzzz: spanId "zzzzzzzzzzzzzzzz" must be 16 hex characters (8 bytes), got 16',
        'span 1111111111111111: startTimeUnixNano "12.5" must be an integer (number or decimal string)',
        'span 1111111111111111: kind "SPAN_KIND_WEIRD" is not a SpanKind (0..5)',
        'span #10: must be a JSON object',
      ],
    });
    expect(decoded.value.spans.length).toBe(1);
  });
});

describe('undecodable protobuf', () => {
  it('random bytes and truncated messages are errors, never throws', () => {
    const valid = tracesProto({ spans: [{ ...base, attributes: { k: 'v'.repeat(100) } }] });
    const truncated = valid.subarray(0, valid.length - 20);
    expect(decodeTracesProto(truncated)).toMatchObject({ ok: false, message: expect.stringMatching(/^undecodable ExportTraceServiceRequest protobuf: index out of range/) });
    // A fixed pseudo-random sequence (seeded LCG), so the test is the same on every run.
    let seed = 12345;
    const random = Uint8Array.from({ length: 512 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
    expect(decodeTracesProto(random)).toMatchObject({ ok: false });
    expect(decodeTracesProto(Buffer.from('{"resourceSpans":[]}'))).toMatchObject({ ok: false });
  });

  it('an empty body is an empty request', () => {
    expect(decodeTracesProto(new Uint8Array(0))).toEqual({ ok: true, value: { spans: [], origins: [], invalid: { count: 0, messages: [] } } });
  });

  it('deep nesting is cut off instead of overflowing the stack', () => {
    let value: Record<string, unknown> = { stringValue: 'leaf' };
    for (let i = 0; i < 40; i++) value = { arrayValue: { values: [value] } };
    const bytes = encodeRequestProto('traces', {
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.from(base.traceId, 'hex'), spanId: Buffer.from(base.spanId, 'hex'), attributes: [{ key: 'deep', value }] }] }] }],
    });
    const decoded = decodeTracesProto(bytes);
    if (!decoded.ok) throw new Error(decoded.message);
    expect(JSON.stringify(decoded.value.spans[0]!.attributes.deep)).toBe(`${'['.repeat(16)}null${']'.repeat(16)}`);
  });
});
