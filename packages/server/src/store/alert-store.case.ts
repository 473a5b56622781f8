// Conformance cases for the Store's alert persistence, run by each backend's test file.

import { describe, expect, it } from 'vitest';
import type { Store } from './store.js';

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
}
