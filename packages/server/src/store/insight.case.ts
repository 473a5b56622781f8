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
import { bucketIndex, emptyHistogram } from './latency-sketch.js';
import { HOUR_MS } from './rollup.js';
import { makeSpan } from './store.case.js';
import { COHORT_SUMS as SUMS, type CohortRow, type CohortScan, type PathRow, type Store } from './store.js';

const T0 = Date.UTC(2025, 2, 3, 8, 0, 0);

function toSpans(events: unknown[]): Span[] {
  const pipeline = createIngestPipeline({ limits: DEFAULT_LIMITS, prices: createPriceTable() });
  const { spans: out, rejected } = pipeline.process(events, { project: 'p', now: T0 + 10 * HOUR_MS });
  expect(rejected).toEqual([]);
  return out;
}

/** Byte order of UTF-8, as both databases compare strings. */
function cmp(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const chars = (s: string) => [...s].length;

// ---- Reference computations ----

/** Path rows computed directly from spans, for traces of `project` starting in [from, to). */
function expectedPaths(all: Span[], project: string, from: number, to: number): Map<string, PathRow> {
  const traces = new Map<string, Span[]>();
  for (const s of all) {
    if (s.project !== project) continue;
    const list = traces.get(s.trace_id) ?? [];
    list.push(s);
    traces.set(s.trace_id, list);
  }
  const out = new Map<string, PathRow>();
  for (const list of traces.values()) {
    list.sort((a, b) => a.timestamp - b.timestamp || cmp(a.span_id, b.span_id));
    const start = list[0]!.timestamp;
    if (start < from || start >= to) continue;
    const decisions = list.filter((s) => s.decision_made !== null).map((s) => s.decision_made);
    const path = decisions.length > 0 ? decisions.join(' → ') : '(no decision)';
    const key = `${list[0]!.agent_id}|${path}`;
    const row = out.get(key) ?? {
      agent_id: list[0]!.agent_id,
      path,
      traces: 0,
      error_traces: 0,
      cost_usd: 0,
      tokens_input: 0,
      tokens_output: 0,
      tokens_cache_read: 0,
      duration_hist: emptyHistogram(),
    };
    row.traces++;
    if (list.some((s) => s.error_type !== null || s.error_message !== null)) row.error_traces++;
    let end = -Infinity;
    for (const s of list) {
      row.cost_usd += s.cost_usd ?? 0;
      row.tokens_input += s.tokens_input;
      row.tokens_output += s.tokens_output;
      row.tokens_cache_read += s.tokens_cache_read;
      end = Math.max(end, s.timestamp + s.latency_ms);
    }
    row.duration_hist[bucketIndex(end - start)]!++;
    out.set(key, row);
  }
  return out;
}

function expectPathsMatch(rows: PathRow[], expected: Map<string, PathRow>): void {
  expect(rows.map((r) => `${r.agent_id}|${r.path}`).sort()).toEqual([...expected.keys()].sort());
  for (const r of rows) {
    const e = expected.get(`${r.agent_id}|${r.path}`)!;
    expect({ ...r, cost_usd: 0 }).toEqual({ ...e, cost_usd: 0 });
    expect(r.cost_usd).toBeCloseTo(e.cost_usd, 9);
  }
  // Ordered by agent, then path.
  const order = rows.map((r) => [r.agent_id, r.path] as const);
  const sorted = [...order].sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
  expect(order).toEqual(sorted);
}

const FLOAT_SUMS = new Set<string>(['span_latency_sum', 'trace_latency_sum', 'cost_usd', 'confidence_sum']);

/** A scalar attribute as cohort text (DuckDB json_each + ->>), or null when not cohort material. */
function scalarText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return JSON.stringify(v);
  return null;
}

/**
 * CohortRows computed directly from spans, with the documented caps (100 values per key, 64 keys,
 * per project and hour, over all agents and keys; `agent` and `keys` only select from the result).
 */
function expectedCohorts(all: Span[], q: CohortScan): CohortRow[] {
  const from = Math.floor(q.from / HOUR_MS) * HOUR_MS;
  const to = Math.ceil(q.to / HOUR_MS) * HOUR_MS;
  type Acc = Omit<CohortRow, 'value'> & { value: string; hour: number };
  const cells = new Map<string, Acc>();
  for (const s of all) {
    if (s.project !== q.project || s.timestamp < from || s.timestamp >= to) continue;
    const hour = Math.floor(s.timestamp / HOUR_MS) * HOUR_MS;
    const pairs: [string, string][] = [];
    for (const [k, v] of Object.entries(s.attributes)) {
      const text = scalarText(v);
      if (text !== null && chars(k) <= 64) pairs.push([k, text]);
    }
    if (s.user_id !== null) pairs.push(['user_id', s.user_id]);
    if (s.model !== null) pairs.push(['model', s.model]);
    const root = s.parent_span_id === null ? 1 : 0;
    const err = s.error_type !== null || s.error_message !== null ? 1 : 0;
    for (const [k, raw] of pairs) {
      const v = chars(raw) > 64 ? '(other)' : raw;
      const id = JSON.stringify([hour, s.agent_id, k, v]);
      const c = cells.get(id) ?? ({ hour, agent_id: s.agent_id, key: k, value: v, ...Object.fromEntries(SUMS.map((x) => [x, 0])) } as Acc);
      c.spans++;
      c.span_errors += err;
      c.span_latency_sum += s.latency_ms;
      c.traces += root;
      c.trace_errors += root * err;
      c.trace_latency_sum += root * s.latency_ms;
      c.cost_usd += s.cost_usd ?? 0;
      c.tokens += s.tokens_input + s.tokens_output;
      c.confidence_sum += s.confidence ?? 0;
      c.confidence_count += s.confidence === null ? 0 : 1;
      cells.set(id, c);
    }
  }
  // Caps per hour: values of a key by spans (desc, then value), keys by spans (desc, then key).
  const totals = (f: (c: Acc) => string) => {
    const m = new Map<string, number>();
    for (const c of cells.values()) m.set(f(c), (m.get(f(c)) ?? 0) + c.spans);
    return m;
  };
  const valueTotals = totals((c) => JSON.stringify([c.hour, c.key, c.value]));
  const keyTotals = totals((c) => JSON.stringify([c.hour, c.key]));
  const rank = (m: Map<string, number>, group: (id: string) => string, tie: (id: string) => string) => {
    const groups = new Map<string, string[]>();
    for (const id of m.keys()) groups.set(group(id), [...(groups.get(group(id)) ?? []), id]);
    const out = new Map<string, number>();
    for (const ids of groups.values()) {
      ids.sort((a, b) => m.get(b)! - m.get(a)! || cmp(tie(a), tie(b)));
      ids.forEach((id, i) => out.set(id, i + 1));
    }
    return out;
  };
  const parse = (id: string) => JSON.parse(id) as [number, string, string?];
  const valueRank = rank(valueTotals, (id) => JSON.stringify(parse(id).slice(0, 2)), (id) => parse(id)[2]!);
  const keyRank = rank(keyTotals, (id) => String(parse(id)[0]), (id) => parse(id)[1]);
  const merged = new Map<string, CohortRow>();
  for (const c of cells.values()) {
    if (keyRank.get(JSON.stringify([c.hour, c.key]))! > 64) continue;
    // Agent and keys filter the capped figures: the caps are per project and hour.
    if (q.agent !== undefined && c.agent_id !== q.agent) continue;
    if (q.keys !== undefined && q.keys.length > 0 && !q.keys.includes(c.key)) continue;
    const value = valueRank.get(JSON.stringify([c.hour, c.key, c.value]))! <= 100 ? c.value : '(other)';
    const id = JSON.stringify([c.agent_id, c.key, value]);
    const row = merged.get(id) ?? ({ agent_id: c.agent_id, key: c.key, value, ...Object.fromEntries(SUMS.map((x) => [x, 0])) } as CohortRow);
    for (const x of SUMS) row[x] += c[x];
    merged.set(id, row);
  }
  const rows = [...merged.values()];
  const min = Math.max(0, Math.floor(q.minCount ?? 0));
  const byValue = new Map<string, { traces: number; spans: number }>();
  const agentTotals = new Map<string, CohortRow>();
  for (const r of rows) {
    const v = byValue.get(JSON.stringify([r.key, r.value])) ?? { traces: 0, spans: 0 };
    v.traces += r.traces;
    v.spans += r.spans;
    byValue.set(JSON.stringify([r.key, r.value]), v);
    const t = agentTotals.get(JSON.stringify([r.agent_id, r.key])) ?? ({ agent_id: r.agent_id, key: r.key, value: null, ...Object.fromEntries(SUMS.map((x) => [x, 0])) } as CohortRow);
    for (const x of SUMS) t[x] += r[x];
    agentTotals.set(JSON.stringify([r.agent_id, r.key]), t);
  }
  const kept = rows.filter((r) => {
    const v = byValue.get(JSON.stringify([r.key, r.value]))!;
    return v.traces >= min || (v.traces === 0 && v.spans >= min);
  });
  return [...kept, ...agentTotals.values()].sort(
    (a, b) =>
      cmp(a.key, b.key) ||
      (a.value === b.value ? 0 : a.value === null ? -1 : b.value === null ? 1 : cmp(a.value, b.value)) ||
      cmp(a.agent_id, b.agent_id),
  );
}

/** Same rows in the same order; counts exact, float sums to 1e-9 relative. */
function expectCohortsMatch(rows: CohortRow[], expected: CohortRow[]): void {
  const ids = (rs: CohortRow[]) => rs.map((r) => `${r.agent_id}|${r.key}|${r.value}`);
  expect(ids(rows)).toEqual(ids(expected));
  rows.forEach((r, i) => {
    const e = expected[i]!;
    for (const x of SUMS) {
      if (FLOAT_SUMS.has(x)) expect(Math.abs(r[x] - e[x]), `${ids([r])[0]} ${x}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e[x])));
      else expect(r[x], `${ids([r])[0]} ${x}`).toBe(e[x]);
    }
  });
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
