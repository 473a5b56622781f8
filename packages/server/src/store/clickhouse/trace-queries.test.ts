// searchTraces on ClickHouse reads the most recent part of the range first (trace-queries.ts). These
// cases make that shortcut decide, widen and give up, and compare every answer with summaries
// computed here from the raw spans: long traces that started earlier in the range, a trace that
// began before the range, traces written over several appends, every filter.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouse, type ClickHouseCluster } from '../../../test/support/clickhouse.js';
import type { Span } from '../../model/span.js';
import { HOUR_MS, MINUTE_MS, isErrorSpan } from '../rollup.js';
import { makeSpan } from '../store.case.js';
import type { Store, TraceSearch, TraceSummary } from '../store.js';
import { createClickHouseStore } from './clickhouse-store.js';

const DAY = 24 * HOUR_MS;
const T0 = Date.UTC(2025, 2, 3);
const END = T0 + DAY;

let ch: ClickHouseCluster;
let store: Store;
beforeAll(async () => {
  ch = await startClickHouse();
  store = await createClickHouseStore({ url: ch.shards[0]!.url, database: 'trace_search' });
});
afterAll(async () => {
  await store?.close();
  await ch?.stop();
});

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The search's answer, computed from raw spans. */
function expected(spans: Span[], q: TraceSearch): TraceSummary[] {
  const byTrace = new Map<string, Span[]>();
  for (const s of spans) {
    if (s.project !== q.project || s.timestamp < q.from || s.timestamp >= q.to) continue;
    byTrace.set(s.trace_id, [...(byTrace.get(s.trace_id) ?? []), s]);
  }
  const out: TraceSummary[] = [];
  for (const [trace_id, list] of byTrace) {
    const ts = [...list].sort((a, b) => a.timestamp - b.timestamp || cmp(a.span_id, b.span_id));
    const start = ts[0]!.timestamp;
    const summary: TraceSummary = {
      trace_id,
      agent_id: ts[0]!.agent_id,
      root_name: (ts.find((s) => s.parent_span_id === null) ?? ts[0]!).name,
      start,
      duration_ms: Math.max(...ts.map((s) => s.timestamp + s.latency_ms)) - start,
      span_count: ts.length,
      error_count: ts.filter(isErrorSpan).length,
      cost_usd: Number(ts.reduce((a, s) => a + (s.cost_usd ?? 0), 0).toFixed(9)),
      tokens: ts.reduce((a, s) => a + s.tokens_input + s.tokens_output, 0),
      decisions: ts.flatMap((s) => (s.decision_made === null ? [] : [s.decision_made])),
    };
    if (q.errors_only && summary.error_count === 0) continue;
    if (q.agent !== undefined && !ts.some((s) => s.agent_id === q.agent)) continue;
    if (q.decision !== undefined && !ts.some((s) => s.decision_made === q.decision)) continue;
    if (q.min_latency_ms !== undefined && summary.duration_ms < q.min_latency_ms) continue;
    if (q.min_cost_usd !== undefined && summary.cost_usd < q.min_cost_usd) continue;
    out.push(summary);
  }
  return out.sort((a, b) => b.start - a.start || cmp(a.trace_id, b.trace_id)).slice(0, q.limit);
}

const rounded = (rows: TraceSummary[]): TraceSummary[] => rows.map((r) => ({ ...r, cost_usd: Number(r.cost_usd.toFixed(9)) }));

/** 720 traces of 3 spans, one every 2 minutes over the day; every 7th has an error. */
function dayOfTraces(): Span[] {
  const spans: Span[] = [];
  for (let t = 0; t < 720; t++) {
    for (let k = 0; k < 3; k++) {
      const i = t * 3 + k;
      spans.push(
        makeSpan({
          timestamp: T0 + t * 2 * MINUTE_MS + k * 1000,
          trace_id: `t-${String(t).padStart(4, '0')}`,
          span_id: `s-${i}`,
          parent_span_id: k === 0 ? null : `s-${t * 3}`,
          agent_id: `agent-${t % 4}`,
          decision_made: k === 1 ? `d-${t % 3}` : null,
          error_type: k === 2 && t % 7 === 0 ? 'timeout' : null,
          latency_ms: 100 + ((i * 37) % 900),
          cost_usd: ((i * 13) % 100) / 1000,
        }),
      );
    }
  }
  return spans;
}

describe('ClickHouse searchTraces, newest first from the recent part of the range', () => {
  const spans = dayOfTraces();
  // Started 10 h before the end, last span a minute before it: newest by its last span only.
  const long = [
    makeSpan({ timestamp: END - 10 * HOUR_MS, trace_id: 'long', span_id: 'long-0', agent_id: 'agent-9', error_type: 'boom' }),
    makeSpan({ timestamp: END - MINUTE_MS, trace_id: 'long', span_id: 'long-1', parent_span_id: 'long-0', agent_id: 'agent-9' }),
  ];
  // Began a day before the range: inside it, it starts at its second span.
  const early = [
    makeSpan({ timestamp: T0 - HOUR_MS, trace_id: 'early', span_id: 'early-0', error_type: 'boom' }),
    makeSpan({ timestamp: END - 30_000, trace_id: 'early', span_id: 'early-1', parent_span_id: 'early-0', error_type: 'boom' }),
  ];
  const all = [...spans, ...long, ...early];

  it('answers exactly what the whole range holds, for every filter and limit', async () => {
    // Several appends, so traces have several index rows.
    await store.append([...spans.slice(0, 1000), long[0]!]);
    await store.append([...spans.slice(1000), long[1]!]);
    const day = { project: 'alpha', from: T0, to: END };
    const cases: TraceSearch[] = [
      { ...day, limit: 1 },
      { ...day, limit: 5 },
      { ...day, limit: 50 },
      { ...day, limit: 5, errors_only: true },
      { ...day, limit: 20, errors_only: true },
      { ...day, limit: 5, agent: 'agent-9' },
      { ...day, limit: 3, decision: 'd-2' },
      { ...day, limit: 10, min_latency_ms: 1500 },
      { ...day, limit: 10, min_cost_usd: 0.15 },
      { ...day, limit: 0 },
      { ...day, limit: 5000 },
    ];
    for (const q of cases) expect(rounded(await store.searchTraces(q)), JSON.stringify(q)).toEqual(expected([...spans, ...long], q));
    expect((await store.searchTraces({ ...day, limit: 2, errors_only: true })).map((t) => t.trace_id)).toEqual(['t-0714', 't-0707']);
    expect((await store.searchTraces({ ...day, limit: 2, agent: 'agent-9' })).map((t) => [t.trace_id, t.start])).toEqual([
      ['long', END - 10 * HOUR_MS],
    ]);
  });

  it('falls back to the whole range when a recent trace began before it', async () => {
    await store.append(early);
    const day = { project: 'alpha', from: T0, to: END };
    for (const q of [{ ...day, limit: 3 }, { ...day, limit: 3, errors_only: true }, { ...day, from: T0 - 2 * HOUR_MS, limit: 3 }]) {
      expect(rounded(await store.searchTraces(q)), JSON.stringify(q)).toEqual(expected(all, q));
    }
    expect((await store.searchTraces({ ...day, limit: 1 }))[0]).toMatchObject({ trace_id: 'early', start: END - 30_000, span_count: 1 });
  });
});
