// The one-pass protobuf reader against protobufjs's full decode (proto-reference.ts) on
// generated requests: the same spans, origins and invalid-span messages for every request
// protobufjs itself encodes, and never a throw on damaged bytes.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRequestProto } from './proto.js';
import { decodeTracesProtobufjs } from './proto-reference.js';
import { decodeTracesProto } from './proto-traces.js';

const BUDGET = { maxItems: 100_000, itemName: 'spans', maxValues: 10_000_000 };

type AnyValue = Record<string, unknown>;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** AnyValue trees up to 20 levels deep, past the reader's cut-off of 16. */
const anyValue: fc.Arbitrary<AnyValue> = fc.letrec<{ value: AnyValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 20, withCrossShrink: true },
    fc.record({ stringValue: fc.string({ unit: 'grapheme', maxLength: 60 }) }),
    fc.record({ stringValue: fc.constantFrom('chat', 'gpt-4o', 'gen_ai.usage.input_tokens', '', 'é'.repeat(30)) }),
    fc.record({ boolValue: fc.boolean() }),
    fc.record({ intValue: fc.oneof(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), fc.bigInt({ min: -(2n ** 54n), max: 2n ** 54n })).map(String) }),
    fc.record({ doubleValue: fc.double() }),
    fc.record({ bytesValue: fc.uint8Array({ maxLength: 12 }) }),
    fc.constant({}),
    fc.record({ arrayValue: fc.record({ values: fc.array(tie('value'), { maxLength: 3 }) }) }),
    fc.record({ kvlistValue: fc.record({ values: fc.array(fc.record({ key: fc.string({ maxLength: 8 }), value: tie('value') }), { maxLength: 3 }) }) }),
  ),
})).value;

const keyValues = fc.array(
  fc.record({ key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'gen_ai.request.model', 'k')), value: fc.option(anyValue, { nil: undefined }) }),
  { maxLength: 6 },
);

/** Ids of the right length most of the time, of any length (including none) sometimes. */
const id = (bytes: number) => fc.oneof(fc.uint8Array({ minLength: bytes, maxLength: bytes }), fc.uint8Array({ maxLength: bytes + 2 }), fc.constant(new Uint8Array(bytes)));

const fixed64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);

const span = fc.record(
  {
    traceId: id(16),
    spanId: id(8),
    parentSpanId: id(8),
    name: fc.string({ maxLength: 20 }),
    kind: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: -3, max: 9 })),
    startTimeUnixNano: fixed64,
    endTimeUnixNano: fixed64,
    attributes: keyValues,
    events: fc.array(fc.record({ name: fc.string({ maxLength: 10 }), timeUnixNano: fixed64, attributes: keyValues }, { requiredKeys: [] }), { maxLength: 2 }),
    status: fc.record({ code: fc.integer({ min: -1, max: 3 }), message: fc.string({ maxLength: 10 }) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

const request = fc.record({
  resourceSpans: fc.array(
    fc.record(
      {
        resource: fc.record({ attributes: keyValues }),
        scopeSpans: fc.array(
          fc.record({ scope: fc.record({ name: fc.string({ maxLength: 10 }), version: fc.string({ maxLength: 6 }) }, { requiredKeys: [] }), spans: fc.array(span, { maxLength: 4 }) }, { requiredKeys: [] }),
          { maxLength: 3 },
        ),
      },
      { requiredKeys: [] },
    ),
    { maxLength: 3 },
  ),
});

describe('proto-traces: the one-pass reader decodes exactly what protobufjs decodes', () => {
  it('on generated requests: same spans, origins, invalid spans and messages', () => {
    fc.assert(
      fc.property(request, (req) => {
        const bytes = encodeRequestProto('traces', req);
        expect(decodeTracesProto(bytes, BUDGET)).toEqual({ ...decodeTracesProtobufjs(bytes) });
      }),
      { numRuns: 400 },
    );
  });

  it('on damaged bytes: never throws, and whatever both accept they read the same', () => {
    // Not all-or-nothing equal: the reader is stricter than protobufjs on the wire types of the
    // fields it reads (400, as the Collector) and does not look inside fields it skips (links,
    // values nested past the cut-off), so either may accept a body the other refuses.
    const damaged = fc.tuple(request, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat()).map(([req, flips, cut]) => {
      const bytes = Uint8Array.from(encodeRequestProto('traces', req));
      for (const [at, value] of flips) if (bytes.length > 0) bytes[at % bytes.length] = value;
      return cut % 3 === 0 ? bytes.subarray(0, cut % (bytes.length + 1)) : bytes;
    });
    let bothAccepted = 0;
    fc.assert(
      fc.property(damaged, (bytes) => {
        const fast = decodeTracesProto(bytes, BUDGET);
        if (!fast.ok) {
          expect(fast.status).toBe(400);
          expect(fast.message).toMatch(/^undecodable ExportTraceServiceRequest protobuf: ./);
          return;
        }
        const reference = decodeTracesProtobufjs(bytes);
        if (!reference.ok) return;
        bothAccepted++;
        expect(fast.value).toEqual(reference.value);
      }),
      { numRuns: 1500 },
    );
    // Damage often leaves a body both accept; the comparison above must have run on many.
    expect(bothAccepted).toBeGreaterThan(100);
  });

  it('stops at the budget: the 413 comes from counting, not from decoding everything first', () => {
    const empty = Buffer.from(encodeRequestProto('traces', { resourceSpans: [{ scopeSpans: [{ spans: Array.from({ length: 50_000 }, () => ({})) }] }] }));
    expect(decodeTracesProto(empty, { maxItems: 10, itemName: 'spans', maxValues: 1_000 })).toEqual({
      ok: false,
      status: 413,
      message: 'more than 10 spans in one request exceeds the limit of 10 per request (maxEventsPerRequest)',
    });
  });
});
