// The insight primitives on DuckDB: decision paths and cohorts read from the hourly tables equal
// the same figures computed here from the raw spans, before, during and after materialization.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestPipeline } from '../../ingest/pipeline.js';
import { createPriceTable } from '../../ingest/pricing.js';
import { DEFAULT_LIMITS } from '../../model/limits.js';
import type { Span } from '../../model/span.js';
import { createFleet, simulateToArray } from '../../sim/index.js';
import { HOUR_MS } from '../rollup.js';
import type { CohortRow, PathRow, Store } from '../store.js';
import { createDuckDbStore } from './duckdb-store.js';

const T0 = Date.UTC(2025, 2, 3, 8, 0, 0);
const root = mkdtempSync(join(tmpdir(), 'sightline-insights-'));
let store: Store;
let spans: Span[];

function toSpans(events: unknown[]): Span[] {
  const pipeline = createIngestPipeline({ limits: DEFAULT_LIMITS, prices: createPriceTable() });
  const { spans: out, rejected } = pipeline.process(events, { project: 'p', now: T0 + 10 * HOUR_MS });
  expect(rejected).toEqual([]);
  return out;
}

/** Path rows computed directly from spans, for traces starting in [from, to). */
function expectedPaths(all: Span[], from: number, to: number): Map<string, Omit<PathRow, 'duration_hist' | 'tokens_cache_read'>> {
  const traces = new Map<string, Span[]>();
  for (const s of all) {
    const list = traces.get(s.trace_id) ?? [];
    list.push(s);
    traces.set(s.trace_id, list);
  }
  const out = new Map<string, Omit<PathRow, 'duration_hist' | 'tokens_cache_read'>>();
  for (const list of traces.values()) {
    list.sort((a, b) => a.timestamp - b.timestamp || (a.span_id < b.span_id ? -1 : 1));
    const start = list[0]!.timestamp;
    if (start < from || start >= to) continue;
    const decisions = list.filter((s) => s.decision_made !== null).map((s) => s.decision_made);
    const path = decisions.length > 0 ? decisions.join(' → ') : '(no decision)';
    const key = `${list[0]!.agent_id}|${path}`;
    const row = out.get(key) ?? { agent_id: list[0]!.agent_id, path, traces: 0, error_traces: 0, cost_usd: 0, tokens_input: 0, tokens_output: 0 };
    row.traces++;
    if (list.some((s) => s.error_type !== null || s.error_message !== null)) row.error_traces++;
    for (const s of list) {
      row.cost_usd += s.cost_usd ?? 0;
      row.tokens_input += s.tokens_input;
      row.tokens_output += s.tokens_output;
    }
    out.set(key, row);
  }
  return out;
}

function expectPathsMatch(rows: PathRow[], expected: ReturnType<typeof expectedPaths>): void {
  expect(rows.length).toBe(expected.size);
  for (const r of rows) {
    const e = expected.get(`${r.agent_id}|${r.path}`)!;
    expect({ ...r, cost_usd: 0, duration_hist: [], tokens_cache_read: 0 }).toEqual({ ...e, cost_usd: 0, duration_hist: [], tokens_cache_read: 0 });
    expect(r.cost_usd).toBeCloseTo(e.cost_usd, 9);
    expect(r.duration_hist.reduce((a, b) => a + b, 0)).toBe(r.traces);
  }
}

function byKey(rows: CohortRow[]): Map<string, CohortRow> {
  return new Map(rows.map((r) => [`${r.agent_id}|${r.key}|${r.value}`, r]));
}

beforeAll(async () => {
  store = await createDuckDbStore({ path: join(root, 'insights.duckdb') });
  const fleet = createFleet({ seed: 11, agents: 4, tracesPerMinutePerAgent: 6 });
  spans = toSpans(simulateToArray(fleet, { from: T0, to: T0 + 3 * HOUR_MS }));
  for (let i = 0; i < spans.length; i += 2000) await store.append(spans.slice(i, i + 2000));
}, 60_000);

afterAll(async () => {
  await store?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('insight primitives (DuckDB)', () => {
  const scan = { project: 'p', from: T0, to: T0 + 3 * HOUR_MS };

  it('groups traces by decision path from raw spans, then from materialized hours, with the same figures', async () => {
    const expected = expectedPaths(spans, T0, T0 + 3 * HOUR_MS);
    expectPathsMatch(await store.insightPaths({ ...scan, raw: true }), expected);
    // One minute past T0 + 3 h the third hour is inside its grace period; the fourth holds the
    // ends of traces that started before T0 + 3 h. Both stay live; T0 − 1 h is checked for paths.
    const report = await store.materializeInsights({ now: T0 + 3 * HOUR_MS + 60_000 });
    expect(report).toEqual({ hours: [T0 - HOUR_MS, T0, T0 + HOUR_MS], pending: [T0 + 2 * HOUR_MS, T0 + 3 * HOUR_MS] });
    const mixed = await store.insightPaths(scan);
    expectPathsMatch(mixed, expected);
    expect(await store.materializeInsights({ now: T0 + 5 * HOUR_MS })).toEqual({ hours: [T0 + 2 * HOUR_MS, T0 + 3 * HOUR_MS], pending: [] });
    expect(await store.insightPaths(scan)).toEqual(mixed);
    expect(await store.materializeInsights({ now: T0 + 5 * HOUR_MS })).toEqual({ hours: [], pending: [] });
    // One hour alone, and one agent alone.
    expectPathsMatch(await store.insightPaths({ ...scan, from: T0 + HOUR_MS, to: T0 + 2 * HOUR_MS }), expectedPaths(spans, T0 + HOUR_MS, T0 + 2 * HOUR_MS));
    const agentRows = await store.insightPaths({ ...scan, agent: 'support-1' });
    expect(new Set(agentRows.map((r) => r.agent_id))).toEqual(new Set(['support-1']));
  });

  it('counts spans and traces per attribute value, equal from materialized and raw data', async () => {
    await store.materializeInsights({ now: T0 + 5 * HOUR_MS });
    const materialized = await store.insightCohorts({ ...scan, keys: ['input_category', 'model'] });
    const raw = await store.insightCohorts({ ...scan, keys: ['input_category', 'model'], raw: true });
    expect(materialized.length).toBe(raw.length);
    const rawByKey = byKey(raw);
    for (const r of materialized) {
      const e = rawByKey.get(`${r.agent_id}|${r.key}|${r.value}`)!;
      expect({ ...r, cost_usd: 0, span_latency_sum: 0, trace_latency_sum: 0, confidence_sum: 0 }).toEqual({ ...e, cost_usd: 0, span_latency_sum: 0, trace_latency_sum: 0, confidence_sum: 0 });
      expect(r.cost_usd).toBeCloseTo(e.cost_usd, 9);
    }
    // Independent count: root spans of support-1 with input_category = refund_request… whatever its values are.
    const roots = spans.filter((s) => s.parent_span_id === null && s.agent_id === 'support-1');
    const values = new Map<string, { traces: number; errors: number }>();
    for (const s of roots) {
      const v = String(s.attributes.input_category);
      const c = values.get(v) ?? { traces: 0, errors: 0 };
      c.traces++;
      if (s.error_type !== null) c.errors++;
      values.set(v, c);
    }
    const got = byKey(materialized);
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
    const rows = await store.insightPaths(scan);
    expect(rows.find((r) => r.path === 'late_decision')).toMatchObject({ agent_id: 'support-1', traces: 1, cost_usd: 1 });
    const report = await store.materializeInsights({ now: T0 + 5 * HOUR_MS });
    expect(report.hours).toEqual([T0 - HOUR_MS, T0]);
    expect(await store.insightPaths(scan)).toEqual(rows);
  });
});
