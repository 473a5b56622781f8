// Conformance of the one definition of a decision (SpanFilter.has_decision) and of
// Store.reviseSpans, run by runStoreConformance against every backend: after a revision, every
// read (spans, trace search, rollups at every grain, alert reads, decision counts) must equal the
// same read computed from the revised spans, and a repeated revision must change nothing.

import { expect, it } from 'vitest';
import type { Span } from '../model/span.js';
import { HOUR_MS, MINUTE_MS } from './rollup.js';
import { expectedRollup, expectRowsEqual, makeSpan, T0, type Dim } from './store-fixtures.case.js';
import { REPEATED_DECISION_ATTRIBUTE, type RollupQuery, type RollupRow, type SpanRevision, type Store } from './store.js';

/** A trace in the OTel GenAI shape: invoke_agent root naming agent `support`, children under the service's name. */
function traceSpans(trace: string, at: number): Span[] {
  const common = { trace_id: trace, session_id: null, user_id: null, attributes: {} };
  return [
    makeSpan({ ...common, span_id: `${trace}-root`, timestamp: at, agent_id: 'support', span_type: 'agent_step', session_id: 'conv-7', user_id: 'u-3', model: null, provider: null, tokens_input: 0, tokens_output: 0, cost_usd: null }),
    makeSpan({ ...common, span_id: `${trace}-chat`, parent_span_id: `${trace}-root`, timestamp: at + 10, agent_id: 'svc', decision_made: 'refund', latency_ms: 900 }),
    makeSpan({ ...common, span_id: `${trace}-tool`, parent_span_id: `${trace}-chat`, timestamp: at + 20, agent_id: 'svc', span_type: 'tool_call', model: null, latency_ms: 40, error_type: 'timeout' }),
    makeSpan({ ...common, span_id: `${trace}-dec`, parent_span_id: `${trace}-chat`, timestamp: at + 30, agent_id: 'svc', span_type: 'decision', model: null, decision_made: 'refund', confidence: 0.8, latency_ms: 0 }),
  ];
}

/** The revisions trace attribution makes for traceSpans: children take the root's agent, session and user; the decision span repeats its parent's decision. */
function revisionsOf(spans: readonly Span[]): SpanRevision[] {
  return spans
    .filter((s) => s.parent_span_id !== null)
    .map((s) => ({
      trace_id: s.trace_id,
      span_id: s.span_id,
      timestamp: s.timestamp,
      agent_id: 'support',
      session_id: 'conv-7',
      user_id: 'u-3',
      decision_made: s.span_type === 'decision' ? null : s.decision_made,
      ...(s.span_type === 'decision' && { repeated_decision: s.decision_made! }),
    }));
}

function revised(spans: readonly Span[], revisions: readonly SpanRevision[]): Span[] {
  const by = new Map(revisions.map((r) => [r.span_id, r]));
  return spans.map((s) => {
    const r = by.get(s.span_id);
    if (r === undefined) return s;
    const attributes = r.repeated_decision === undefined ? s.attributes : { [REPEATED_DECISION_ATTRIBUTE]: r.repeated_decision, ...s.attributes };
    return { ...s, agent_id: r.agent_id, session_id: r.session_id, user_id: r.user_id, decision_made: r.decision_made, attributes };
  });
}

const nullsLast = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

/** Sums alertRollups' possibly split, unordered rows into rollup()'s rows, in its order. */
function summed(rows: RollupRow[]): RollupRow[] {
  const by = new Map<string, RollupRow>();
  for (const r of rows) {
    const key = JSON.stringify([r.bucket, r.group]);
    const s = by.get(key);
    if (s === undefined) {
      by.set(key, { ...r, latency_hist: [...r.latency_hist] });
      continue;
    }
    for (const f of ['count', 'errors', 'latency_sum', 'tokens_input', 'tokens_output', 'tokens_cache_read', 'tokens_cache_write', 'tokens_reasoning', 'cost_usd', 'confidence_sum', 'confidence_count'] as const) s[f] += r[f];
    r.latency_hist.forEach((n, i) => (s.latency_hist[i]! += n));
  }
  return [...by.values()]
    .filter((r) => r.count > 0)
    .sort((a, b) => a.bucket - b.bucket || a.group.reduce((c, g, i) => c || nullsLast(g, b.group[i] ?? null), 0));
}

async function expectReadsMatch(store: Store, spans: Span[]): Promise<void> {
  const range = { project: 'alpha', from: T0, to: T0 + 2 * HOUR_MS, filter: {} };
  const cases: [number, Dim[]][] = [
    [MINUTE_MS, ['agent_id', 'decision_made']],
    [HOUR_MS, ['agent_id']],
    // 5-minute reads by one dimension come from DuckDB's per-dimension rollup.
    [5 * MINUTE_MS, ['agent_id']],
    [5 * MINUTE_MS, ['decision_made']],
  ];
  const dims: Record<Dim, RollupQuery['groupBy'][number]> = { agent_id: 'agent', model: 'model', decision_made: 'decision', span_type: 'span_type', provider: 'provider' };
  for (const [bucketMs, groupBy] of cases) {
    const q = { ...range, bucketMs, groupBy: groupBy.map((d) => dims[d]) };
    expectRowsEqual(await store.rollup(q), expectedRollup(spans, bucketMs, groupBy));
  }
  const [alertRows] = await store.alertRollups([{ ...range, bucketMs: MINUTE_MS, groupBy: ['agent', 'decision'] }]);
  expectRowsEqual(summed(alertRows!), expectedRollup(spans, MINUTE_MS, ['agent_id', 'decision_made']));
  const decided = spans.filter((s) => s.decision_made !== null);
  expectRowsEqual(
    await store.rollup({ ...range, bucketMs: HOUR_MS, groupBy: ['agent', 'decision'], filter: { has_decision: true } }),
    expectedRollup(decided, HOUR_MS, ['agent_id', 'decision_made']),
  );
}

export function reviseConformance(fresh: () => Promise<Store>): void {
  it('has_decision counts every span carrying a decision, whatever its type, and nothing else', async () => {
    const store = await fresh();
    const spans = [
      makeSpan({ span_id: 'a', decision_made: 'refund' }),
      makeSpan({ span_id: 'b', timestamp: T0 + 5, decision_made: 'refund', error_type: 'rate_limit' }),
      makeSpan({ span_id: 'c', timestamp: T0 + 6 }),
      makeSpan({ span_id: 'd', timestamp: T0 + 7, span_type: 'decision', model: null, decision_made: 'escalate' }),
      makeSpan({ span_id: 'e', timestamp: T0 + 8, span_type: 'tool_call', model: null }),
    ];
    await store.append(spans);
    const rows = await store.rollup({ project: 'alpha', from: T0, to: T0 + HOUR_MS, bucketMs: MINUTE_MS, groupBy: ['decision'], filter: { has_decision: true } });
    expect(rows.map((r) => [r.group[0], r.count, r.errors])).toEqual([['escalate', 1, 0], ['refund', 2, 1]]);
    const [alertRows] = await store.alertRollups([{ project: 'alpha', from: T0, to: T0 + HOUR_MS, bucketMs: MINUTE_MS, groupBy: ['decision'], filter: { has_decision: true } }]);
    expect(summed(alertRows!).map((r) => [r.group[0], r.count]).sort()).toEqual([['escalate', 1], ['refund', 2]]);
    const counts = await store.insightDecisionCounts({ project: 'alpha', from: T0, to: T0 + HOUR_MS, bucketMs: HOUR_MS });
    expect(counts.map((r) => [r.agent_id, r.decision, r.count])).toEqual([['agent-1', 'escalate', 1], ['agent-1', 'refund', 2]]);
  });

  it('reviseSpans moves spans and every rollup figure to their new agent and decision, once', async () => {
    const store = await fresh();
    const spans = [...traceSpans('t1', T0 + 60_000), ...traceSpans('t2', T0 + HOUR_MS - 20)];
    // Children first, in another append than their roots (as OTLP exporters send them).
    await store.append(spans.filter((s) => s.parent_span_id !== null));
    await store.append(spans.filter((s) => s.parent_span_id === null));
    await expectReadsMatch(store, spans);
    const revisions = revisionsOf(spans);
    // One revision names a span never stored: skipped.
    const missing = { ...revisions[0]!, span_id: 'never-stored' };
    expect(await store.reviseSpans('alpha', [...revisions, missing])).toBe(6);
    const after = revised(spans, revisions);
    expect(await store.getTrace('alpha', 't1')).toEqual(after.filter((s) => s.trace_id === 't1'));
    await expectReadsMatch(store, after);
    const found = await store.searchTraces({ project: 'alpha', from: T0, to: T0 + 2 * HOUR_MS, agent: 'support', limit: 10 });
    expect(found.map((t) => [t.trace_id, t.span_count, t.decisions])).toEqual([['t2', 4, ['refund']], ['t1', 4, ['refund']]]);
    expect(await store.searchTraces({ project: 'alpha', from: T0, to: T0 + 2 * HOUR_MS, agent: 'svc', limit: 10 })).toEqual([]);
    // The same revision again finds nothing to change and moves nothing.
    expect(await store.reviseSpans('alpha', revisions)).toBe(0);
    await expectReadsMatch(store, after);
    // Revised right after the append, before any read made a backend fold them into its rollups.
    const more = traceSpans('t3', T0 + 2 * 60_000);
    await store.append(more);
    const moreRevisions = revisionsOf(more);
    expect(await store.reviseSpans('alpha', moreRevisions)).toBe(3);
    await expectReadsMatch(store, [...after, ...revised(more, moreRevisions)]);
  });
}
