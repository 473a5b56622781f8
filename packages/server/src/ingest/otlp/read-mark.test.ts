// The telemetry doctor's READ_MARK as the OTLP mapping writes it: which of a span's kept
// attributes the mapping read, so every other kept attribute is known to be read by no mapping.

import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../model/limits.js';
import { READ_MARK } from '../../model/reserved-attributes.js';
import { decodeOtlpTraces } from './handle.js';
import { chatSpan, tracesProto, type SpanSpec } from './request-builder.js';

function attributesOf(span: SpanSpec, markRead: boolean, limits = DEFAULT_LIMITS): Record<string, unknown> {
  const decoded = decodeOtlpTraces(Buffer.from(tracesProto({ resource: { 'service.name': 'svc' }, spans: [span] })), 'application/x-protobuf', undefined, limits, { markRead });
  if (!decoded.ok) throw new Error(decoded.message);
  return (decoded.events[0] as { attributes: Record<string, unknown> }).attributes;
}

describe('READ_MARK on mapped spans', () => {
  it('names the peeked attributes and the lower-precedence alternatives of consumed ones, never the unread ones', () => {
    const attrs = attributesOf(chatSpan({ attributes: { 'server.port': 443, 'gen_ai.usage.prompt_tokens': 7 } }), true);
    // gen_ai.operation.name decides the span type but stays; gen_ai.request.model and
    // gen_ai.usage.prompt_tokens lose to response.model and input_tokens but were read.
    expect(attrs[READ_MARK]).toEqual(['gen_ai.operation.name', 'gen_ai.request.model', 'gen_ai.usage.prompt_tokens']);
    expect(Object.keys(attrs).filter((k) => !k.startsWith('resource.') && !k.startsWith('otel.scope.') && !k.startsWith('sightline.')).sort()).toEqual([
      'gen_ai.operation.name', 'gen_ai.request.model', 'gen_ai.request.temperature', 'gen_ai.usage.prompt_tokens', 'server.port',
    ]);
  });

  it('is an empty list on a span whose kept attributes the mapping never read, and absent unless asked for', () => {
    const span: SpanSpec = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'x', kind: 1, startNanos: 1n, endNanos: 2n, attributes: { custom: 1 } };
    expect(attributesOf(span, true)[READ_MARK]).toEqual([]);
    expect(READ_MARK in attributesOf(span, false)).toBe(false);
  });

  it('is left out rather than pushing a span at the attribute limit over it', () => {
    const limits = { ...DEFAULT_LIMITS, maxAttributes: 3 };
    const span: SpanSpec = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'x', kind: 1, startNanos: 1n, endNanos: 2n, attributes: { a: 1, b: 2, c: 3 } };
    expect(attributesOf(span, true, limits)).toEqual({
      a: 1, b: 2, c: 3, 'otel.scope.name': 'sightline-test', 'otel.scope.version': '1.0.0', 'sightline.resource_attributes_dropped': 1,
    });
  });
});
