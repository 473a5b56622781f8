// Spans encoded column by column, moved as postMessage moves them, and appended by DuckDB's
// appender come back field for field: nulls, empty strings, non-ASCII text, repeated and unique
// values, numbers at the edges of what validation lets through.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
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

/** Encodes `input`, moves it as postMessage does, appends it to a fresh file and runs `read` on it. */
async function appended<T>(input: Span[], read: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
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
    return await read(conn);
  } finally {
    conn.closeSync();
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

const roundTrip = (input: Span[], traceId: string): Promise<Span[]> => appended(input, (conn) => readTrace(conn, 'alpha', traceId));

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

  it('round-trips long text repeated across rows and chunks (entries copied, not assigned again)', async () => {
    const trace = 'trace-with-a-long-identifier-0123456789';
    const models = ['claude-sonnet-4-20250514', 'gpt-4o', null, 'claude-3-5-haiku-20241022'];
    const many = Array.from({ length: 5_000 }, (_, i) =>
      makeSpan({
        trace_id: trace,
        span_id: `span-${String(i).padStart(5, '0')}-of-a-long-trace`,
        timestamp: 1_700_000_000_000 + i,
        // Runs of five that cross the 2,048-row chunk edges, broken by nulls.
        parent_span_id: i % 3 === 0 ? null : `parent-span-long-${Math.floor(i / 5)}`,
        model: models[i % 4]!,
        // Alternating long values: never the same as the row before.
        user_id: i % 2 ? 'user-with-long-name-A' : 'user-with-long-name-B',
        session_id: 'session-long-identifier',
      }),
    );
    expect(await roundTrip(many, trace)).toEqual(many);
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

  it('keeps text of up to 12 UTF-8 bytes inline and longer text on the heap, side by side in one vector', async () => {
    // 12 and 13 bytes; 6 two-byte characters (12 bytes) and 7 (14 bytes, though 7 UTF-16 units);
    // a 4-byte emoji pair; empty; a dictionary value over 12 bytes next to short ones.
    const texts = ['abcdefghijkl', 'abcdefghijklm', 'éééééé', 'ééééééé', '🤖🤖🤖', '🤖🤖🤖🤖', '', 'x', 'claude-sonnet-4-20250514'];
    const edge = texts.map((t, i) =>
      makeSpan({ trace_id: 'edge', span_id: `e${i}`, timestamp: 1_700_000_000_000 + i, agent_id: t, model: t, session_id: t, user_id: i % 2 ? t : null, input: t }),
    );
    expect(await roundTrip(edge, 'edge')).toEqual(edge);
  });

  it('inline text filters and groups as the same text written in SQL', async () => {
    // user_id follows session_id in the table: its shorter value is written over the entry of a
    // longer one in the same scratch row.
    const rows = ['gpt-4o', 'gpt-4o', 'é', 'abcdefghijkl', 'abcdefghijklm', ''].map((m, i) =>
      makeSpan({ span_id: `q${i}`, model: m, session_id: 'abcdefghijkl', user_id: m.slice(0, 2) }),
    );
    await appended(rows, async (conn) => {
      const read = async (sql: string) => (await conn.runAndReadAll(sql)).getRows();
      expect(await read("SELECT count(*) FROM spans WHERE model = 'gpt-4o' AND user_id = 'gp'")).toEqual([[2n]]);
      expect(await read('SELECT user_id, count(*) FROM spans GROUP BY user_id ORDER BY user_id')).toEqual([['', 1n], ['ab', 2n], ['gp', 2n], ['é', 1n]]);
      expect(await read("SELECT count(*) FROM spans WHERE model = 'é' AND length(model) = 1 AND octet_length(encode(model)) = 2")).toEqual([[1n]]);
      expect(await read("SELECT count(*) FROM spans WHERE model = 'abcdefghijkl'")).toEqual([[1n]]);
      expect(await read("SELECT count(*) FROM spans WHERE model = ''")).toEqual([[1n]]);
      expect(await read('SELECT model, count(*) FROM spans GROUP BY model ORDER BY model')).toEqual([
        ['', 1n],
        ['abcdefghijkl', 1n],
        ['abcdefghijklm', 1n],
        ['gpt-4o', 2n],
        ['é', 1n],
      ]);
    });
  });
});
