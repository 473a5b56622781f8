// Conformance of the trace viewer's and the sessions page's reads (trace-detail-store.ts,
// session-store.ts) and of trace search by session, user and attribute value, run against every
// backend on one fixture whose figures are worked out here.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../model/span.js';
import { makeSpan, T0 } from './store-fixtures.case.js';
import type { Store } from './store.js';
import { OUTLINE_FIELDS } from './trace-detail-store.js';

const MIN = 60_000;

/**
 * Session s-1 (user u-1): traces t1 (2 spans, cost 0.5) and t2 (1 span, an error, cost 0.25).
 * Session s-2 (user u-2): trace t3 (1 span of agent-2, cost 2). Trace t4: no session, user u-2.
 * Trace t5: no session, no user.
 */
function fixture(): Span[] {
  const at = (m: number) => T0 + m * MIN;
  return [
    makeSpan({ trace_id: 't1', span_id: 'a', timestamp: at(0), latency_ms: 1000, session_id: 's-1', user_id: 'u-1', cost_usd: 0.25, tokens_input: 10, tokens_output: 5, attributes: { region: 'eu', retries: 3 } }),
    makeSpan({ trace_id: 't1', span_id: 'b', parent_span_id: 'a', timestamp: at(0) + 10, latency_ms: 500, session_id: 's-1', user_id: 'u-1', cost_usd: 0.25, tokens_input: 1, tokens_output: 1, input: null, output: null, attributes: { nested: { region: 'us' } } }),
    makeSpan({ trace_id: 't2', span_id: 'c', timestamp: at(5), latency_ms: 2000, session_id: 's-1', user_id: 'u-1', cost_usd: 0.25, tokens_input: 4, tokens_output: 4, error_type: 'timeout', error_message: 'slow', attributes: { region: 'eu-west' } }),
    makeSpan({ trace_id: 't3', span_id: 'd', timestamp: at(7), latency_ms: 100, agent_id: 'agent-2', session_id: 's-2', user_id: 'u-2', cost_usd: 2, tokens_input: 0, tokens_output: 0, attributes: { ok: true } }),
    makeSpan({ trace_id: 't4', span_id: 'e', timestamp: at(9), latency_ms: 100, session_id: null, user_id: 'u-2', cost_usd: null, cost_source: 'none', tokens_input: 0, tokens_output: 0, attributes: {} }),
    makeSpan({ trace_id: 't5', span_id: 'f', timestamp: at(10), latency_ms: 100, session_id: null, user_id: null, cost_usd: 1, tokens_input: 0, tokens_output: 0, attributes: {} }),
  ];
}

export function runTraceReadConformance(name: string, newStore: () => Promise<Store>): void {
  describe(`trace and session reads: ${name}`, () => {
    let store: Store;
    const spans = fixture();
    const range = { project: 'alpha', from: T0, to: T0 + 60 * MIN };
    beforeAll(async () => {
      store = await newStore();
      await store.append(spans);
    }, 60_000);
    afterAll(async () => {
      await store?.close();
    });

    it('traceOutline returns every span of a trace as rows without content or attributes, flagging content', async () => {
      const row = (s: Span) => OUTLINE_FIELDS.map((f) => (f === 'has_content' ? s.input !== null || s.output !== null : s[f]));
      const outline = await store.traceOutline('alpha', 't1');
      expect({ ...outline, rows: JSON.parse(outline.rows) as unknown }).toEqual({ count: 2, start: T0, rows: [row(spans[0]!), row(spans[1]!)] });
      expect(row(spans[1]!).at(-1)).toBe(false);
      expect(await store.traceOutline('alpha', 't1', { around: T0 })).toEqual(outline);
      expect(JSON.parse((await store.traceOutline('alpha', 't2')).rows)).toEqual([row(spans[2]!)]);
      expect(await store.traceOutline('alpha', 'missing')).toEqual({ count: 0, start: null, rows: '[]' });
      expect(await store.traceOutline('beta', 't1')).toEqual({ count: 0, start: null, rows: '[]' });
    });

    it('traceOutline writes quotes, backslashes, newlines, commas, brackets and non-ASCII as JSON that reads back exactly', async () => {
      const row = (s: Span) => OUTLINE_FIELDS.map((f) => (f === 'has_content' ? s.input !== null || s.output !== null : s[f]));
      const odd = [
        makeSpan({ project: 'gamma', trace_id: 'odd', span_id: 'q"1', name: 'say "hi",\\ then\nbye ✓ 😀 ],[', decision_made: '}{', timestamp: T0 }),
        makeSpan({ project: 'gamma', trace_id: 'odd', span_id: 'q"2', parent_span_id: 'q"1', name: '', error_type: '\t', timestamp: T0 + 1 }),
      ];
      await store.append(odd);
      expect(JSON.parse((await store.traceOutline('gamma', 'odd')).rows)).toEqual(odd.map(row));
    });

    it('traceJson writes every span in full, as getTrace returns it, with its links, in (timestamp, span_id) order', async () => {
      const full = await store.traceJson('alpha', 't1');
      expect(full.count).toBe(2);
      expect(JSON.parse(full.spans)).toEqual([spans[0], spans[1]]);
      expect(JSON.parse(full.spans)).toEqual(await store.getTrace('alpha', 't1'));
      expect(JSON.parse(full.links)).toEqual([['a', null], ['b', 'a']]);
      expect(await store.traceJson('alpha', 't1', { around: T0 })).toEqual(full);
      expect(await store.traceJson('alpha', 'missing')).toEqual({ count: 0, spans: '[]', links: '[]' });
      expect(await store.traceJson('beta', 't1')).toEqual({ count: 0, spans: '[]', links: '[]' });
    });

    it('traceJson writes odd text, fractions, big and tiny numbers and nested attributes so that they read back exactly', async () => {
      const odd = [
        makeSpan({
          project: 'delta', trace_id: 'odd', span_id: 'q"1', name: 'say "hi",\\ then\nbye ✓ 😀 ],[', decision_made: '}{', timestamp: T0,
          input: 'line\r\n\ttab \u0001 \u2028 "quoted" \\', output: null, latency_ms: 0.1 + 0.2, cost_usd: 1e-7, confidence: 0.3333333333333333,
          tokens_input: 2 ** 40, attributes: { 'a.b': [1.5, -0, 1e21, 'x"y', { deep: { deeper: [true, null] } }], 'ü': 'ä' },
        }),
        makeSpan({ project: 'delta', trace_id: 'odd', span_id: 'q"2', parent_span_id: 'q"1', name: null, model: null, provider: null, cost_usd: null, cost_source: 'none', error_type: '\t', timestamp: T0 + 1, latency_ms: 1e9, attributes: {} }),
      ];
      await store.append(odd);
      const full = await store.traceJson('delta', 'odd');
      // -0 is written as 0 by JSON.stringify as well.
      expect(JSON.parse(full.spans)).toEqual(JSON.parse(JSON.stringify(odd)));
      expect(JSON.parse(full.links)).toEqual([['q"1', null], ['q"2', 'q"1']]);
    });

    it('getSpan returns one span in full, or null', async () => {
      expect(await store.getSpan('alpha', 't1', 'b')).toEqual(spans[1]);
      expect(await store.getSpan('alpha', 't1', 'a', { around: T0 })).toEqual(spans[0]);
      expect(await store.getSpan('alpha', 't1', 'c')).toBeNull();
      expect(await store.getSpan('beta', 't1', 'a')).toBeNull();
    });

    it('searchTraces filters by session, user and attribute value', async () => {
      const ids = async (over: object) => (await store.searchTraces({ ...range, limit: 100, ...over })).map((t) => t.trace_id);
      expect(await ids({ session_id: 's-1' })).toEqual(['t2', 't1']);
      expect(await ids({ user_id: 'u-2' })).toEqual(['t4', 't3']);
      expect(await ids({ session_id: 's-1', errors_only: true })).toEqual(['t2']);
      expect(await ids({ attributes: [{ key: 'region', value: 'eu' }] })).toEqual(['t1']);
      expect(await ids({ attributes: [{ key: 'region', value: 'us' }] })).toEqual(['t1']);
      expect(await ids({ attributes: [{ key: 'retries', value: '3' }] })).toEqual(['t1']);
      expect(await ids({ attributes: [{ key: 'ok', value: 'true' }] })).toEqual(['t3']);
      expect(await ids({ attributes: [{ key: 'region', value: 'eu-west' }] })).toEqual(['t2']);
      expect(await ids({ attributes: [{ key: 'region', value: 'e' }] })).toEqual([]);
      expect(await ids({ attributes: [{ key: 'region', value: 'eu' }, { key: 'retries', value: '4' }] })).toEqual([]);
    });

    it('searchSessions summarises sessions, most recently active first', async () => {
      const s1 = {
        session_id: 's-1', user_id: 'u-1', agents: ['agent-1'], turns: 2, start: T0, end: T0 + 5 * MIN + 2000,
        span_count: 3, error_count: 1, cost_usd: 0.75, tokens: 25,
      };
      const s2 = {
        session_id: 's-2', user_id: 'u-2', agents: ['agent-2'], turns: 1, start: T0 + 7 * MIN, end: T0 + 7 * MIN + 100,
        span_count: 1, error_count: 0, cost_usd: 2, tokens: 0,
      };
      expect(await store.searchSessions({ ...range, limit: 10 })).toEqual([s2, s1]);
      expect(await store.searchSessions({ ...range, limit: 1 })).toEqual([s2]);
      expect(await store.searchSessions({ ...range, user_id: 'u-1', limit: 10 })).toEqual([s1]);
      expect(await store.searchSessions({ ...range, session_id: 's-1', limit: 10 })).toEqual([s1]);
      expect(await store.searchSessions({ ...range, session_id: 's-9', limit: 10 })).toEqual([]);
      expect(await store.searchSessions({ ...range, agent: 'agent-2', limit: 10 })).toEqual([s2]);
      expect(await store.searchSessions({ ...range, from: T0 + 6 * MIN, limit: 10 })).toEqual([s2]);
    });

    it('rankUsers ranks end users by cost or by errors', async () => {
      const u1 = { user_id: 'u-1', sessions: 1, traces: 2, span_count: 3, error_count: 1, cost_usd: 0.75, tokens: 25, last_seen: T0 + 5 * MIN };
      const u2 = { user_id: 'u-2', sessions: 1, traces: 2, span_count: 2, error_count: 0, cost_usd: 2, tokens: 0, last_seen: T0 + 9 * MIN };
      expect(await store.rankUsers({ ...range, order: 'cost', limit: 10 })).toEqual([u2, u1]);
      expect(await store.rankUsers({ ...range, order: 'errors', limit: 10 })).toEqual([u1, u2]);
      expect(await store.rankUsers({ ...range, order: 'cost', limit: 1 })).toEqual([u2]);
      expect(await store.rankUsers({ ...range, agent: 'agent-2', order: 'cost', limit: 10 })).toEqual([
        { user_id: 'u-2', sessions: 1, traces: 1, span_count: 1, error_count: 0, cost_usd: 2, tokens: 0, last_seen: T0 + 7 * MIN },
      ]);
    });
  });
}
