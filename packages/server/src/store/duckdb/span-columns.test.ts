// Spans encoded column by column, moved as postMessage moves them, and appended by DuckDB's
// appender come back field for field: nulls, empty strings, non-ASCII text, repeated and unique
// values, numbers at the edges of what validation lets through.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { makeSpan } from '../store.case.js';
import type { Span } from '../../model/span.js';
import { readTrace } from './read-queries.js';
import { migrate } from './schema.js';
import { appendSpanColumns, encodeSpanColumns } from './span-columns.js';

const spans: Span[] = [
  makeSpan({ span_id: 's1', input: '', output: 'naïve café ☕ 日本語 🤖', attributes: { 'user.tier': 'gold', n: 3 } }),
  makeSpan({ span_id: 's2', parent_span_id: 's1', model: null, provider: null, cost_usd: null, confidence: null, decision_made: 'refund' }),
  makeSpan({ span_id: 's3', parent_span_id: 's1', error_type: 'timeout', error_message: 'upstream\nslow', session_id: '', user_id: 'u-😀' }),
  makeSpan({ span_id: 's4', parent_span_id: 's2', tokens_input: Number.MAX_SAFE_INTEGER, latency_ms: 0.125, cost_usd: 0, confidence: 1, name: '' }),
  makeSpan({ span_id: 's5', timestamp: 1, ingested_at: 2, decision_made: 'refund', attributes: {} }),
];

async function roundTrip(input: Span[], traceId: string): Promise<Span[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-span-columns-'));
  const path = join(dir, 'columns.duckdb');
  const db = await DuckDBInstance.create(path);
  const conn = await db.connect();
  try {
    await migrate(conn, path);
    const { columns, transfer } = encodeSpanColumns(input);
    const moved = structuredClone(columns, { transfer });
    const appender = await conn.createAppender('spans');
    appendSpanColumns(appender, moved, 1n);
    appender.closeSync();
    return await readTrace(conn, 'alpha', traceId);
  } finally {
    conn.closeSync();
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('span columns', () => {
  it('round-trips 5,000 spans across three data chunks, nulls and values alternating', async () => {
    const many = Array.from({ length: 5_000 }, (_, i) =>
      makeSpan({
        trace_id: 'big',
        span_id: `s${String(i).padStart(5, '0')}`,
        timestamp: 1_700_000_000_000 + i * 997,
        parent_span_id: i % 3 === 0 ? null : `p${i}`,
        model: i % 5 === 0 ? null : `m${i % 7}`,
        cost_usd: i % 4 === 0 ? null : i / 1000,
        tokens_output: i * 4_294_967,
        input: i % 2 === 0 ? null : 'x'.repeat(i % 50),
      }),
    );
    expect(await roundTrip(many, 'big')).toEqual(many);
  });

  it('round-trips every field through encode, transfer and append', async () => {
    const { columns, transfer } = encodeSpanColumns(spans);
    // Low-cardinality text travels once: 'refund' appears in two spans, one dictionary entry.
    expect(columns.dict.filter((v) => v === 'refund')).toEqual(['refund']);
    structuredClone(columns, { transfer });
    expect(columns.numbers.length).toBe(0); // the buffers were moved, not copied
    const back = await roundTrip(spans, 'trace-1');
    expect(back).toEqual([...spans].sort((a, b) => a.timestamp - b.timestamp || a.span_id.localeCompare(b.span_id)));
  });
});
