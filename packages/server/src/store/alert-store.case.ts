// Conformance cases for the Store's alert persistence, run by each backend's test file.

import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from './rollup.js';
import { expectedRollup, expectRowsEqual, fleetSpans } from './store.case.js';
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
