// The rollup cache answers exactly what the store answers: the same reads through the cache and
// straight from a real DuckDB store, before and after late data lands in a closed hour, after a
// revision moves spans to another agent, while a write lands during a read, and after retention.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbStore } from './duckdb/duckdb-store.js';
import { ROLLUP_CACHE_MAX_BUCKETS, withRollupCache, type RollupCache } from './rollup-cache.js';
import { HOUR_MS, MINUTE_MS } from './rollup.js';
import { T0, expectRowsEqual, fleetSpans, makeSpan } from './store-fixtures.case.js';
import type { DecisionCountQuery, RollupQuery, Store } from './store.js';

const DAY = 24 * HOUR_MS;

const root = mkdtempSync(join(tmpdir(), 'sightline-rollup-cache-'));
let raw: Store;
let cached: Store;
let cache: RollupCache;

beforeAll(async () => {
  raw = await createDuckDbStore({ path: join(root, 'cache.duckdb') });
  ({ store: cached, cache } = withRollupCache(raw));
  // Three hours of traffic from T0 (10:00), written through the cache's wrapper as the server does.
  await cached.append(fleetSpans('alpha', 3000));
  await cached.append(fleetSpans('beta', 300));
});

afterAll(async () => {
  await raw.close();
  rmSync(root, { recursive: true, force: true });
});

/** Reads a dashboard makes: minute, 5-minute and hour buckets, grouped and filtered, collapsed or not, from unaligned times. */
const READS: Omit<RollupQuery, 'project'>[] = [
  { from: T0, to: T0 + 3 * HOUR_MS, bucketMs: MINUTE_MS, groupBy: [], filter: {} },
  { from: T0 + 17_321, to: T0 + 2 * HOUR_MS + 45_000, bucketMs: MINUTE_MS, groupBy: ['agent'], filter: {}, histogram: false },
  { from: T0 + 7 * MINUTE_MS, to: T0 + 3 * HOUR_MS - 2 * MINUTE_MS + 1, bucketMs: 5 * MINUTE_MS, groupBy: ['model'], filter: {} },
  { from: T0 - HOUR_MS, to: T0 + 4 * HOUR_MS, bucketMs: HOUR_MS, groupBy: ['agent', 'decision'], filter: {} },
  { from: T0 + 90_000, to: T0 + 2 * HOUR_MS + 30_000, bucketMs: MINUTE_MS, groupBy: [], filter: { agent: 'agent-2' }, collapse: true },
  { from: T0, to: T0 + 3 * HOUR_MS, bucketMs: MINUTE_MS, groupBy: ['agent'], filter: {}, histogram: false, collapse: true },
  { from: T0 + HOUR_MS, to: T0 + 3 * HOUR_MS, bucketMs: HOUR_MS, groupBy: ['model', 'span_type'], filter: { has_decision: true }, collapse: true },
  { from: T0, to: T0 + 3 * HOUR_MS, bucketMs: 10 * MINUTE_MS, groupBy: ['decision'], filter: { span_type: 'decision' } },
];

/** The decision page's reads: its range by minute, a lookback by day, one agent's decision. */
const DECISION_READS: Omit<DecisionCountQuery, 'project'>[] = [
  { from: T0 + 12_345, to: T0 + 3 * HOUR_MS - 30_000, bucketMs: MINUTE_MS },
  { from: T0 - 2 * DAY, to: T0 + 2 * HOUR_MS, bucketMs: DAY },
  { from: T0, to: T0 + 3 * HOUR_MS, bucketMs: 15 * MINUTE_MS, agent: 'agent-2', decision: 'search' },
];

/**
 * Every read, twice through the cache (the second from it), equals the store's own answer: rows,
 * order, counts and histograms exactly; the three sums of fractions (latency, cost, confidence)
 * to 6–9 decimals, as the store conformance suite compares them, since a collapsed read adds them
 * bucket by bucket and a database adds them in no fixed order either.
 */
async function expectSameAsStore(project = 'alpha'): Promise<void> {
  for (const read of READS) {
    const q = { ...read, project };
    const want = await raw.rollup(q);
    expectRowsEqual(await cached.rollup(q), want);
    const before = cache.stats().hits;
    expectRowsEqual(await cached.rollup(q), want);
    expect(cache.stats().hits).toBeGreaterThan(before);
  }
  for (const read of DECISION_READS) {
    const q = { ...read, project };
    const want = await raw.insightDecisionCounts(q);
    expect(await cached.insightDecisionCounts(q)).toEqual(want);
    const before = cache.stats().hits;
    expect(await cached.insightDecisionCounts(q)).toEqual(want);
    expect(cache.stats().hits).toBeGreaterThan(before);
  }
}

describe('rollup cache on DuckDB', () => {
  it('answers every read as the store does, from the cache the second time', async () => {
    await expectSameAsStore('alpha');
    await expectSameAsStore('beta');
    expect(cache.stats().buckets).toBeGreaterThan(100);
  });

  it('counts late data for a closed hour at once', async () => {
    const q = { project: 'alpha', from: T0, to: T0 + 3 * HOUR_MS, bucketMs: HOUR_MS, groupBy: [], filter: {}, collapse: true };
    await cached.rollup(q);
    const [before] = await cached.rollup(q);
    // Two spans arriving late for 10:30 and 11:59, long after those hours closed.
    await cached.append([
      makeSpan({ span_id: 'late-1', trace_id: 'late', timestamp: T0 + 30 * MINUTE_MS + 5, latency_ms: 70_000, cost_usd: 1 }),
      makeSpan({ span_id: 'late-2', trace_id: 'late', timestamp: T0 + 2 * HOUR_MS - 1, error_type: 'timeout' }),
    ]);
    const [after] = await cached.rollup(q);
    expect(after!.count).toBe(before!.count + 2);
    expect(before!.count).toBe(3000);
    expect(after!.errors).toBe(before!.errors + 1);
    expectRowsEqual([after!], await raw.rollup(q));
    const decided = { project: 'alpha', from: T0, to: T0 + HOUR_MS, bucketMs: HOUR_MS };
    const [hour] = await cached.insightDecisionCounts({ ...decided, agent: 'agent-1', decision: 'late-call' });
    expect(hour).toBeUndefined();
    await cached.append([makeSpan({ span_id: 'late-3', trace_id: 'late', timestamp: T0 + 40 * MINUTE_MS, decision_made: 'late-call', confidence: 0.5 })]);
    expect(await cached.insightDecisionCounts({ ...decided, agent: 'agent-1', decision: 'late-call' })).toEqual([
      { bucket: T0, agent_id: 'agent-1', decision: 'late-call', count: 1, confidence_sum: 0.5, confidence_count: 1 },
    ]);
    await expectSameAsStore('alpha');
  });

  it('follows a revision that moves spans of closed hours to another agent', async () => {
    await expectSameAsStore('alpha');
    const moved = fleetSpans('alpha', 3000).filter((s) => s.agent_id === 'agent-1').slice(0, 40);
    const n = await cached.reviseSpans(
      'alpha',
      moved.map((s) => ({ trace_id: s.trace_id, span_id: s.span_id, timestamp: s.timestamp, agent_id: 'agent-9', session_id: s.session_id, user_id: s.user_id, decision_made: s.decision_made })),
    );
    expect(n).toBe(40);
    const byAgent = await cached.rollup({ project: 'alpha', from: T0, to: T0 + 3 * HOUR_MS, bucketMs: MINUTE_MS, groupBy: ['agent'], filter: {}, histogram: false, collapse: true });
    expect(byAgent.find((r) => r.group[0] === 'agent-9')?.count).toBe(40);
    await expectSameAsStore('alpha');
  });

  it('never keeps a bucket that a write changed while it was being read', async () => {
    // The store's answer is held back until a write has landed: it is the answer from before the write.
    let answered!: () => void;
    const read = new Promise<void>((r) => (answered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = new Proxy(raw, {
      get: (target, prop) =>
        prop === 'rollup'
          ? async (q: RollupQuery) => {
              const rows = await target.rollup(q);
              answered();
              await gate;
              return rows;
            }
          : (Reflect.get(target, prop, target) as unknown),
    });
    const { store: racing } = withRollupCache(slow);
    const q = { project: 'alpha', from: T0, to: T0 + 3 * HOUR_MS, bucketMs: MINUTE_MS, groupBy: ['model' as const], filter: {} };
    const reading = racing.rollup(q);
    await read;
    await racing.append([makeSpan({ span_id: 'during', trace_id: 'during', timestamp: T0 + 20 * MINUTE_MS + 1 })]);
    release();
    const stale = await reading;
    const want = await raw.rollup(q);
    expect(stale.reduce((n, r) => n + r.count, 0)).toBe(want.reduce((n, r) => n + r.count, 0) - 1);
    expectRowsEqual(await racing.rollup(q), want);
    // That write went past `cached` (a second writer, which the cache rules out): start it afresh.
    await cached.deleteBefore({ spansBefore: 0, rollupsBefore: 0 });
  });

  it('passes a read over more buckets than it keeps straight to the store, keeping nothing of it', async () => {
    // The status page's read: every hour from 1970 to tomorrow (about 500,000 buckets).
    const all = { project: 'alpha', from: 0, to: T0 + 30 * DAY, bucketMs: HOUR_MS, groupBy: [], filter: {}, histogram: false, collapse: true };
    const before = cache.stats();
    const [row] = await cached.rollup(all);
    expectRowsEqual([row!], await raw.rollup(all));
    expect(row!.count).toBe((await raw.rollup({ ...all, from: T0, to: T0 + 3 * HOUR_MS }))[0]!.count);
    expect(cache.stats()).toEqual(before);
    // One bucket fewer than the bound is cached as usual.
    const widest = { ...all, from: T0 + 30 * DAY - ROLLUP_CACHE_MAX_BUCKETS * HOUR_MS };
    expectRowsEqual(await cached.rollup(widest), await raw.rollup(widest));
    expect(cache.stats().misses - before.misses).toBe(ROLLUP_CACHE_MAX_BUCKETS);
  });

  it('drops everything when retention deletes, and keeps to its size', async () => {
    await cached.deleteBefore({ spansBefore: T0 + HOUR_MS, rollupsBefore: T0 + HOUR_MS });
    expect(cache.stats().buckets).toBe(0);
    await expectSameAsStore('alpha');
    const small = withRollupCache(raw, 5_000);
    for (const read of READS) await small.store.rollup({ ...read, project: 'alpha' });
    expect(small.cache.stats().cells).toBeLessThanOrEqual(5_000);
    expect(small.cache.stats().buckets).toBeGreaterThan(0);
  });
});
