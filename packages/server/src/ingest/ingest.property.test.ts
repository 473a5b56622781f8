// Property-based tests: arbitrary input never crashes the native and OTLP decoders or the event
// validator (every outcome is a typed value), and valid events round-trip through them.

import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../model/limits.js';
import { validateEvent } from '../model/validate-event.js';
import { decodeEventsBody } from './decode-body.js';
import { decodeOtlpTraces } from './otlp/handle.js';
import { tracesJson, tracesProto, chatSpan } from './otlp/request-builder.js';

const ctx = { project: 'p', now: Date.UTC(2026, 10, 1), limits: DEFAULT_LIMITS };
const RUNS = 300;

/** Any JSON-like value, including the keys attackers like. */
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype', 'agent_id', 'attributes')), tie('value'), { maxKeys: 6 }),
  ),
})).value;

describe('property: the event validator', () => {
  it('answers any value with ok or a list of named problems, never a throw', () => {
    fc.assert(
      fc.property(hostileJson, (raw) => {
        const r = validateEvent(raw, 0, ctx);
        if (r.ok) expect(r.span.project).toBe('p');
        else {
          expect(r.problems.length).toBeGreaterThan(0);
          for (const p of r.problems) expect(p.error.startsWith(`${p.field}`)).toBe(true);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps every field of a valid event', () => {
    const valid = fc.record({
      agent_id: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== ''),
      tokens_input: fc.integer({ min: 0, max: 1_000_000 }),
      tokens_output: fc.integer({ min: 0, max: 1_000_000 }),
      latency_ms: fc.double({ min: 0, max: 86_400_000, noNaN: true }),
      confidence: fc.double({ min: 0, max: 1, noNaN: true }),
      decision_made: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== ''),
      timestamp: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2026, 9, 1) }),
    });
    fc.assert(
      fc.property(valid, (e) => {
        const r = validateEvent({ ...e, span_type: 'decision' }, 0, ctx);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.span).toMatchObject({ agent_id: e.agent_id, tokens_input: e.tokens_input, tokens_output: e.tokens_output, latency_ms: e.latency_ms, confidence: e.confidence, decision_made: e.decision_made, timestamp: e.timestamp });
      }),
      { numRuns: RUNS },
    );
  });
});

describe('property: body decoders', () => {
  const types = fc.constantFrom('application/json', 'application/x-ndjson', 'application/x-protobuf', 'text/plain', undefined);
  const encodings = fc.constantFrom(undefined, 'gzip', 'identity', 'br', 'zstd');

  it('answers arbitrary bytes with events or a 400/413/415 and a message, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), types, encodings, (bytes, type, encoding) => {
        const native = decodeEventsBody(bytes, type, encoding, DEFAULT_LIMITS);
        if (!native.ok) expect([400, 413, 415]).toContain(native.status);
        const otlp = decodeOtlpTraces(bytes, type, encoding, DEFAULT_LIMITS);
        if (!otlp.ok) {
          expect([400, 413, 415]).toContain(otlp.status);
          expect(otlp.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('decodes any JSON value or NDJSON text without throwing, gzip or not', () => {
    fc.assert(
      fc.property(hostileJson, fc.boolean(), fc.boolean(), (value, ndjson, gzip) => {
        const text = ndjson ? `${JSON.stringify(value)}\n{not json\n${JSON.stringify(value)}` : JSON.stringify(value);
        const body = gzip ? gzipSync(text) : Buffer.from(text);
        const r = decodeEventsBody(body, ndjson ? 'application/x-ndjson' : 'application/json', gzip ? 'gzip' : undefined, DEFAULT_LIMITS);
        if (ndjson) expect(r.ok && r.events.length).toBe(3);
      }),
      { numRuns: RUNS },
    );
  });

  it('maps valid OTLP spans identically from protobuf and JSON', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), fc.string({ maxLength: 30 }), (inTok, outTok, model) => {
        const spans = [chatSpan({ attributes: { 'gen_ai.usage.input_tokens': inTok, 'gen_ai.usage.output_tokens': outTok, 'gen_ai.request.model': model } })];
        const proto = decodeOtlpTraces(tracesProto({ resource: { 'service.name': 'svc' }, spans }), 'application/x-protobuf', undefined, DEFAULT_LIMITS);
        const json = decodeOtlpTraces(Buffer.from(JSON.stringify(tracesJson({ resource: { 'service.name': 'svc' }, spans }))), 'application/json', undefined, DEFAULT_LIMITS);
        expect(proto.ok && json.ok).toBe(true);
        if (proto.ok && json.ok) expect(proto.events).toEqual(json.events);
      }),
      { numRuns: 100 },
    );
  });
});
