// Conformance suite for the Store's Export block: every backend's test calls runExportConformance.
// Pages must cover every matching span exactly once, in (timestamp, trace_id, span_id) order.

import { describe, expect, it } from 'vitest';
import { makeSpan } from './store.case.js';
import type { ExportCursor, Store } from './store.js';

const T0 = Date.UTC(2026, 0, 1);

export function runExportConformance(name: string, newStore: () => Promise<Store>): void {
  describe(`${name}: export`, () => {
    it('pages through ties on timestamp without skipping or repeating, filtered by project, range and agent', async () => {
      const store = await newStore();
      try {
        const spans = Array.from({ length: 25 }, (_, i) =>
          makeSpan({ project: 'default', timestamp: T0 + Math.floor(i / 4) * 1000, trace_id: `t${i % 3}`, span_id: `s${String(i).padStart(2, '0')}`, agent_id: i % 5 === 0 ? 'five' : 'bot' }),
        );
        await store.append([...spans, makeSpan({ project: 'other', timestamp: T0 }), makeSpan({ project: 'default', timestamp: T0 + 100_000 })]);
        const q = { project: 'default', from: T0, to: T0 + 10_000 };
        const seen: string[] = [];
        let after: ExportCursor | null = null;
        for (;;) {
          const page = await store.exportSpans(q, after, 4);
          seen.push(...page.map((s) => s.span_id));
          const last = page[page.length - 1];
          if (page.length < 4 || last === undefined) break;
          after = { timestamp: last.timestamp, trace_id: last.trace_id, span_id: last.span_id };
        }
        const expected = [...spans].sort((a, b) => a.timestamp - b.timestamp || a.trace_id.localeCompare(b.trace_id) || a.span_id.localeCompare(b.span_id));
        expect(seen).toEqual(expected.map((s) => s.span_id));
        const five = await store.exportSpans({ ...q, agent: 'five' }, null, 100);
        expect(five.map((s) => s.span_id)).toEqual(['s00', 's05', 's10', 's15', 's20']);
        expect(five[0]).toEqual(spans[0]);
      } finally {
        await store.close();
      }
    });
  });
}
