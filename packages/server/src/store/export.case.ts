// Conformance suite for the Store's Export block: every backend's test calls runExportConformance.
// Pages must cover every matching span exactly once, in (timestamp, trace_id, span_id) order.
// Parquet is a capability each backend declares: written exactly, or refused with NOT_SUPPORTED.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { makeSpan } from './store.case.js';
import type { ExportCursor, Store } from './store.js';

const T0 = Date.UTC(2026, 0, 1);

export interface ExportCapabilities {
  /** false: exportParquet must reject with NOT_SUPPORTED naming Parquet (ClickHouse 18.16 has no Parquet output). */
  parquet: boolean;
}

export function runExportConformance(name: string, newStore: () => Promise<Store>, capabilities: ExportCapabilities): void {
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
        expect(await store.exportSpans(q, null, 0)).toEqual([]);
      } finally {
        await store.close();
      }
    });

    const parquetCase = capabilities.parquet
      ? 'writes the matching spans to a Parquet file, in export order'
      : 'refuses Parquet with NOT_SUPPORTED, naming the format';
    it(parquetCase, async () => {
      const store = await newStore();
      const dir = mkdtempSync(join(tmpdir(), 'sightline-export-case-'));
      const file = join(dir, 'spans.parquet');
      try {
        const spans = Array.from({ length: 7 }, (_, i) => makeSpan({ project: 'default', timestamp: T0 + (i % 3) * 1000, span_id: `p${i}`, agent_id: i < 5 ? 'bot' : 'other' }));
        await store.append([...spans, makeSpan({ project: 'other', timestamp: T0, span_id: 'x' })]);
        const q = { project: 'default', from: T0, to: T0 + 10_000, agent: 'bot' };
        if (!capabilities.parquet) {
          const err = await store.exportParquet(q, file).then(() => null, (e: unknown) => e as { code: string; message: string });
          expect(err?.code).toBe('NOT_SUPPORTED');
          expect(err?.message).toMatch(/Parquet/);
          return;
        }
        expect(await store.exportParquet(q, file)).toEqual({ rows: 5 });
        const bytes = readFileSync(file);
        expect([bytes.subarray(0, 4).toString(), bytes.subarray(-4).toString()]).toEqual(['PAR1', 'PAR1']);
        const db = await DuckDBInstance.create(':memory:');
        const conn = await db.connect();
        const rows = (await conn.runAndReadAll(`SELECT span_id, timestamp FROM '${file}'`)).getRowObjectsJS();
        conn.closeSync();
        db.closeSync();
        const expected = spans.filter((s) => s.agent_id === 'bot').sort((a, b) => a.timestamp - b.timestamp || a.span_id.localeCompare(b.span_id));
        expect(rows).toEqual(expected.map((s) => ({ span_id: s.span_id, timestamp: BigInt(s.timestamp) })));
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
