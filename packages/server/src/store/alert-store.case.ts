// Conformance cases for the Store's alert persistence, run by each backend's test file.

import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from './rollup.js';
import { expectedRollup, expectRowsEqual, fleetSpans } from './store.case.js';
import { makeSpan } from './store-fixtures.case.js';
import type { RollupQuery, RollupRow, Store } from './store.js';

/** Rows summed by bucket and group: what alertRollups' possibly split rows amount to. */
function merged(rows: RollupRow[]): RollupRow[] {
  const byKey = new Map<string, RollupRow>();
  for (const r of rows) {
    const key = JSON.stringify([r.bucket, r.group]);
    const m = byKey.get(key);
    if (m === undefined) {
      byKey.set(key, { ...r, group: [...r.group], latency_hist: [...r.latency_hist] });
      continue;
    }
    for (const f of ['count', 'errors', 'latency_sum', 'tokens_input', 'tokens_output', 'tokens_cache_read', 'tokens_cache_write', 'tokens_reasoning', 'cost_usd', 'confidence_sum', 'confidence_count'] as const) {
      m[f] += r[f];
    }
    r.latency_hist.forEach((n, i) => (m.latency_hist[i]! += n));
  }
  return [...byKey.values()];
}

export function runAlertStoreConformance(name: string, newStore: () => Promise<{ store: Store; reopen: () => Promise<Store> }>): void {
  describe(`${name}: alert persistence`, () => {
    it('upserts, lists, deletes and prunes documents by kind, and keeps them across a reopen', async () => {
      const { store, reopen } = await newStore();
      await store.putAlertRecords('state', [
        { project: 'p', id: 'b', updated_at: 10, body: { status: 'firing', value: 0.5 } },
        { project: 'p', id: 'a', updated_at: 20, body: { status: 'pending' } },
        { project: 'q', id: 'a', updated_at: 30, body: { status: 'ok' } },
      ]);
      await store.putAlertRecords('state', [{ project: 'p', id: 'b', updated_at: 40, body: { status: 'resolved' } }]);
      await store.putAlertRecords('silence', [{ project: 'p', id: 's', updated_at: 5, body: { ends_at: 99 } }]);
      expect((await store.listAlertRecords('state', 'p')).map((r) => [r.id, r.updated_at, r.body])).toEqual([
        ['a', 20, { status: 'pending' }],
        ['b', 40, { status: 'resolved' }],
      ]);
      expect((await store.listAlertRecords('state')).map((r) => `${r.project}/${r.id}`)).toEqual(['p/a', 'p/b', 'q/a']);
      expect(await store.deleteAlertRecord('state', 'q', 'a')).toBe(true);
      expect(await store.deleteAlertRecord('state', 'q', 'a')).toBe(false);
      expect(await store.pruneAlertRecords('state', 30)).toBe(1);
      await store.close();
      const again = await reopen();
      expect((await again.listAlertRecords('state')).map((r) => `${r.project}/${r.id}`)).toEqual(['p/b']);
      expect((await again.listAlertRecords('silence', 'p')).map((r) => r.body)).toEqual([{ ends_at: 99 }]);
      await again.close();
    });

    it('appends history and lists it newest first with filters and a limit', async () => {
      const { store } = await newStore();
      const ev = (id: string, at: number, alert_id: string, kind: string) => ({ project: 'p', id, at, alert_id, rule_id: 'r', kind, body: { n: at } });
      await store.appendAlertEvents([ev('1', 100, 'x', 'firing'), ev('2', 200, 'y', 'firing'), ev('3', 300, 'x', 'resolved')]);
      expect((await store.listAlertEvents({ project: 'p', limit: 10 })).map((e) => e.id)).toEqual(['3', '2', '1']);
      expect((await store.listAlertEvents({ project: 'p', alert_id: 'x', limit: 10 })).map((e) => [e.kind, e.body])).toEqual([
        ['resolved', { n: 300 }],
        ['firing', { n: 100 }],
      ]);
      expect((await store.listAlertEvents({ project: 'p', from: 150, to: 300, limit: 10 })).map((e) => e.id)).toEqual(['2']);
      expect((await store.listAlertEvents({ project: 'p', limit: 1 })).map((e) => e.id)).toEqual(['3']);
      expect(await store.listAlertEvents({ project: 'other', limit: 10 })).toEqual([]);
      await store.close();
    });

    it('keeps incidents (documents with nested members) and their history apart from alert states, across a reopen', async () => {
      const { store, reopen } = await newStore();
      const member = (agent: string, left_at: number | null) => ({ alert_id: `a-${agent}`, labels: { agent, model: 'gpt-4o' }, value: 0.0084, left_at });
      const open = { status: 'open', scope: { model: 'gpt-4o' }, cause: { dimension: 'model', value: 'gpt-4o', groups_judged: 12 }, members: [member('x', null), member('y', null)] };
      await store.putAlertRecords('incident', [{ project: 'p', id: 'inc-1', updated_at: 100, body: open }]);
      await store.putAlertRecords('state', [{ project: 'p', id: 'a-x', updated_at: 100, body: { status: 'firing' } }]);
      const resolved = { ...open, status: 'resolved', members: [member('x', 400), member('y', 400)] };
      await store.putAlertRecords('incident', [{ project: 'p', id: 'inc-1', updated_at: 400, body: resolved }, { project: 'q', id: 'inc-2', updated_at: 410, body: open }]);
      await store.appendAlertEvents([
        { project: 'p', id: 'e1', at: 100, alert_id: 'inc-1', rule_id: 'incident', kind: 'incident_opened', body: { title: 'cost per call of gpt-4o +100 %' } },
        { project: 'p', id: 'e2', at: 150, alert_id: 'a-x', rule_id: 'builtin.cost_per_inference', kind: 'firing', body: {} },
        { project: 'p', id: 'e3', at: 400, alert_id: 'inc-1', rule_id: 'incident', kind: 'incident_resolved', body: { resolved_at: 400 } },
      ]);
      await store.close();
      const again = await reopen();
      expect(await again.listAlertRecords('incident', 'p')).toEqual([{ project: 'p', id: 'inc-1', updated_at: 400, body: resolved }]);
      expect((await again.listAlertRecords('incident')).map((r) => `${r.project}/${r.id}/${r.body.status as string}`)).toEqual(['p/inc-1/resolved', 'q/inc-2/open']);
      expect((await again.listAlertRecords('state', 'p')).map((r) => r.id)).toEqual(['a-x']);
      expect((await again.listAlertEvents({ project: 'p', rule_id: 'incident', limit: 10 })).map((e) => [e.id, e.kind, e.alert_id, e.body])).toEqual([
        ['e3', 'incident_resolved', 'inc-1', { resolved_at: 400 }],
        ['e1', 'incident_opened', 'inc-1', { title: 'cost per call of gpt-4o +100 %' }],
      ]);
      await again.close();
    });

    it('keeps budgets apart from rules with the same id, replaces and deletes them, across a reopen', async () => {
      const { store, reopen } = await newStore();
      const acme = { id: 'acme', scope: { attribute: 'tenant', value: 'acme' }, amountUsd: 500, period: 'month', alertShares: [0.8, 1], forecast: true };
      await store.putAlertRecords('budget', [
        { project: 'p', id: 'acme', updated_at: 10, body: acme },
        { project: 'p', id: 'gone', updated_at: 10, body: { ...acme, id: 'gone' } },
      ]);
      await store.putAlertRecords('rule', [{ project: 'p', id: 'acme', updated_at: 10, body: { kind: 'custom' } }]);
      await store.putAlertRecords('budget', [{ project: 'p', id: 'acme', updated_at: 20, body: { ...acme, amountUsd: 600 } }]);
      expect(await store.deleteAlertRecord('budget', 'p', 'gone')).toBe(true);
      await store.close();
      const again = await reopen();
      expect(await again.listAlertRecords('budget')).toEqual([{ project: 'p', id: 'acme', updated_at: 20, body: { ...acme, amountUsd: 600 } }]);
      expect((await again.listAlertRecords('rule', 'p')).map((r) => r.body)).toEqual([{ kind: 'custom' }]);
      await again.close();
    });

    it('treats ids as opaque text, keeps the last of repeated writes, and revives deleted documents', async () => {
      const { store } = await newStore();
      const odd = "it's a \\ \"rule\" — ✓";
      await store.putAlertRecords('rule', [
        { project: 'p', id: odd, updated_at: 1, body: { v: 1 } },
        { project: 'p', id: odd, updated_at: 2, body: { v: 2 } },
      ]);
      expect(await store.listAlertRecords('rule', 'p')).toEqual([{ project: 'p', id: odd, updated_at: 2, body: { v: 2 } }]);
      expect(await store.listAlertRecords('state', 'p')).toEqual([]);
      expect(await store.deleteAlertRecord('rule', 'p', odd)).toBe(true);
      expect(await store.listAlertRecords('rule')).toEqual([]);
      await store.putAlertRecords('rule', [{ project: 'p', id: odd, updated_at: 3, body: { v: 3 } }]);
      expect(await store.listAlertRecords('rule')).toEqual([{ project: 'p', id: odd, updated_at: 3, body: { v: 3 } }]);
      expect(await store.pruneAlertRecords('rule', 3)).toBe(0);
      await store.appendAlertEvents([{ project: 'p', id: odd, at: 10.7, alert_id: odd, rule_id: odd, kind: 'firing', body: {} }]);
      expect(await store.listAlertEvents({ project: 'p', rule_id: odd, limit: 5 })).toEqual([
        { project: 'p', id: odd, at: 10, alert_id: odd, rule_id: odd, kind: 'firing', body: {} },
      ]);
      expect(await store.listAlertEvents({ project: 'p', limit: 0 })).toEqual([]);
      await store.close();
    });
  });

  describe(`${name}: userRollups`, () => {
    it("sums each user's spans per minute and hour from raw spans, the top groups by cost per bucket", async () => {
      const { store } = await newStore();
      const T = Date.UTC(2025, 0, 6, 10, 0);
      const users = ['alice', 'bob', "o'brien ✓", null];
      const spans = Array.from({ length: 240 }, (_, i) =>
        makeSpan({
          project: 'p',
          span_id: `s${i}`,
          trace_id: `t${i % 40}`,
          timestamp: T + i * 30_000 + (i % 3),
          agent_id: i % 5 === 0 ? 'agent-2' : 'agent-1',
          span_type: i % 4 === 0 ? 'tool_call' : 'llm_call',
          user_id: users[i % 4]!,
          cost_usd: i % 7 === 0 ? null : 0.001 * ((i % 4) + 1) * (i % 11 === 0 ? 10 : 1),
          tokens_input: 100 + i,
          latency_ms: 10 + (i % 9),
          error_type: i % 6 === 0 ? 'boom' : null,
          confidence: i % 2 === 0 ? 0.5 : null,
        }),
      );
      await store.append(spans);
      await store.append([makeSpan({ project: 'q', span_id: 'other', timestamp: T, user_id: 'alice' })]);
      /** What userRollups must answer, computed here from the spans. */
      const expected = (bucketMs: number, from: number, to: number, limit: number, keep: (s: (typeof spans)[number]) => boolean, byAgent: boolean) => {
        const rows = new Map<string, RollupRow>();
        for (const s of spans) {
          if (s.user_id === null || s.timestamp < Math.floor(from / bucketMs) * bucketMs || s.timestamp >= to || !keep(s)) continue;
          const bucket = Math.floor(s.timestamp / bucketMs) * bucketMs;
          const group = byAgent ? [s.user_id, s.agent_id] : [s.user_id];
          const key = JSON.stringify([bucket, group]);
          const r = rows.get(key) ?? { bucket, group, count: 0, errors: 0, latency_sum: 0, tokens_input: 0, tokens_output: 0, tokens_cache_read: 0, tokens_cache_write: 0, tokens_reasoning: 0, cost_usd: 0, confidence_sum: 0, confidence_count: 0, latency_hist: [] };
          rows.set(key, r);
          Object.assign(r, {
            count: r.count + 1,
            errors: r.errors + (s.error_type !== null ? 1 : 0),
            latency_sum: r.latency_sum + s.latency_ms,
            tokens_input: r.tokens_input + s.tokens_input,
            tokens_output: r.tokens_output + s.tokens_output,
            tokens_cache_read: r.tokens_cache_read + s.tokens_cache_read,
            tokens_cache_write: r.tokens_cache_write + s.tokens_cache_write,
            tokens_reasoning: r.tokens_reasoning + s.tokens_reasoning,
            cost_usd: r.cost_usd + (s.cost_usd ?? 0),
            confidence_sum: r.confidence_sum + (s.confidence ?? 0),
            confidence_count: r.confidence_count + (s.confidence !== null ? 1 : 0),
          });
        }
        const byBucket = new Map<number, RollupRow[]>();
        for (const r of rows.values()) byBucket.set(r.bucket, [...(byBucket.get(r.bucket) ?? []), r]);
        const key = (r: RollupRow) => JSON.stringify(r.group);
        return [...byBucket.entries()]
          .sort((a, b) => a[0] - b[0])
          .flatMap(([, list]) => list.sort((a, b) => b.cost_usd - a.cost_usd || (key(a) < key(b) ? -1 : 1)).slice(0, limit));
      };
      const round = (rows: RollupRow[]) => rows.map((r) => ({ ...r, cost_usd: Math.round(r.cost_usd * 1e9) / 1e9, latency_sum: Math.round(r.latency_sum * 1e6) / 1e6 }));
      const from = T + 7 * 60_000 + 12_345;
      const to = T + 95 * 60_000;
      const [minutes, hours, llmByAgent, none] = await store.userRollups([
        { project: 'p', from, to, bucketMs: 60_000, groupBy: ['user'], filter: {}, limit: 10 },
        { project: 'p', from: T, to: T + 3 * HOUR_MS, bucketMs: HOUR_MS, groupBy: ['user'], filter: {}, limit: 2 },
        { project: 'p', from: T, to: T + 3 * HOUR_MS, bucketMs: HOUR_MS, groupBy: ['user', 'agent'], filter: { span_type: 'llm_call' }, limit: 100 },
        { project: 'nobody', from: T, to: T + HOUR_MS, bucketMs: HOUR_MS, groupBy: ['user'], filter: {}, limit: 5 },
      ]);
      expect(round(minutes!)).toEqual(round(expected(60_000, from, to, 10, () => true, false)));
      // Minutes 7 to 94: two spans a minute, users alice + bob, then "o'brien ✓" + none, in turn.
      expect(minutes!.length).toBe(44 * 2 + 44);
      expect(round(hours!)).toEqual(round(expected(HOUR_MS, T, T + 3 * HOUR_MS, 2, () => true, false)));
      expect(hours!.map((r) => r.bucket)).toEqual([T, T, T + HOUR_MS, T + HOUR_MS]);
      expect(round(llmByAgent!)).toEqual(round(expected(HOUR_MS, T, T + 3 * HOUR_MS, 100, (s) => s.span_type === 'llm_call', true)));
      expect(none).toEqual([]);
      await expect(store.userRollups([{ project: 'p', from, to, bucketMs: 120_000, groupBy: ['user'], filter: {}, limit: 1 }])).rejects.toMatchObject({ code: 'QUERY_INVALID' });
      await expect(store.userRollups([{ project: 'p', from, to, bucketMs: 60_000, groupBy: ['agent'], filter: {}, limit: 1 }])).rejects.toMatchObject({ code: 'QUERY_INVALID' });
      await store.close();
    });
  });

  describe(`${name}: alertRollups`, () => {
    it("answers several rollup reads at once with rollup()'s figures, split rows summed", async () => {
      const { store } = await newStore();
      const spans = fleetSpans('p', 400);
      const T0 = Math.min(...spans.map((s) => s.timestamp));
      // Two appends over the same minutes, the first one's rollups read (so written) before the
      // second: every bucket then has rows from both, which alertRollups may return unmerged.
      await store.append(spans.filter((_, i) => i % 2 === 0));
      await store.rollup({ project: 'p', from: T0, to: T0 + MINUTE_MS, bucketMs: MINUTE_MS, groupBy: [], filter: {} });
      await store.append(spans.filter((_, i) => i % 2 === 1));
      await store.append(fleetSpans('other', 50));
      const from = T0 + 20 * MINUTE_MS;
      const to = T0 + 2 * HOUR_MS + 7 * MINUTE_MS;
      const inRange = (lo: number, hi: number) => spans.filter((s) => s.timestamp >= lo && s.timestamp < hi);
      const queries: { q: RollupQuery; expected: RollupRow[] }[] = [
        {
          q: { project: 'p', from, to, bucketMs: MINUTE_MS, groupBy: ['agent', 'model', 'decision', 'span_type'], filter: {}, histogram: false },
          expected: expectedRollup(inRange(from, to), MINUTE_MS, ['agent_id', 'model', 'decision_made', 'span_type']).map((r) => ({ ...r, latency_hist: [] })),
        },
        {
          q: { project: 'p', from, to, bucketMs: MINUTE_MS, groupBy: ['model', 'span_type'], filter: { span_type: 'llm_call' } },
          expected: expectedRollup(inRange(from, to).filter((s) => s.span_type === 'llm_call'), MINUTE_MS, ['model', 'span_type']),
        },
        {
          q: { project: 'p', from: T0, to: T0 + 3 * HOUR_MS, bucketMs: HOUR_MS, groupBy: ['agent'], filter: { decision: 'answer' } },
          expected: expectedRollup(spans.filter((s) => s.decision_made === 'answer'), HOUR_MS, ['agent_id']),
        },
        {
          q: { project: 'p', from, to, bucketMs: 5 * MINUTE_MS, groupBy: ['provider'], filter: {}, histogram: false },
          expected: expectedRollup(inRange(Math.floor(from / (5 * MINUTE_MS)) * 5 * MINUTE_MS, to), 5 * MINUTE_MS, ['provider']).map((r) => ({ ...r, latency_hist: [] })),
        },
        { q: { project: 'nobody', from, to, bucketMs: MINUTE_MS, groupBy: ['agent'], filter: {} }, expected: [] },
      ];
      const got = await store.alertRollups(queries.map((x) => x.q));
      expect(got.length).toBe(queries.length);
      for (const [i, { q, expected }] of queries.entries()) {
        const viaRollup = await store.rollup(q);
        expectRowsEqual(viaRollup, expected);
        expectRowsEqual(viaRollup, merged(got[i]!));
      }
      // Wider buckets and collapsed ranges are summed by the store: one row per bucket × group.
      const collapsed: RollupQuery = { project: 'p', from, to, bucketMs: MINUTE_MS, groupBy: ['agent'], filter: {}, histogram: false, collapse: true };
      const [wide, total] = await store.alertRollups([queries[3]!.q, collapsed]);
      expectRowsEqual(await store.rollup(queries[3]!.q), wide!);
      expectRowsEqual(await store.rollup(collapsed), total!);
      expect(total!.map((r) => r.bucket)).toEqual([from, from, from]);
      expect(await store.alertRollups([])).toEqual([]);
      await expect(store.alertRollups([{ ...queries[0]!.q, bucketMs: 90_000 }])).rejects.toMatchObject({ code: 'QUERY_INVALID' });
      await store.close();
    });
  });
}
