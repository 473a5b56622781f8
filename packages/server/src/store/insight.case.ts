// The insight primitives' conformance suite, run against every Store backend: decision paths and
// cohorts, read from raw spans, from materialized hours and from a mix, must equal the same
// figures computed here in plain TypeScript from the spans (per-hour value and key caps included).
// Call `runInsightConformance(name, newStore)` from a backend's test; every call must return a
// fresh, empty store.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestPipeline } from '../ingest/pipeline.js';
import { createPriceTable } from '../ingest/pricing.js';
import { DEFAULT_LIMITS } from '../model/limits.js';
import type { Span } from '../model/span.js';
import { createFleet, simulateToArray } from '../sim/index.js';
import { expectContrastsMatch, expectedContrasts } from './cohort-contrasts.case.js';
import { runDecisionCountConformance } from './decision-counts.case.js';
import { cmp, expectCohortsMatch, expectedCohorts, expectedPaths, expectPathsMatch } from './insight-reference.case.js';
import { HOUR_MS } from './rollup.js';
import { makeSpan } from './store.case.js';
import type { Store } from './store.js';

const T0 = Date.UTC(2025, 2, 3, 8, 0, 0);

function toSpans(events: unknown[]): Span[] {
  const pipeline = createIngestPipeline({ limits: DEFAULT_LIMITS, prices: createPriceTable() });
  const { spans: out, rejected } = pipeline.process(events, { project: 'p', now: T0 + 10 * HOUR_MS });
  expect(rejected).toEqual([]);
  return out;
}

// ---- Crafted attributes for the JSON edge cases and the caps ----

const LONG_KEY = 'k'.repeat(65);
const KEY_64 = 'x'.repeat(64);

function craftedSpans(): Span[] {
  const out: Span[] = [];
  let n = 0;
  const span = (over: Partial<Span>): Span => {
    n++;
    return makeSpan({
      project: 'q',
      timestamp: T0 + n * 1000,
      trace_id: `t${String(n).padStart(4, '0')}`,
      span_id: `s${String(n).padStart(4, '0')}`,
      ingested_at: T0 + 10 * HOUR_MS,
      ...over,
    });
  };
  const tricky: Record<string, unknown>[] = [
    {
      str: 'plain',
      quote: 'say "hi"',
      backslash: 'a\\b',
      newline: 'line1\nline2',
      tab: 'a\tb\u0001',
      unicode: 'é☺🦆',
      int: 3,
      neg: -2,
      frac: 1.5,
      tenth: 0.1,
      big: 12345678901,
      yes: true,
      no: false,
      nothing: null,
      nested: { str: 'inner', deep: { int: 4 } },
      list: [1, 'two', { str: 'in array' }],
      empty_obj: {},
      empty_list: [],
      '': 'empty key',
      'a"b': 'quoted key',
      'sp ace:colon,comma{}[]': 'odd key',
      clé: 'accented key',
      [LONG_KEY]: 'key too long',
      [KEY_64]: 'key of 64',
      long_value: 'v'.repeat(65),
      value_64: 'é'.repeat(64),
      looks_like_json: '{"str":"not a key"}',
    },
    { str: 'plain', int: 3, yes: false, nested: 'now a string', frac: 2.25 },
    { str: 'other', int: 10, unicode: 'é☺🦆', nothing: 'something' },
  ];
  tricky.forEach((attributes, i) => {
    for (const agent of ['agent-1', 'agent-2']) {
      out.push(span({ agent_id: agent, attributes, confidence: i === 1 ? 0.75 : null, error_type: i === 2 ? 'boom' : null }));
      out.push(span({ agent_id: agent, attributes, parent_span_id: 'p', user_id: null, model: null }));
    }
  });
  // 130 values of 'many' with counts 1..5 (many ties, broken by value), over two agents: 30 are capped.
  for (let i = 0; i < 130; i++) {
    for (let j = 0; j <= i % 5; j++) {
      out.push(span({ agent_id: j % 2 === 0 ? 'agent-1' : 'agent-2', attributes: { many: `v${(i * 37) % 130}` }, user_id: null, model: null }));
    }
  }
  // 70 more keys with 1..3 spans each: with the keys above, only the 64 most frequent survive.
  for (let i = 0; i < 70; i++) {
    for (let j = 0; j <= i % 3; j++) {
      out.push(span({ agent_id: 'agent-3', attributes: { [`key${String((i * 17) % 70).padStart(2, '0')}`]: 'x' }, user_id: null, model: null }));
    }
  }
  // Paths: decisions ordered by timestamp then span_id, '' is a decision, a trace that crosses
  // into the next hour, one starting in the hour before, one whose first span is another agent's.
  const at = T0 + 50 * 60_000;
  out.push(
    span({ trace_id: 'path-a', span_id: 'b', timestamp: at, decision_made: 'second', latency_ms: 10 }),
    span({ trace_id: 'path-a', span_id: 'a', timestamp: at, decision_made: 'first', parent_span_id: 'x' }),
    span({ trace_id: 'path-a', span_id: 'c', timestamp: at + 1, decision_made: '' }),
    span({ trace_id: 'path-b', span_id: 'a', timestamp: at, decision_made: 'late', latency_ms: 0.5 }),
    span({ trace_id: 'path-b', span_id: 'b', timestamp: T0 + HOUR_MS + 20 * 60_000, decision_made: 'next hour', latency_ms: 3000 }),
    span({ trace_id: 'path-c', span_id: 'a', timestamp: T0 - 10 * 60_000, decision_made: 'before' }),
    span({ trace_id: 'path-c', span_id: 'b', timestamp: T0 + 60_000, decision_made: 'after' }),
    span({ trace_id: 'path-d', span_id: 'a', timestamp: at, agent_id: 'agent-9', decision_made: null, cost_usd: null }),
    span({ trace_id: 'path-d', span_id: 'b', timestamp: at + 5, agent_id: 'agent-1', decision_made: 'handed over', error_message: 'x' }),
  );
  return out;
}

export function runInsightConformance(name: string, newStore: () => Promise<Store>): void {
  runDecisionCountConformance(name, newStore);
  describe(`insight primitives: ${name}`, () => {
    let store: Store;
    let spans: Span[];
    const scan = { project: 'p', from: T0, to: T0 + 3 * HOUR_MS };

    beforeAll(async () => {
      store = await newStore();
      const fleet = createFleet({ seed: 11, agents: 4, tracesPerMinutePerAgent: 6 });
      spans = toSpans(simulateToArray(fleet, { from: T0, to: T0 + 3 * HOUR_MS }));
      for (let i = 0; i < spans.length; i += 2000) await store.append(spans.slice(i, i + 2000));
    }, 120_000);

    afterAll(async () => {
      await store?.close();
    });

    it('groups traces by decision path from raw spans, then from materialized hours, with the same figures', async () => {
      const expected = expectedPaths(spans, 'p', T0, T0 + 3 * HOUR_MS);
      expectPathsMatch(await store.insightPaths({ ...scan, raw: true }), expected);
      // One minute past T0 + 3 h the third hour is inside its grace period; the fourth holds the
      // ends of traces that started before T0 + 3 h. Both stay live; T0 − 1 h is checked for paths.
      const report = await store.materializeInsights({ now: T0 + 3 * HOUR_MS + 60_000 });
      expect(report).toEqual({ hours: [T0 - HOUR_MS, T0, T0 + HOUR_MS], pending: [T0 + 2 * HOUR_MS, T0 + 3 * HOUR_MS] });
      const mixed = await store.insightPaths(scan);
      expectPathsMatch(mixed, expected);
      expect(await store.materializeInsights({ now: T0 + 5 * HOUR_MS })).toEqual({ hours: [T0 + 2 * HOUR_MS, T0 + 3 * HOUR_MS], pending: [] });
      expectPathsMatch(await store.insightPaths(scan), expected);
      expect(await store.materializeInsights({ now: T0 + 5 * HOUR_MS })).toEqual({ hours: [], pending: [] });
      // One hour alone, and one agent alone.
      expectPathsMatch(
        await store.insightPaths({ ...scan, from: T0 + HOUR_MS, to: T0 + 2 * HOUR_MS }),
        expectedPaths(spans, 'p', T0 + HOUR_MS, T0 + 2 * HOUR_MS),
      );
      const agentRows = await store.insightPaths({ ...scan, agent: 'support-1' });
      expect(new Set(agentRows.map((r) => r.agent_id))).toEqual(new Set(['support-1']));
      expectPathsMatch(agentRows, new Map([...expected].filter(([, r]) => r.agent_id === 'support-1')));
      expect(await store.insightPaths({ ...scan, project: 'nobody' })).toEqual([]);
    });

    it('counts spans and traces per attribute value, equal from materialized and raw data and to the spans', async () => {
      await store.materializeInsights({ now: T0 + 5 * HOUR_MS });
      for (const q of [
        { ...scan },
        { ...scan, keys: ['input_category', 'model'] },
        { ...scan, keys: ['input_category'], minCount: 100 },
        { ...scan, from: T0 + HOUR_MS, to: T0 + 2 * HOUR_MS, agent: 'support-1' },
      ]) {
        const expected = expectedCohorts(spans, q);
        expectCohortsMatch(await store.insightCohorts(q), expected);
        expectCohortsMatch(await store.insightCohorts({ ...q, raw: true }), expected);
      }
      const materialized = await store.insightCohorts({ ...scan, keys: ['input_category', 'model'] });
      // Independent count: root spans of support-1 per input_category.
      const roots = spans.filter((s) => s.parent_span_id === null && s.agent_id === 'support-1');
      const values = new Map<string, { traces: number; errors: number }>();
      for (const s of roots) {
        const v = String(s.attributes.input_category);
        const c = values.get(v) ?? { traces: 0, errors: 0 };
        c.traces++;
        if (s.error_type !== null) c.errors++;
        values.set(v, c);
      }
      const got = new Map(materialized.map((r) => [`${r.agent_id}|${r.key}|${r.value}`, r]));
      for (const [v, c] of values) {
        expect(got.get(`support-1|input_category|${v}`)).toMatchObject({ traces: c.traces, trace_errors: c.errors });
      }
      const gpt = spans.filter((s) => s.agent_id === 'support-1' && s.model === 'gpt-4o-mini').length;
      expect(got.get('support-1|model|gpt-4o-mini')).toMatchObject({ spans: gpt, traces: 0 });
    });

    it('compares each attribute value with the rest of its agents, from materialized and raw data, as the spans do', async () => {
      await store.materializeInsights({ now: T0 + 5 * HOUR_MS });
      for (const q of [
        { ...scan, minCount: 30 },
        { ...scan, keys: ['input_category', 'model'], minCount: 0 },
        { ...scan, from: T0 + HOUR_MS, to: T0 + 2 * HOUR_MS, agent: 'support-1', minCount: 5 },
      ]) {
        const expected = expectedContrasts(expectedCohorts(spans, { ...q, minCount: 0 }), q.minCount);
        expectContrastsMatch(await store.insightCohortContrasts(q), expected);
        expectContrastsMatch(await store.insightCohortContrasts({ ...q, raw: true }), expected);
      }
      // Independent count: input_category is on every span of a trace (unit trace), model on LLM calls only (unit span).
      const rows = await store.insightCohortContrasts({ ...scan, keys: ['input_category', 'model'], minCount: 0 });
      expect(new Set(rows.map((r) => `${r.key}:${r.unit}`))).toEqual(new Set(['input_category:trace', 'model:span']));
      const roots = spans.filter((s) => s.parent_span_id === null);
      for (const r of rows.filter((x) => x.key === 'input_category')) {
        const agents = new Set(roots.filter((s) => s.attributes.input_category === r.value).map((s) => s.agent_id));
        const mine = roots.filter((s) => agents.has(s.agent_id));
        const inCohort = mine.filter((s) => s.attributes.input_category === r.value);
        const failed = (list: Span[]) => list.filter((s) => s.error_type !== null || s.error_message !== null).length;
        expect(r.agents).toEqual([...agents].sort(cmp));
        expect([r.cohort.n, r.cohort.errors, r.rest.n, r.rest.errors]).toEqual([inCohort.length, failed(inCohort), mine.length - inCohort.length, failed(mine) - failed(inCohort)]);
      }
    });

    it('treats an hour that received late spans as live until it is materialized again', async () => {
      await store.materializeInsights({ now: T0 + 5 * HOUR_MS });
      const late = toSpans([
        { timestamp: T0 + 30 * 60_000, agent_id: 'support-1', trace_id: 'f'.repeat(32), span_id: 'a'.repeat(16), span_type: 'decision', decision_made: 'late_decision', latency_ms: 5, cost_usd: 1 },
      ]);
      await store.append(late);
      spans.push(...late);
      const rows = await store.insightPaths(scan);
      expect(rows.find((r) => r.path === 'late_decision')).toMatchObject({ agent_id: 'support-1', traces: 1, cost_usd: 1 });
      expectPathsMatch(rows, expectedPaths(spans, 'p', T0, T0 + 3 * HOUR_MS));
      expectCohortsMatch(await store.insightCohorts(scan), expectedCohorts(spans, scan));
      const report = await store.materializeInsights({ now: T0 + 5 * HOUR_MS });
      expect(report.hours).toEqual([T0 - HOUR_MS, T0]);
      // Float sums may differ in the last bit between reads (parallel aggregation), counts may not.
      expectPathsMatch(await store.insightPaths(scan), new Map(rows.map((r) => [`${r.agent_id}|${r.path}`, r])));
      expectCohortsMatch(await store.insightCohorts(scan), expectedCohorts(spans, scan));
    });

    it('re-reads the hour of a trace whose late span lands in the next hour, and reads empty hours as empty', async () => {
      await store.materializeInsights({ now: T0 + 5 * HOUR_MS });
      // A trace filed under T0 + 1 h (already materialized) gets a span in T0 + 2 h.
      const first = spans.find((s) => s.timestamp >= T0 + HOUR_MS + 50 * 60_000 && s.timestamp < T0 + 2 * HOUR_MS && s.parent_span_id === null)!;
      const late = toSpans([
        { timestamp: T0 + 2 * HOUR_MS + 5 * 60_000, agent_id: first.agent_id, trace_id: first.trace_id, span_id: 'b'.repeat(16), parent_span_id: first.span_id, span_type: 'decision', decision_made: 'late_next_hour', latency_ms: 5, cost_usd: 2 },
      ]);
      await store.append(late);
      spans.push(...late);
      const rows = await store.insightPaths(scan);
      expect(rows.filter((r) => r.path.endsWith('late_next_hour')).map((r) => r.traces)).toEqual([1]);
      expectPathsMatch(rows, expectedPaths(spans, 'p', T0, T0 + 3 * HOUR_MS));
      await store.materializeInsights({ now: T0 + 5 * HOUR_MS });
      // Five empty hours before the data change nothing, materialized or not.
      const wide = { ...scan, from: T0 - 5 * HOUR_MS };
      expectPathsMatch(await store.insightPaths(wide), expectedPaths(spans, 'p', wide.from, wide.to));
      expectCohortsMatch(await store.insightCohorts(wide), expectedCohorts(spans, wide));
    });
  });

  describe(`insight primitives: ${name}, attribute JSON edge cases and caps`, () => {
    let store: Store;
    const spans = craftedSpans();
    const scan = { project: 'q', from: T0, to: T0 + HOUR_MS };

    beforeAll(async () => {
      store = await newStore();
      await store.append(spans);
    }, 60_000);

    afterAll(async () => {
      await store?.close();
    });

    it('reads top-level scalar attributes as text, caps values and keys per hour, before and after materializing', async () => {
      const expected = expectedCohorts(spans, scan);
      const values = (key: string) => expected.filter((r) => r.key === key && r.value !== null).map((r) => r.value);
      // The reference itself: scalars only, top level only, keys and values as documented.
      expect(new Set(values('int'))).toEqual(new Set(['3', '10']));
      expect(new Set(values('frac'))).toEqual(new Set(['1.5', '2.25']));
      expect(values('yes')).toContain('false');
      expect(values('nested')).toEqual(['now a string', 'now a string']);
      expect(values('nothing')).toEqual(['something', 'something']);
      expect(expected.some((r) => r.key === 'list' || r.key === 'deep' || r.key === LONG_KEY)).toBe(false);
      expect(values('long_value')).toEqual(['(other)', '(other)']);
      expect(expected.filter((r) => r.key === 'many' && r.value === '(other)').length).toBe(2);

      expectCohortsMatch(await store.insightCohorts({ ...scan, raw: true }), expected);
      await store.materializeInsights({ now: T0 + 5 * HOUR_MS });
      expectCohortsMatch(await store.insightCohorts(scan), expected);
      // key00 has a single span: past the 64-key cap whether or not other keys are asked for.
      const filtered = { ...scan, keys: ['quote', 'a"b', '', KEY_64, 'value_64', 'unicode', 'many', 'key00'], minCount: 3 };
      expect(expectedCohorts(spans, filtered).some((r) => r.key === 'key00')).toBe(false);
      expectCohortsMatch(await store.insightCohorts(filtered), expectedCohorts(spans, filtered));
      expectCohortsMatch(await store.insightCohorts({ ...filtered, raw: true }), expectedCohorts(spans, filtered));
      const oneAgent = { ...scan, agent: 'agent-2', keys: ['many'] };
      expectCohortsMatch(await store.insightCohorts(oneAgent), expectedCohorts(spans, oneAgent));
      expectCohortsMatch(await store.insightCohorts({ ...oneAgent, raw: true }), expectedCohorts(spans, oneAgent));
    });

    it('contrasts crafted values: caps, (other) left out, small sides, one agent, before and after materializing', async () => {
      const queries = [
        { ...scan, minCount: 0 },
        { ...scan, keys: ['many', 'str', 'int', 'nested', 'long_value', 'value_64'], minCount: 2 },
        { ...scan, agent: 'agent-2', keys: ['many'], minCount: 1 },
      ];
      for (const q of queries) {
        const expected = expectedContrasts(expectedCohorts(spans, { ...q, minCount: 0 }), q.minCount);
        expect(expected.length).toBeGreaterThan(0);
        expectContrastsMatch(await store.insightCohortContrasts({ ...q, raw: true }), expected);
      }
      await store.materializeInsights({ now: T0 + 5 * HOUR_MS });
      for (const q of queries) {
        expectContrastsMatch(await store.insightCohortContrasts(q), expectedContrasts(expectedCohorts(spans, { ...q, minCount: 0 }), q.minCount));
      }
      const values = (await store.insightCohortContrasts(queries[1]!)).map((r) => `${r.key}=${r.value}`);
      expect(values.filter((v) => v.startsWith('long_value') || v.includes('(other)'))).toEqual([]);
      expect(values.filter((v) => v.startsWith('str') || v.startsWith('int'))).toEqual(['int=10', 'int=3', 'str=other', 'str=plain']);
    });

    it('orders decisions by time then span id, files traces under the hour of their first span', async () => {
      for (const hours of [
        [T0, T0 + HOUR_MS],
        [T0 + HOUR_MS, T0 + 2 * HOUR_MS],
        [T0 - HOUR_MS, T0 + 2 * HOUR_MS],
      ] as const) {
        const q = { ...scan, from: hours[0], to: hours[1] };
        const expected = expectedPaths(spans, 'q', hours[0], hours[1]);
        expectPathsMatch(await store.insightPaths(q), expected);
        expectPathsMatch(await store.insightPaths({ ...q, raw: true }), expected);
      }
      const rows = await store.insightPaths({ ...scan, from: T0 - HOUR_MS, to: T0 + 2 * HOUR_MS });
      expect(rows.map((r) => r.path)).toEqual(expect.arrayContaining(['first → second → ', 'late → next hour', 'before → after', 'handed over']));
      expect(rows.find((r) => r.path === 'handed over')).toMatchObject({ agent_id: 'agent-9', error_traces: 1 });
    });
  });
}
