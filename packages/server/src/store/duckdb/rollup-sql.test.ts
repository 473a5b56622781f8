import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { bucketBounds, bucketIndex } from '../latency-sketch.js';
import { LATENCY_BUCKETS } from '../latency-sketch.js';
import { LATENCY_BUCKET_SQL } from './rollup-sql.js';

describe('latency bucket in SQL', () => {
  it('puts every value in the same bucket as bucketIndex, edges and their neighbours included', async () => {
    const values = [0, 0.3, 0.999, -5, 1_000_000, 600_000, 599_999.99];
    for (let i = 1; i < LATENCY_BUCKETS; i++) {
      const edge = bucketBounds(i)[0];
      values.push(edge, edge * (1 + 1e-15), edge * (1 - 1e-15), edge * 1.1);
    }
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run('CREATE TABLE t (i INTEGER, latency_ms DOUBLE)');
    const appender = await conn.createAppender('t');
    values.forEach((v, i) => {
      appender.appendInteger(i);
      appender.appendDouble(v);
      appender.endRow();
    });
    appender.closeSync();
    const rows = (await conn.runAndReadAll(`SELECT i, ${LATENCY_BUCKET_SQL} AS b FROM t ORDER BY i`)).getRows();
    expect(rows.map((r) => Number(r[1]))).toEqual(values.map((v) => bucketIndex(v)));
    conn.closeSync();
    db.closeSync();
  });
});
