// Fixtures and reference computations of the store conformance suites: spans to append, and the
// rollup rows a backend must return for them, computed here from the raw spans.

import { expect } from 'vitest';
import type { Span } from '../model/span.js';
import { bucketIndex, emptyHistogram } from './latency-sketch.js';
import { HOUR_MS, floorToBucket, isErrorSpan } from './rollup.js';
import type { ApiKeyRecord, RollupRow } from './store.js';

/** The start of every fixture's traffic: a Monday, 10:00 UTC. */
export const T0 = Date.UTC(2025, 0, 6, 10, 0, 0);

/** A fully specified span; override what a test cares about. */
export function makeSpan(over: Partial<Span> = {}): Span {
  return {
    project: 'alpha',
    timestamp: T0,
    agent_id: 'agent-1',
    trace_id: 'trace-1',
    span_id: 'span-1',
    parent_span_id: null,
    span_type: 'llm_call',
    name: 'chat',
    model: 'gpt-4o',
    provider: 'openai',
    tokens_input: 100,
    tokens_output: 20,
    tokens_cache_read: 10,
    tokens_cache_write: 5,
    tokens_reasoning: 3,
    latency_ms: 250.5,
    cost_usd: 0.0125,
    cost_source: 'computed',
    decision_made: null,
    confidence: null,
    error_type: null,
    error_message: null,
    session_id: 'sess-1',
    user_id: 'user-1',
    attributes: { 'gen_ai.system': 'openai', nested: { list: [1, 'two', null], flag: true } },
    input: 'hello',
    output: 'hi there',
    ingested_at: T0 + 1000,
    ...over,
  };
}

const AGENTS = ['agent-1', 'agent-2', 'agent-3'];
const MODELS = ['gpt-4o', 'claude-3-5-sonnet', null];
const DECISIONS = ['search', 'answer', 'escalate', null];

/** Deterministic spread of spans over three hours: 3 agents, 3 models, 4 decisions, ~1 error in 7. */
export function fleetSpans(project: string, n: number, start = T0): Span[] {
  const spans: Span[] = [];
  for (let i = 0; i < n; i++) {
    const model = MODELS[i % 3]!;
    spans.push(
      makeSpan({
        project,
        timestamp: start + Math.floor((i * 3 * HOUR_MS) / n) + (i % 7) * 13,
        agent_id: AGENTS[(i * 7) % 3]!,
        trace_id: `${project}-trace-${Math.floor(i / 4)}`,
        span_id: `${project}-span-${i}`,
        parent_span_id: i % 4 === 0 ? null : `${project}-span-${i - (i % 4)}`,
        span_type: i % 4 === 1 ? 'decision' : i % 4 === 2 ? 'tool_call' : 'llm_call',
        name: `op-${i % 5}`,
        model,
        provider: model === null ? null : model.startsWith('gpt') ? 'openai' : 'anthropic',
        tokens_input: (i * 37) % 1000,
        tokens_output: (i * 11) % 300,
        tokens_cache_read: i % 50,
        tokens_cache_write: i % 3,
        tokens_reasoning: i % 9,
        latency_ms: ((i * 7919) % 20000) / 10 + (i % 11 === 0 ? 0.25 : 0),
        cost_usd: i % 5 === 0 ? null : ((i * 13) % 100) / 1000,
        cost_source: i % 5 === 0 ? 'none' : 'computed',
        decision_made: DECISIONS[i % 4]!,
        confidence: i % 3 === 0 ? null : ((i * 17) % 100) / 100,
        error_type: i % 7 === 3 ? 'timeout' : null,
        error_message: i % 7 === 3 ? 'upstream timed out' : i % 29 === 5 ? 'partial failure' : null,
        session_id: i % 2 === 0 ? `s-${i % 10}` : null,
        user_id: null,
        attributes: { i, tag: i % 2 === 0 ? 'even' : 'odd' },
        input: null,
        output: null,
        ingested_at: start + 5 * HOUR_MS,
      }),
    );
  }
  return spans;
}

export type Dim = 'agent_id' | 'model' | 'decision_made' | 'span_type' | 'provider';

/** What a rollup query must return, computed from raw spans. */
export function expectedRollup(spans: Span[], bucketMs: number, groupBy: Dim[]): RollupRow[] {
  const rows = new Map<string, RollupRow>();
  for (const s of spans) {
    const bucket = floorToBucket(s.timestamp, bucketMs);
    const group = groupBy.map((d) => s[d]);
    const key = JSON.stringify([bucket, group]);
    let r = rows.get(key);
    if (r === undefined) {
      r = {
        bucket, group, count: 0, errors: 0, latency_sum: 0, tokens_input: 0, tokens_output: 0,
        tokens_cache_read: 0, tokens_cache_write: 0, tokens_reasoning: 0, cost_usd: 0,
        confidence_sum: 0, confidence_count: 0, latency_hist: emptyHistogram(),
      };
      rows.set(key, r);
    }
    r.count++;
    if (isErrorSpan(s)) r.errors++;
    r.latency_sum += s.latency_ms;
    r.tokens_input += s.tokens_input;
    r.tokens_output += s.tokens_output;
    r.tokens_cache_read += s.tokens_cache_read;
    r.tokens_cache_write += s.tokens_cache_write;
    r.tokens_reasoning += s.tokens_reasoning;
    r.cost_usd += s.cost_usd ?? 0;
    if (s.confidence !== null) {
      r.confidence_sum += s.confidence;
      r.confidence_count++;
    }
    r.latency_hist[bucketIndex(s.latency_ms)]!++;
  }
  return [...rows.values()];
}

/** Rows sorted the store's way: bucket, then group values, nulls last. */
function sortRows(rows: RollupRow[]): RollupRow[] {
  const cmp = (a: string | null, b: string | null): number =>
    a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;
  return [...rows].sort((a, b) => {
    if (a.bucket !== b.bucket) return a.bucket - b.bucket;
    for (let i = 0; i < a.group.length; i++) {
      const c = cmp(a.group[i] ?? null, b.group[i] ?? null);
      if (c !== 0) return c;
    }
    return 0;
  });
}

/** Floating sums may differ in the last bits by summation order; everything else is exact. */
export function expectRowsEqual(actual: RollupRow[], expected: RollupRow[]): void {
  const round = (rows: RollupRow[]): RollupRow[] =>
    rows.map((r) => ({
      ...r,
      latency_sum: Number(r.latency_sum.toFixed(6)),
      cost_usd: Number(r.cost_usd.toFixed(9)),
      confidence_sum: Number(r.confidence_sum.toFixed(9)),
    }));
  expect(round(actual)).toEqual(round(sortRows(expected)));
}

export function apiKey(over: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id: 'key-1',
    project: 'alpha',
    hash: 'a'.repeat(64),
    prefix: 'sl_abcd',
    scopes: ['ingest', 'read'],
    created_at: T0,
    expires_at: null,
    revoked_at: null,
    ...over,
  };
}
