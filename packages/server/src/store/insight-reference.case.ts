// Reference computations for the insight conformance suite (insight.case.ts): decision paths and
// cohort rows computed in plain TypeScript straight from spans, with the documented caps, and
// matchers that compare a store's answer with them (counts exact, float sums to 1e-9).

import { expect } from 'vitest';
import type { Span } from '../model/span.js';
import { bucketIndex, emptyHistogram } from './latency-sketch.js';
import { HOUR_MS } from './rollup.js';
import { COHORT_SUMS as SUMS, type CohortRow, type CohortScan, type PathRow } from './store.js';

/** Byte order of UTF-8, as both databases compare strings. */
export function cmp(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const chars = (s: string) => [...s].length;

// ---- Reference computations ----

/** Path rows computed directly from spans, for traces of `project` starting in [from, to). */
export function expectedPaths(all: Span[], project: string, from: number, to: number): Map<string, PathRow> {
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

export function expectPathsMatch(rows: PathRow[], expected: Map<string, PathRow>): void {
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
export function expectedCohorts(all: Span[], q: CohortScan): CohortRow[] {
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
export function expectCohortsMatch(rows: CohortRow[], expected: CohortRow[]): void {
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
