// The Store conformance suite: every backend runs these exact assertions (see ARCHITECTURE.md).
// A behaviour only one backend has is a bug. Expected values are computed here from raw spans.

import { afterEach, describe, expect, it } from 'vitest';
import type { Span } from '../model/span.js';
import { HOUR_MS, MINUTE_MS, floorToBucket, isErrorSpan } from './rollup.js';
import { apiKey, expectedRollup, expectRowsEqual, fleetSpans, makeSpan, T0 } from './store-fixtures.case.js';
import type { RollupRow, Store } from './store.js';
import { reviseConformance } from './revision.case.js';

export interface ConformanceOptions {
  /** Opens the same data again after `store` was closed; enables the close/reopen test. */
  reopen?: (closed: Store) => Promise<Store>;
}

export { expectedRollup, expectRowsEqual, fleetSpans, makeSpan, type Dim } from './store-fixtures.case.js';

export function runStoreConformance(
  name: string,
  newStore: () => Promise<Store>,
  options: ConformanceOptions = {},
): void {
  describe(`Store conformance: ${name}`, () => {
    const open: Store[] = [];
    const fresh = async (): Promise<Store> => {
      const s = await newStore();
      open.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });

    reviseConformance(fresh);

    it('returns appended spans field for field, ordered by timestamp', async () => {
      const store = await fresh();
      const root = makeSpan({ timestamp: T0 + 10, span_id: 'root' });
      const child = makeSpan({
        timestamp: T0 + 20,
        span_id: 'child',
        parent_span_id: 'root',
        span_type: 'decision',
        name: null,
        model: null,
        provider: null,
        tokens_input: 0,
        tokens_output: 0,
        tokens_cache_read: 0,
        tokens_cache_write: 0,
        tokens_reasoning: 0,
        latency_ms: 0.125,
        cost_usd: null,
        cost_source: 'none',
        decision_made: 'escalate',
        confidence: 0.73,
        error_type: 'policy',
        error_message: 'needs a human — "quoted" \\ unicode ✓',
        session_id: null,
        user_id: null,
        attributes: {},
        input: null,
        output: null,
      });
      const other = makeSpan({ trace_id: 'trace-2', span_id: 'other' });
      await store.append([child, other]);
      await store.append([root]);
      expect(await store.getTrace('alpha', 'trace-1')).toEqual([root, child]);
      expect(await store.getTrace('alpha', 'trace-2')).toEqual([other]);
      expect(await store.getTrace('alpha', 'missing')).toEqual([]);
      expect(await store.stats()).toMatchObject({ spans: 3 });
    });

    it('rollup sums equal aggregates of the raw spans, per minute and per hour', async () => {
      const store = await fresh();
      const spans = fleetSpans('alpha', 700);
      // Several appends create several delta rows per key; reads must sum them.
      for (let i = 0; i < spans.length; i += 90) await store.append(spans.slice(i, i + 90));
      const range = { project: 'alpha', from: T0, to: T0 + 3 * HOUR_MS, filter: {} };
      expectRowsEqual(await store.rollup({ ...range, bucketMs: MINUTE_MS, groupBy: [] }), expectedRollup(spans, MINUTE_MS, []));
      expectRowsEqual(await store.rollup({ ...range, bucketMs: HOUR_MS, groupBy: [] }), expectedRollup(spans, HOUR_MS, []));
      // Without the histogram: the same sums, no latency buckets.
      expectRowsEqual(
        await store.rollup({ ...range, bucketMs: HOUR_MS, groupBy: ['agent'], histogram: false }),
        expectedRollup(spans, HOUR_MS, ['agent_id']).map((r) => ({ ...r, latency_hist: [] })),
      );
      expectRowsEqual(
        await store.rollup({ ...range, bucketMs: 15 * MINUTE_MS, groupBy: ['agent'] }),
        expectedRollup(spans, 15 * MINUTE_MS, ['agent_id']),
      );
      expectRowsEqual(
        await store.rollup({ ...range, bucketMs: 3 * HOUR_MS, groupBy: ['model', 'decision'] }),
        expectedRollup(spans, 3 * HOUR_MS, ['model', 'decision_made']),
      );
    });

    it('collapse gives one row per group over the whole range, equal to the raw aggregates', async () => {
      const store = await fresh();
      const spans = fleetSpans('alpha', 600);
      for (let i = 0; i < spans.length; i += 150) await store.append(spans.slice(i, i + 150));
      // From mid-hour: the range starts at the floored bucket, as for per-bucket reads.
      const from = T0 + 20 * MINUTE_MS;
      const to = T0 + 2 * HOUR_MS + 10 * MINUTE_MS;
      const inRange = spans.filter((s) => s.timestamp >= from && s.timestamp < to);
      const asOneBucket = (rows: RollupRow[]): RollupRow[] => rows.map((r) => ({ ...r, bucket: from }));
      const q = { project: 'alpha', from, to, filter: {}, collapse: true };
      expectRowsEqual(await store.rollup({ ...q, bucketMs: MINUTE_MS, groupBy: [] }), asOneBucket(expectedRollup(inRange, 1e15, [])));
      expectRowsEqual(
        await store.rollup({ ...q, bucketMs: MINUTE_MS, groupBy: ['agent', 'model'] }),
        asOneBucket(expectedRollup(inRange, 1e15, ['agent_id', 'model'])),
      );
      // Hourly rows: every hour bucket starting in [floor(from), to) counts whole.
      const hours = spans.filter((s) => s.timestamp >= T0 && s.timestamp < T0 + 3 * HOUR_MS);
      const byHour = await store.rollup({ ...q, bucketMs: HOUR_MS, groupBy: ['decision'] });
      expectRowsEqual(
        byHour,
        expectedRollup(hours, 1e15, ['decision_made']).map((r) => ({ ...r, bucket: T0 })),
      );
      expect(await store.rollup({ ...q, project: 'nobody', bucketMs: HOUR_MS, groupBy: [] })).toEqual([]);
    });

    it('hourly and minute tables agree', async () => {
      const store = await fresh();
      await store.append(fleetSpans('alpha', 500));
      const q = { project: 'alpha', from: T0, to: T0 + 3 * HOUR_MS, groupBy: ['span_type' as const], filter: {} };
      const fromHours = await store.rollup({ ...q, bucketMs: HOUR_MS });
      const fromMinutes = await store.rollup({ ...q, bucketMs: MINUTE_MS });
      expect(fromHours.length).toBe(9);
      const total = (rows: RollupRow[]): number[] => [
        rows.reduce((a, r) => a + r.count, 0),
        rows.reduce((a, r) => a + r.tokens_input, 0),
        rows.reduce((a, r) => a + r.errors, 0),
      ];
      expect(total(fromMinutes)).toEqual(total(fromHours));
      const viaMinuteTable = await store.rollup({ ...q, bucketMs: 30 * MINUTE_MS });
      const merged = new Map<string, number>();
      for (const r of viaMinuteTable) {
        const k = `${floorToBucket(r.bucket, HOUR_MS)}|${r.group[0]}`;
        merged.set(k, (merged.get(k) ?? 0) + r.count);
      }
      expect(Object.fromEntries(merged)).toEqual(
        Object.fromEntries(fromHours.map((r) => [`${r.bucket}|${r.group[0]}`, r.count])),
      );
    });

    it('reads split by one dimension (or none) at 5-minute multiples equal the raw aggregates, whatever the range', async () => {
      const store = await fresh();
      const spans = fleetSpans('alpha', 800);
      for (let i = 0; i < spans.length; i += 120) await store.append(spans.slice(i, i + 120));
      // `from` inside a bucket (floored), `to` on a minute inside a 5-minute bucket: the last
      // bucket holds only the minutes before `to`.
      const from = T0 + 17 * MINUTE_MS + 5_000;
      const to = T0 + 2 * HOUR_MS + 7 * MINUTE_MS;
      const inRange = (bucketMs: number) => spans.filter((s) => s.timestamp >= floorToBucket(from, bucketMs) && s.timestamp < to);
      const q = { project: 'alpha', from, to, filter: {} };
      const dims = [['agent', 'agent_id'], ['model', 'model'], ['decision', 'decision_made'], ['span_type', 'span_type'], ['provider', 'provider']] as const;
      for (const [dim, column] of dims) {
        expectRowsEqual(await store.rollup({ ...q, bucketMs: 5 * MINUTE_MS, groupBy: [dim] }), expectedRollup(inRange(5 * MINUTE_MS), 5 * MINUTE_MS, [column]));
      }
      expectRowsEqual(await store.rollup({ ...q, bucketMs: 10 * MINUTE_MS, groupBy: [] }), expectedRollup(inRange(10 * MINUTE_MS), 10 * MINUTE_MS, []));
      expectRowsEqual(
        await store.rollup({ ...q, bucketMs: 5 * MINUTE_MS, groupBy: ['decision'], histogram: false }),
        expectedRollup(inRange(5 * MINUTE_MS), 5 * MINUTE_MS, ['decision_made']).map((r) => ({ ...r, latency_hist: [] })),
      );
      expectRowsEqual(
        await store.rollup({ ...q, bucketMs: 5 * MINUTE_MS, groupBy: ['model'], collapse: true }),
        expectedRollup(inRange(5 * MINUTE_MS), 1e15, ['model']).map((r) => ({ ...r, bucket: floorToBucket(from, 5 * MINUTE_MS) })),
      );
      // A filter, or a second dimension, is answered from the full minute rows.
      expectRowsEqual(
        await store.rollup({ ...q, bucketMs: 5 * MINUTE_MS, groupBy: ['agent'], filter: { model: 'gpt-4o' } }),
        expectedRollup(inRange(5 * MINUTE_MS).filter((s) => s.model === 'gpt-4o'), 5 * MINUTE_MS, ['agent_id']),
      );
      expectRowsEqual(
        await store.rollup({ ...q, bucketMs: 15 * MINUTE_MS, groupBy: ['agent', 'decision'] }),
        expectedRollup(inRange(15 * MINUTE_MS), 15 * MINUTE_MS, ['agent_id', 'decision_made']),
      );
      // A range that ends on a 5-minute edge, and one shorter than a bucket.
      const aligned = T0 + 2 * HOUR_MS;
      expectRowsEqual(
        await store.rollup({ ...q, to: aligned, bucketMs: 5 * MINUTE_MS, groupBy: ['agent'] }),
        expectedRollup(spans.filter((s) => s.timestamp >= T0 + 15 * MINUTE_MS && s.timestamp < aligned), 5 * MINUTE_MS, ['agent_id']),
      );
      expectRowsEqual(
        await store.rollup({ ...q, from: aligned, to: aligned + 3 * MINUTE_MS, bucketMs: 5 * MINUTE_MS, groupBy: ['agent'] }),
        expectedRollup(spans.filter((s) => s.timestamp >= aligned && s.timestamp < aligned + 3 * MINUTE_MS), 5 * MINUTE_MS, ['agent_id']),
      );
      expect(await store.rollup({ ...q, project: 'nobody', bucketMs: 5 * MINUTE_MS, groupBy: ['agent'] })).toEqual([]);
    });

    it('rollup filters by every dimension and respects the time range', async () => {
      const store = await fresh();
      const spans = fleetSpans('alpha', 400);
      await store.append(spans);
      const from = T0 + 30 * MINUTE_MS + 17;
      const to = T0 + 2 * HOUR_MS;
      const inRange = (s: Span): boolean => s.timestamp >= floorToBucket(from, 10 * MINUTE_MS) && s.timestamp < to;
      const q = { project: 'alpha', from, to, bucketMs: 10 * MINUTE_MS, groupBy: ['provider' as const] };
      expectRowsEqual(
        await store.rollup({ ...q, filter: { agent: 'agent-2', decision: 'search' } }),
        expectedRollup(spans.filter((s) => inRange(s) && s.agent_id === 'agent-2' && s.decision_made === 'search'), 10 * MINUTE_MS, ['provider']),
      );
      expectRowsEqual(
        await store.rollup({ ...q, filter: { model: 'gpt-4o', span_type: 'llm_call', provider: 'openai' } }),
        expectedRollup(spans.filter((s) => inRange(s) && s.model === 'gpt-4o' && s.span_type === 'llm_call'), 10 * MINUTE_MS, ['provider']),
      );
      expect(await store.rollup({ ...q, filter: { agent: "x' OR 1=1 --" } })).toEqual([]);
    });

    it('searchTraces filters, orders newest first and limits', async () => {
      const store = await fresh();
      const spans = fleetSpans('alpha', 200);
      await store.append(spans);
      const window = { project: 'alpha', from: T0, to: T0 + 3 * HOUR_MS };
      const all = await store.searchTraces({ ...window, limit: 1000 });
      expect(all.length).toBe(50);
      expect(all.map((t) => t.start)).toEqual([...all.map((t) => t.start)].sort((a, b) => b - a));
      const t7 = spans.filter((s) => s.trace_id === 'alpha-trace-7');
      const start = Math.min(...t7.map((s) => s.timestamp));
      expect(all.find((t) => t.trace_id === 'alpha-trace-7')).toEqual({
        trace_id: 'alpha-trace-7',
        agent_id: t7[0]!.agent_id,
        root_name: t7[0]!.name,
        start,
        duration_ms: Math.max(...t7.map((s) => s.timestamp + s.latency_ms)) - start,
        span_count: 4,
        error_count: t7.filter(isErrorSpan).length,
        cost_usd: expect.closeTo(t7.reduce((a, s) => a + (s.cost_usd ?? 0), 0), 9) as number,
        tokens: t7.reduce((a, s) => a + s.tokens_input + s.tokens_output, 0),
        decisions: t7.flatMap((s) => (s.decision_made === null ? [] : [s.decision_made])),
      });
      const ids = (filter: (id: string) => boolean): string[] =>
        all.map((t) => t.trace_id).filter(filter);
      const traceSpans = (id: string): Span[] => spans.filter((s) => s.trace_id === id);
      expect((await store.searchTraces({ ...window, limit: 3 })).map((t) => t.trace_id)).toEqual(all.slice(0, 3).map((t) => t.trace_id));
      expect((await store.searchTraces({ ...window, limit: 1000, errors_only: true })).map((t) => t.trace_id)).toEqual(
        ids((id) => traceSpans(id).some(isErrorSpan)),
      );
      expect((await store.searchTraces({ ...window, limit: 1000, agent: 'agent-3', decision: 'escalate' })).map((t) => t.trace_id)).toEqual(
        ids((id) => traceSpans(id).some((s) => s.agent_id === 'agent-3') && traceSpans(id).some((s) => s.decision_made === 'escalate')),
      );
      expect((await store.searchTraces({ ...window, limit: 1000, min_cost_usd: 0.15 })).map((t) => t.trace_id)).toEqual(
        ids((id) => traceSpans(id).reduce((a, s) => a + (s.cost_usd ?? 0), 0) >= 0.15),
      );
      const slow = all.filter((t) => t.duration_ms >= 1500).map((t) => t.trace_id);
      expect(slow.length).toBeGreaterThan(0);
      expect((await store.searchTraces({ ...window, limit: 1000, min_latency_ms: 1500 })).map((t) => t.trace_id)).toEqual(slow);
    });

    it('searchTraces finds traces by text in a span name, error, input or output, case-insensitively', async () => {
      const store = await fresh();
      const spans = fleetSpans('alpha', 200);
      spans[9] = { ...spans[9]!, input: 'Customer asks about a 50%_OFF REFUND' };
      spans[14] = { ...spans[14]!, output: 'issued the refund' };
      await store.append(spans);
      const window = { project: 'alpha', from: T0, to: T0 + 3 * HOUR_MS, limit: 1000 };
      const ids = async (text: string) => (await store.searchTraces({ ...window, text })).map((t) => t.trace_id).sort();
      expect(await ids('refund')).toEqual(['alpha-trace-2', 'alpha-trace-3']);
      expect(await ids('50%_off')).toEqual(['alpha-trace-2']);
      expect(await ids('50%_of!')).toEqual([]);
      const timedOut = [...new Set(spans.filter((s) => s.error_message === 'upstream timed out').map((s) => s.trace_id))].sort();
      expect(await ids('UPSTREAM timed')).toEqual(timedOut);
      expect(await ids('op-3')).toEqual([...new Set(spans.filter((s) => s.name === 'op-3').map((s) => s.trace_id))].sort());
      expect((await store.searchTraces({ ...window, text: 'refund', errors_only: true })).map((t) => t.trace_id)).toEqual(
        ['alpha-trace-2', 'alpha-trace-3'].filter((id) => spans.some((s) => s.trace_id === id && isErrorSpan(s))).sort().reverse(),
      );
    });

    it('knownSpans names exactly the refs the project stores', async () => {
      const store = await fresh();
      await store.append([...fleetSpans('alpha', 40), ...fleetSpans('beta', 8)]);
      const refs = [
        { trace_id: 'alpha-trace-0', span_id: 'alpha-span-0' },
        { trace_id: 'alpha-trace-0', span_id: 'alpha-span-0' },
        { trace_id: 'alpha-trace-9', span_id: 'alpha-span-39' },
        { trace_id: 'alpha-trace-9', span_id: 'alpha-span-40' },
        { trace_id: 'alpha-trace-1', span_id: 'alpha-span-0' },
        { trace_id: 'beta-trace-0', span_id: 'beta-span-0' },
        { trace_id: "x' OR 1=1 --", span_id: 'y' },
      ];
      const key = (r: { trace_id: string; span_id: string }) => `${r.trace_id}/${r.span_id}`;
      expect((await store.knownSpans('alpha', refs)).map(key).sort()).toEqual(['alpha-trace-0/alpha-span-0', 'alpha-trace-9/alpha-span-39']);
      expect((await store.knownSpans('beta', refs)).map(key)).toEqual(['beta-trace-0/beta-span-0']);
      expect(await store.knownSpans('alpha', [])).toEqual([]);
      const many = Array.from({ length: 1000 }, (_, i) => ({ trace_id: `alpha-trace-${i}`, span_id: `alpha-span-${4 * i}` }));
      expect((await store.knownSpans('alpha', many)).length).toBe(10);
    });

    it('deleteBefore removes exactly the old spans and rollup buckets', async () => {
      const store = await fresh();
      const spans = fleetSpans('alpha', 300);
      await store.append(spans);
      const spansBefore = T0 + HOUR_MS + 123;
      const rollupsBefore = T0 + 2 * HOUR_MS;
      const result = await store.deleteBefore({ spansBefore, rollupsBefore });
      expect(result).toEqual({ spans: spans.filter((s) => s.timestamp < spansBefore).length });
      expect(await store.stats()).toMatchObject({ spans: spans.filter((s) => s.timestamp >= spansBefore).length });
      expect(await store.getTrace('alpha', spans[0]!.trace_id)).toEqual([]);
      const q = { project: 'alpha', from: T0, to: T0 + 3 * HOUR_MS, groupBy: [], filter: {} };
      const kept = spans.filter((s) => s.timestamp >= rollupsBefore);
      expectRowsEqual(await store.rollup({ ...q, bucketMs: HOUR_MS }), expectedRollup(kept, HOUR_MS, []));
      expectRowsEqual(await store.rollup({ ...q, bucketMs: MINUTE_MS }), expectedRollup(kept, MINUTE_MS, []));
    });

    it('keeps projects isolated', async () => {
      const store = await fresh();
      const a = fleetSpans('alpha', 80);
      const b = fleetSpans('beta', 120).map((s) => ({ ...s, trace_id: s.trace_id.replace('beta', 'alpha') }));
      await store.append([...a, ...b]);
      expect((await store.getTrace('alpha', 'alpha-trace-0')).map((s) => s.project)).toEqual(['alpha', 'alpha', 'alpha', 'alpha']);
      expect((await store.getTrace('beta', 'alpha-trace-0')).map((s) => s.project)).toEqual(['beta', 'beta', 'beta', 'beta']);
      const q = { from: T0, to: T0 + 3 * HOUR_MS, bucketMs: 24 * HOUR_MS, groupBy: [], filter: {} };
      expect((await store.rollup({ ...q, project: 'alpha' })).map((r) => r.count)).toEqual([80]);
      expect((await store.rollup({ ...q, project: 'beta' })).map((r) => r.count)).toEqual([120]);
      expect(await store.rollup({ ...q, project: 'gamma' })).toEqual([]);
      expect((await store.searchTraces({ project: 'beta', from: T0, to: T0 + 3 * HOUR_MS, limit: 100 })).length).toBe(30);
    });

    it('creates and lists projects idempotently', async () => {
      const store = await fresh();
      expect(await store.listProjects()).toEqual([]);
      await store.createProject('zeta');
      await store.createProject('alpha');
      await store.createProject('zeta');
      expect(await store.listProjects()).toEqual(['alpha', 'zeta']);
    });

    it('round-trips api keys and revokes them once', async () => {
      const store = await fresh();
      const k1 = apiKey();
      const k2 = apiKey({ id: 'key-2', project: 'beta', hash: 'b'.repeat(64), scopes: ['admin'], created_at: T0 + 1, expires_at: T0 + 9 * HOUR_MS });
      await store.putApiKey(k1);
      await store.putApiKey(k2);
      expect(await store.findApiKeyByHash(k1.hash)).toEqual(k1);
      expect(await store.findApiKeyByHash('c'.repeat(64))).toBeNull();
      expect(await store.listApiKeys()).toEqual([k1, k2]);
      expect(await store.listApiKeys('beta')).toEqual([k2]);
      expect(await store.revokeApiKey('key-1', T0 + 5)).toBe(true);
      expect(await store.revokeApiKey('key-1', T0 + 6)).toBe(false);
      expect(await store.revokeApiKey('nope', T0 + 6)).toBe(false);
      expect(await store.findApiKeyByHash(k1.hash)).toEqual({ ...k1, revoked_at: T0 + 5 });
    });

    it('records idempotency keys with the spans and finds the first record of a key since a time', async () => {
      const store = await fresh();
      // Scoped keys as the HTTP layer writes them: project, NUL, the client's key.
      const first = { key: 'alpha\u0000batch-1', response: '{"accepted":1,"rejected":[],"rejected_events":0}', created_at: T0 };
      const bare = { key: 'alpha\u0000empty', response: '{"accepted":0}', created_at: T0 + 5_000 };
      const other = { key: 'beta\u0000batch-1', response: 'other project', created_at: T0 + 10_000 };
      // The same key recorded again later, as two nodes racing on one key would.
      const again = { key: first.key, response: 'second attempt', created_at: T0 + 20_000 };
      await store.append([makeSpan({ span_id: 'a' })], { idempotency: [first] });
      await store.append([], { idempotency: [bare] });
      await store.append([makeSpan({ span_id: 'b' })], { idempotency: [other, again] });
      expect(await store.findIdempotency!(first.key, T0 - HOUR_MS)).toEqual(first);
      expect(await store.findIdempotency!(first.key, T0 + 1)).toEqual(again);
      expect(await store.findIdempotency!(bare.key, T0)).toEqual(bare);
      expect(await store.findIdempotency!(bare.key, T0 + 5_001)).toBeNull();
      expect(await store.findIdempotency!('alpha\u0000missing', 0)).toBeNull();
      expect(await store.findIdempotency!("alpha\u0000batch-1' OR 1=1 --", 0)).toBeNull();
      expect(await store.recentIdempotency!(T0 + 1)).toEqual([bare, other, again]);
      expect(await store.stats()).toMatchObject({ spans: 2 });
    });

    it('keeps idempotency records a day after the newest one and drops those two days older', async () => {
      const store = await fresh();
      const newest = T0 + 3 * 24 * HOUR_MS;
      const record = (key: string, created_at: number) => ({ key: `alpha\u0000${key}`, response: key, created_at });
      const old = record('old', newest - 2 * 24 * HOUR_MS - 1);
      const kept = [record('day-old', newest - 24 * HOUR_MS + 1), record('hour-old', newest - HOUR_MS), record('newest', newest)];
      await store.append([], { idempotency: [old, ...kept] });
      await store.deleteBefore({ spansBefore: T0, rollupsBefore: T0 });
      expect(await store.recentIdempotency!(0)).toEqual(kept);
    });

    it('finds a whole trace without a hint when its spans are days apart, written in several appends', async () => {
      const store = await fresh();
      const at = (d: number, i: number) => makeSpan({ trace_id: 'long-trace', span_id: `s${d}-${i}`, timestamp: T0 + d * 24 * HOUR_MS + i });
      const noise = fleetSpans('alpha', 300);
      await store.append([at(0, 0), ...noise.slice(0, 100)]);
      await store.append([at(3, 0), at(3, 1)]);
      // Rollups (and whatever a backend derives with them) are read in between: later spans must still count.
      await store.rollup({ project: 'alpha', from: T0, to: T0 + HOUR_MS, bucketMs: HOUR_MS, groupBy: [], filter: {} });
      await store.append([...noise.slice(100), at(6, 0)]);
      const ids = ['s0-0', 's3-0', 's3-1', 's6-0'];
      expect((await store.getTrace('alpha', 'long-trace')).map((s) => s.span_id)).toEqual(ids);
      // A hint may leave out spans more than a day from it, never the ones near it.
      expect((await store.getTrace('alpha', 'long-trace', { around: T0 + 3 * 24 * HOUR_MS })).map((s) => s.span_id)).toEqual(
        expect.arrayContaining(['s3-0', 's3-1']),
      );
      expect(await store.getTrace('beta', 'long-trace')).toEqual([]);
      // Retention removes the early span; the rest is still found.
      await store.deleteBefore({ spansBefore: T0 + 24 * HOUR_MS, rollupsBefore: 0 });
      expect((await store.getTrace('alpha', 'long-trace')).map((s) => s.span_id)).toEqual(ids.slice(1));
    });

    it('rejects calls after close', async () => {
      const store = await newStore();
      await store.close();
      await expect(store.stats()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    });

    const reopen = options.reopen;
    if (reopen !== undefined) {
      it('keeps data across close and reopen', async () => {
        const store = await newStore();
        const spans = fleetSpans('alpha', 50);
        const key = { key: 'alpha\u0000batch-7', response: '{"accepted":50}', created_at: T0 };
        await store.append(spans, { idempotency: [key] });
        await store.createProject('alpha');
        await store.putApiKey(apiKey());
        await store.close();
        const again = await reopen(store);
        open.push(again);
        expect(await again.stats()).toMatchObject({ spans: 50 });
        expect(await again.getTrace('alpha', 'alpha-trace-3')).toEqual(spans.filter((s) => s.trace_id === 'alpha-trace-3'));
        expect(await again.listProjects()).toEqual(['alpha']);
        expect(await again.findApiKeyByHash(apiKey().hash)).toEqual(apiKey());
        expect(await again.findIdempotency!(key.key, T0)).toEqual(key);
        const rows = await again.rollup({ project: 'alpha', from: T0, to: T0 + 3 * HOUR_MS, bucketMs: 24 * HOUR_MS, groupBy: [], filter: {} });
        expect(rows.map((r) => r.count)).toEqual([50]);
      });
    }
  });
}
