import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type IngestLimits } from './limits.js';
import type { Span } from './span.js';
import { validateEvent } from './validate-event.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const ctx = { project: 'acme', now: NOW, limits: DEFAULT_LIMITS };

function ok(raw: unknown, limits: IngestLimits = DEFAULT_LIMITS): Span {
  const result = validateEvent(raw, 0, { ...ctx, limits });
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.problems)}`);
  return result.span;
}

function errors(raw: unknown, limits: IngestLimits = DEFAULT_LIMITS): string[] {
  const result = validateEvent(raw, 3, { ...ctx, limits });
  if (result.ok) throw new Error('expected problems');
  for (const p of result.problems) expect(p.index).toBe(3);
  return result.problems.map((p) => `${p.field} | ${p.error}`);
}

describe('validateEvent', () => {
  it('maps a full event onto the canonical span', () => {
    const span = ok({
      timestamp: '2025-06-01T11:59:58.500Z',
      agent_id: 'planner',
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
      parent_span_id: 'a1b2c3d4e5f60718',
      span_type: 'llm_call',
      name: 'chat',
      model: 'gpt-4o',
      provider: 'openai',
      tokens_input: 1200,
      tokens_output: 300,
      tokens_cache_read: 200,
      tokens_cache_write: 100,
      tokens_reasoning: 50,
      latency_ms: 812.5,
      cost_usd: 0.0123,
      decision_made: 'escalate',
      confidence: 0.82,
      error: { type: 'RateLimitError', message: 'slow down' },
      session_id: 's-1',
      user_id: 'u-1',
      attributes: { tier: 'gold', retries: 2 },
      input: 'hello',
      output: 'world',
    });
    expect(span).toEqual({
      project: 'acme',
      timestamp: Date.UTC(2025, 5, 1, 11, 59, 58, 500),
      agent_id: 'planner',
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
      parent_span_id: 'a1b2c3d4e5f60718',
      span_type: 'llm_call',
      name: 'chat',
      model: 'gpt-4o',
      provider: 'openai',
      tokens_input: 1200,
      tokens_output: 300,
      tokens_cache_read: 200,
      tokens_cache_write: 100,
      tokens_reasoning: 50,
      latency_ms: 812.5,
      cost_usd: 0.0123,
      cost_source: 'given',
      decision_made: 'escalate',
      confidence: 0.82,
      error_type: 'RateLimitError',
      error_message: 'slow down',
      session_id: 's-1',
      user_id: 'u-1',
      attributes: { tier: 'gold', retries: 2 },
      input: null,
      output: null,
      ingested_at: NOW,
    });
  });

  it('fills defaults for a minimal event', () => {
    const span = ok({ agent_id: 'a' });
    expect(span).toEqual({
      project: 'acme',
      timestamp: NOW,
      agent_id: 'a',
      trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
      parent_span_id: null,
      span_type: 'custom',
      name: null,
      model: null,
      provider: null,
      tokens_input: 0,
      tokens_output: 0,
      tokens_cache_read: 0,
      tokens_cache_write: 0,
      tokens_reasoning: 0,
      latency_ms: 0,
      cost_usd: null,
      cost_source: 'none',
      decision_made: null,
      confidence: null,
      error_type: null,
      error_message: null,
      session_id: null,
      user_id: null,
      attributes: {},
      input: null,
      output: null,
      ingested_at: NOW,
    });
    expect(ok({ agent_id: 'a' }).trace_id).not.toBe(span.trace_id);
  });

  it('defaults span_type to llm_call when a model is present', () => {
    expect(ok({ agent_id: 'a', model: 'gpt-4o' }).span_type).toBe('llm_call');
    expect(ok({ agent_id: 'a', model: 'gpt-4o', span_type: 'embedding' }).span_type).toBe('embedding');
  });

  it('treats null and empty strings as absent for optional strings', () => {
    const span = ok({ agent_id: 'a', parent_span_id: '', model: null, name: '', trace_id: '' });
    expect([span.parent_span_id, span.model, span.name, span.trace_id.length]).toEqual([null, null, null, 32]);
  });

  describe('timestamp', () => {
    it.each([
      ['2025-06-01T10:00:00Z', Date.UTC(2025, 5, 1, 10)],
      ['2025-06-01T10:00:00.123456789Z', Date.UTC(2025, 5, 1, 10, 0, 0, 123)],
      ['2025-06-01T12:30:00+02:30', Date.UTC(2025, 5, 1, 10)],
      ['2025-06-01T05:00:00-0500', Date.UTC(2025, 5, 1, 10)],
      ['2025-06-01T10:00:00', Date.UTC(2025, 5, 1, 10)],
      ['2025-06-01 10:00', Date.UTC(2025, 5, 1, 10)],
      ['2025-06-01', Date.UTC(2025, 5, 1)],
      ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
      [1748772000000.9, 1748772000000],
    ])('accepts %s', (value, expected) => {
      expect(ok({ agent_id: 'a', timestamp: value }).timestamp).toBe(expected);
    });

    it('rejects malformed, early and far-future timestamps', () => {
      expect(errors({ agent_id: 'a', timestamp: 'yesterday' })).toEqual(['timestamp | timestamp: "yesterday" is not an ISO-8601 date-time']);
      expect(errors({ agent_id: 'a', timestamp: '2025-02-29T00:00:00Z' })).toEqual([
        'timestamp | timestamp: "2025-02-29T00:00:00Z" is not an ISO-8601 date-time',
      ]);
      expect(errors({ agent_id: 'a', timestamp: true })).toEqual([
        'timestamp | timestamp: must be an ISO-8601 string or epoch milliseconds, got true',
      ]);
      expect(errors({ agent_id: 'a', timestamp: 1748772000 })).toEqual([
        'timestamp | timestamp: 1748772000 is before the limit of 2000-01-01T00:00:00.000Z (epoch milliseconds expected, not seconds)',
      ]);
      expect(errors({ agent_id: 'a', timestamp: NOW + 86_400_001 })).toEqual([
        `timestamp | timestamp: ${NOW + 86_400_001} is more than 86400000 ms ahead of the server clock`,
      ]);
      expect(ok({ agent_id: 'a', timestamp: NOW + 86_400_000 }).timestamp).toBe(NOW + 86_400_000);
    });
  });

  it('requires agent_id', () => {
    expect(errors({})).toEqual(['agent_id | agent_id: is required']);
    expect(errors({ agent_id: '' })).toEqual(['agent_id | agent_id: must not be empty']);
    expect(errors({ agent_id: 7 })).toEqual(['agent_id | agent_id: must be a string, got 7']);
    expect(errors({ agent_id: 'x'.repeat(257) })).toEqual(['agent_id | agent_id: 257 characters exceeds the limit of 256']);
  });

  it('reports every problem of one event, in field order', () => {
    expect(
      errors({
        agent_id: ['a'],
        span_type: 'thinking',
        model: 'm'.repeat(300),
        tokens_input: -3,
        tokens_output: 2.5,
        tokens_cache_read: '12',
        tokens_reasoning: 2_000_000_000,
        latency_ms: 90_000_000,
        cost_usd: -0.01,
        confidence: 1.7,
        session_id: { id: 1 },
      }),
    ).toEqual([
      'agent_id | agent_id: must be a string, got an array',
      'model | model: 300 characters exceeds the limit of 256',
      'span_type | span_type: "thinking" is not one of llm_call, tool_call, decision, agent_step, retrieval, embedding, custom',
      'tokens_input | tokens_input: must be a non-negative integer, got -3',
      'tokens_output | tokens_output: must be a non-negative integer, got 2.5',
      'tokens_cache_read | tokens_cache_read: must be a non-negative integer, got "12"',
      'tokens_reasoning | tokens_reasoning: 2000000000 exceeds the limit of 1000000000',
      'latency_ms | latency_ms: 90000000 exceeds the limit of 86400000',
      'cost_usd | cost_usd: must be a non-negative number, got -0.01',
      'confidence | confidence: 1.7 is outside 0..1',
      'session_id | session_id: must be a string, got an object',
    ]);
  });

  it('bounds cost_usd per event, so sums of costs stay finite', () => {
    expect(errors({ agent_id: 'a', cost_usd: 1e308 })).toEqual(['cost_usd | cost_usd: 1e+308 exceeds the limit of 1000000 USD for one event']);
    expect(ok({ agent_id: 'a', cost_usd: 1_000_000 }).cost_usd).toBe(1_000_000);
  });

  it('requires cached tokens within tokens_input and reasoning within tokens_output', () => {
    expect(errors({ agent_id: 'a', tokens_input: 100, tokens_cache_read: 80, tokens_cache_write: 30, tokens_output: 5, tokens_reasoning: 6 })).toEqual([
      'tokens_input | tokens_input: 100 is less than tokens_cache_read + tokens_cache_write (110); tokens_input must include cached tokens',
      'tokens_output | tokens_output: 5 is less than tokens_reasoning (6); tokens_output must include reasoning tokens',
    ]);
  });

  it('checks confidence bounds and type', () => {
    expect(ok({ agent_id: 'a', confidence: 0 }).confidence).toBe(0);
    expect(ok({ agent_id: 'a', confidence: 1 }).confidence).toBe(1);
    expect(errors({ agent_id: 'a', confidence: -0.1 })).toEqual(['confidence | confidence: -0.1 is outside 0..1']);
    expect(errors({ agent_id: 'a', confidence: 'high' })).toEqual(['confidence | confidence: must be a number in 0..1, got "high"']);
  });

  it('accepts decision as an alias of decision_made', () => {
    expect(ok({ agent_id: 'a', decision: 'refund' }).decision_made).toBe('refund');
    expect(ok({ agent_id: 'a', decision: 'refund', decision_made: 'refund' }).decision_made).toBe('refund');
    expect(errors({ agent_id: 'a', decision: 'refund', decision_made: 'escalate' })).toEqual([
      'decision | decision: "refund" conflicts with decision_made "escalate"',
    ]);
  });

  describe('error', () => {
    const errorOf = (raw: Record<string, unknown>) => {
      const span = ok({ agent_id: 'a', ...raw });
      return [span.error_type, span.error_message];
    };

    it('accepts every documented form', () => {
      expect(errorOf({ error: 'connection reset' })).toEqual(['error', 'connection reset']);
      expect(errorOf({ error: 'timed out', error_type: 'TimeoutError' })).toEqual(['TimeoutError', 'timed out']);
      expect(errorOf({ error: true })).toEqual(['error', null]);
      expect(errorOf({ error: { type: 'ToolError' } })).toEqual(['ToolError', null]);
      expect(errorOf({ error: { message: 'boom' } })).toEqual(['error', 'boom']);
      expect(errorOf({ error_type: 'ValueError', error_message: 'bad' })).toEqual(['ValueError', 'bad']);
      expect(errorOf({ error_message: 'bad' })).toEqual(['error', 'bad']);
      expect(errorOf({ error: null })).toEqual([null, null]);
      expect(errorOf({ error: false })).toEqual([null, null]);
    });

    it('rejects other shapes', () => {
      expect(errors({ agent_id: 'a', error: 42 })).toEqual(['error | error: must be a string, true or an object {type, message}, got 42']);
      expect(errors({ agent_id: 'a', error: { type: 5 } })).toEqual(['error.type | error.type: must be a string, got 5']);
    });

    it('truncates long messages to maxErrorMessageLength bytes', () => {
      const limits = { ...DEFAULT_LIMITS, maxErrorMessageLength: 20 };
      expect(ok({ agent_id: 'a', error: 'abcdefghijklmnopqrstuvwxyz' }, limits).error_message).toBe('abcdef…[truncated]');
      // Never splits a character: "é" is 2 bytes and would straddle the 6-byte room.
      expect(ok({ agent_id: 'a', error: 'abcdeéfghijklmnopqrstuvwxyz' }, limits).error_message).toBe('abcde…[truncated]');
      expect(ok({ agent_id: 'a', error: 'x'.repeat(20) }, limits).error_message).toBe('x'.repeat(20));
    });
  });

  describe('attributes', () => {
    it('moves unknown top-level fields into attributes; explicit attributes win', () => {
      const raw = { agent_id: 'a', region: 'eu', retries: 2, tags: ['x'], tier: 'top', attributes: { tier: 'gold' } };
      expect(ok(raw).attributes).toEqual({ tier: 'gold', region: 'eu', retries: 2, tags: ['x'] });
      expect(raw.attributes).toEqual({ tier: 'gold' });
    });

    it('rejects a non-object', () => {
      expect(errors({ agent_id: 'a', attributes: [1] })).toEqual(['attributes | attributes: must be an object, got an array']);
      expect(errors({ agent_id: 'a', attributes: 'x' })).toEqual(['attributes | attributes: must be an object, got "x"']);
    });

    it('limits the number of keys', () => {
      const attributes = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]));
      expect(errors({ agent_id: 'a', attributes })).toEqual(['attributes | attributes: 200 keys exceeds the limit of 128']);
      const atLimit = Object.fromEntries(Array.from({ length: 127 }, (_, i) => [`k${i}`, i]));
      expect(errors({ agent_id: 'a', attributes: atLimit, extra1: 1, extra2: 2 })).toEqual([
        'attributes | attributes: 129 keys (including 2 unknown top-level fields) exceeds the limit of 128',
      ]);
    });

    it('limits nesting depth', () => {
      expect(ok({ agent_id: 'a', attributes: { a: { b: { c: { d: 1 } } } } }).attributes).toEqual({ a: { b: { c: { d: 1 } } } });
      expect(errors({ agent_id: 'a', attributes: { a: { b: { c: { d: { e: 1 } } } } } })).toEqual([
        'attributes.a.b.c.d.e | attributes.a.b.c.d.e: nesting depth 5 exceeds the limit of 4',
      ]);
      expect(errors({ agent_id: 'a', deep: [[[[1]]]] })).toEqual(['deep.0.0.0.0 | deep.0.0.0.0: nesting depth 5 exceeds the limit of 4']);
    });

    it('limits serialised size', () => {
      expect(errors({ agent_id: 'a', attributes: { blob: 'x'.repeat(16_400) } })).toEqual([
        'attributes | attributes: 16411 bytes as JSON exceeds the limit of 16384',
      ]);
    });

    it('rejects exactly the attributes whose JSON is over the byte limit, whatever the size estimate skips', () => {
      // Validation measures only when its upper bound of the JSON size could exceed the limit;
      // against the exact rule, on payloads around a small limit: escapes (\u0001 is 6 characters),
      // 3-byte characters, surrogate pairs, numbers, nesting and moved top-level fields.
      const limits: IngestLimits = { ...DEFAULT_LIMITS, maxAttributesBytes: 120 };
      const pieces = ['x', '\u0001', '"', 'é', '日', '🤖', '\\'];
      let seed = 7;
      const rand = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
      const text = () => Array.from({ length: rand(40) }, () => pieces[rand(pieces.length)]).join('');
      let accepted = 0;
      let rejected = 0;
      for (let i = 0; i < 400; i++) {
        const attributes: Record<string, unknown> = { [text() || 'k']: text(), n: rand(2) ? -1.2345678901234567e-308 : rand(1000) };
        if (rand(2)) attributes.nested = { list: [text(), rand(50), null, true], inner: { s: text() } };
        const raw = { agent_id: 'a', attributes, ...(rand(2) && { moved_field: text() }) };
        const json = JSON.stringify({ ...attributes, ...('moved_field' in raw && !('moved_field' in attributes) && { moved_field: raw.moved_field }) });
        const bytes = Buffer.byteLength(json, 'utf8');
        const result = validateEvent(raw, 0, { ...ctx, limits });
        if (bytes > 120) {
          rejected++;
          expect(result.ok ? [] : result.problems.map((p) => p.error)).toEqual([`attributes: ${bytes} bytes as JSON exceeds the limit of 120`]);
        } else {
          accepted++;
          expect(result.ok).toBe(true);
        }
      }
      // Both sides of the limit were exercised.
      expect(Math.min(accepted, rejected)).toBeGreaterThan(50);
      // The worst case for an estimate: every character escaped (6 bytes of JSON for 1 UTF-16 unit).
      expect(validateEvent({ agent_id: 'a', attributes: { c: '\u0001'.repeat(18) } }, 0, { ...ctx, limits }).ok).toBe(true);
      const over = validateEvent({ agent_id: 'a', attributes: { c: '\u0001'.repeat(19) } }, 0, { ...ctx, limits });
      expect(over.ok ? [] : over.problems.map((p) => p.error)).toEqual(['attributes: 122 bytes as JSON exceeds the limit of 120']);
    });

    it('rejects prototype keys anywhere without polluting prototypes', () => {
      const raw = JSON.parse(
        '{"agent_id":"a","__proto__":{"polluted":1},"attributes":{"constructor":{"prototype":{"polluted":1}},"ok":{"__proto__":{"polluted":1}}}}',
      );
      expect(errors(raw)).toEqual([
        '__proto__ | __proto__: key is not allowed',
        'attributes.constructor | attributes.constructor: key is not allowed',
        'attributes.ok.__proto__ | attributes.ok.__proto__: key is not allowed',
      ]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('ignores undefined values, as JSON serialisation does', () => {
      expect(ok({ agent_id: 'a', gone: undefined, attributes: { kept: 1, gone: undefined } }).attributes).toEqual({ kept: 1 });
    });

    it('rejects values that are not JSON', () => {
      expect(errors({ agent_id: 'a', attributes: { n: Number.NaN, b: 10n, when: new Date(0) } })).toEqual([
        'attributes.n | attributes.n: must be a finite number, got NaN',
        'attributes.b | attributes.b: must be a JSON value, got 10',
        'attributes.when | attributes.when: must be a JSON value, got an object that is not a plain object',
      ]);
    });
  });

  describe('input and output', () => {
    const capture = { ...DEFAULT_LIMITS, captureContent: true, maxContentBytes: 24 };

    it('are dropped unless captureContent is on', () => {
      const span = ok({ agent_id: 'a', input: 'secret prompt', output: { answer: 42 } });
      expect([span.input, span.output]).toEqual([null, null]);
    });

    it('are kept as text, JSON-serialised when structured, and truncated past maxContentBytes', () => {
      const span = ok({ agent_id: 'a', input: 'hello', output: { answer: 42 } }, capture);
      expect([span.input, span.output]).toEqual(['hello', '{"answer":42}']);
      expect(ok({ agent_id: 'a', input: 'abcdefghijklmnopqrstuvwxyz' }, capture).input).toBe('abcdefghij…[truncated]');
    });
  });

  it('rejects events that are not objects', () => {
    expect(errors(5)).toEqual(['event | event: must be a JSON object, got 5']);
    expect(errors(null)).toEqual(['event | event: must be a JSON object, got null']);
    expect(errors([{ agent_id: 'a' }])).toEqual(['event | event: must be a JSON object, got an array']);
  });
});
