// DuckDB SQL for the alert engine: keyed JSON documents (rules, states, silences, deliveries), the
// append-only alert history, and the engine's rollup reads of a tick (alertRollups). Called by
// DuckDbEngine on its writer/reader connections.

import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { SightlineError } from '../../model/errors.js';
import { HOUR_MS, MINUTE_MS, floorToBucket } from '../rollup.js';
import type { AlertEventQuery, AlertEventRecord, AlertRecord, AlertRecordKind, RollupQuery, RollupRow } from '../store.js';
import { runPrepared } from './prepared.js';
import { dimensionColumn, filterConditions } from './dimension-sql.js';
import { queryRows } from './read-queries.js';
import { HIST_COLUMNS, ROLLUP_SUM_COLUMNS } from './schema.js';
import { numberColumn, numberOrZero, rollupRowAt } from './vector-read.js';

export async function putAlertRecords(conn: DuckDBConnection, kind: AlertRecordKind, records: AlertRecord[]): Promise<void> {
  if (records.length === 0) return;
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const r of records) {
      await conn.run(
        `INSERT INTO alert_records (kind, project, id, updated_at, body) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (kind, project, id) DO UPDATE SET updated_at = excluded.updated_at, body = excluded.body`,
        [kind, r.project, r.id, BigInt(Math.floor(r.updated_at)), JSON.stringify(r.body)],
      );
    }
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK');
    throw err;
  }
}

export async function listAlertRecords(conn: DuckDBConnection, kind: AlertRecordKind, project?: string): Promise<AlertRecord[]> {
  const rows =
    project === undefined
      ? await queryRows(conn, 'SELECT * FROM alert_records WHERE kind = ? ORDER BY project, id', [kind])
      : await queryRows(conn, 'SELECT * FROM alert_records WHERE kind = ? AND project = ? ORDER BY id', [kind, project]);
  return rows.map((r) => ({
    project: r.project as string,
    id: r.id as string,
    updated_at: r.updated_at as number,
    body: JSON.parse(r.body as string) as Record<string, unknown>,
  }));
}

export async function deleteAlertRecord(conn: DuckDBConnection, kind: AlertRecordKind, project: string, id: string): Promise<boolean> {
  const r = await conn.run('DELETE FROM alert_records WHERE kind = ? AND project = ? AND id = ?', [kind, project, id]);
  return r.rowsChanged > 0;
}

export async function pruneAlertRecords(conn: DuckDBConnection, kind: AlertRecordKind, before: number): Promise<number> {
  const r = await conn.run('DELETE FROM alert_records WHERE kind = ? AND updated_at < ?', [kind, BigInt(Math.floor(before))]);
  return r.rowsChanged;
}

export async function appendAlertEvents(conn: DuckDBConnection, events: AlertEventRecord[]): Promise<void> {
  if (events.length === 0) return;
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const e of events) {
      await conn.run('INSERT INTO alert_events (project, id, "at", alert_id, rule_id, kind, body) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        e.project,
        e.id,
        BigInt(Math.floor(e.at)),
        e.alert_id,
        e.rule_id,
        e.kind,
        JSON.stringify(e.body),
      ]);
    }
    await conn.run('COMMIT');
  } catch (err) {
    await conn.run('ROLLBACK');
    throw err;
  }
}

export async function listAlertEvents(conn: DuckDBConnection, q: AlertEventQuery): Promise<AlertEventRecord[]> {
  const where = ['project = ?'];
  const params: (string | bigint)[] = [q.project];
  const add = (sql: string, value: string | bigint) => {
    where.push(sql);
    params.push(value);
  };
  if (q.from !== undefined) add('"at" >= ?', BigInt(Math.floor(q.from)));
  if (q.to !== undefined) add('"at" < ?', BigInt(Math.floor(q.to)));
  if (q.alert_id !== undefined) add('alert_id = ?', q.alert_id);
  if (q.rule_id !== undefined) add('rule_id = ?', q.rule_id);
  const rows = await queryRows(
    conn,
    `SELECT * FROM alert_events WHERE ${where.join(' AND ')} ORDER BY "at" DESC, id DESC LIMIT ${Math.max(0, Math.floor(q.limit))}`,
    params,
  );
  return rows.map((r) => ({
    project: r.project as string,
    id: r.id as string,
    at: r.at as number,
    alert_id: r.alert_id as string,
    rule_id: r.rule_id as string,
    kind: r.kind as string,
    body: JSON.parse(r.body as string) as Record<string, unknown>,
  }));
}

// ---- The engine's rollup reads (Store.alertRollups) ----
// A tick makes the same few reads every time with new bounds, and the engine sums whatever rows it
// gets. readRollup's per-call statement parsing, hash aggregate, ORDER BY and row-value conversion
// were most of a tick's cost (bench:alerts): here each shape is prepared once per connection, stored
// rows come back as they are, and figures are read straight from the result's column vectors.

/** The figures of RollupRow in its order (after bucket and groups), then the histogram's: the table's sum columns. */
const FIGURES = ROLLUP_SUM_COLUMNS;

/**
 * The SQL of one alertRollups query. Reads of whole stored buckets (a minute of rollup_minute, an
 * hour of rollup_hour) return the stored rows as they are: no hash aggregate, whose fixed cost with
 * 75 sums was most of a tick's DuckDB time. Other widths and collapsed ranges sum, as readRollup does.
 */
function alertRollupStatement(q: RollupQuery): { sql: string; params: DuckDBValue[]; groups: number; hist: number; stored: boolean } {
  if (!Number.isInteger(q.bucketMs) || q.bucketMs <= 0 || q.bucketMs % MINUTE_MS !== 0) {
    throw new SightlineError('QUERY_INVALID', `bucketMs must be a positive multiple of 60000, got ${q.bucketMs}`);
  }
  if (q.filter.errors_only) throw new SightlineError('QUERY_INVALID', 'errors_only is not available on rollups; read the errors column');
  const table = q.bucketMs % HOUR_MS === 0 ? 'rollup_hour' : 'rollup_minute';
  const hist = q.histogram === false ? [] : HIST_COLUMNS;
  const groups = q.groupBy.map(dimensionColumn);
  const where = ['project = ?', 'bucket >= ?', 'bucket < ?'];
  const from = floorToBucket(q.from, q.bucketMs);
  const params: DuckDBValue[] = [q.project, BigInt(from), BigInt(Math.ceil(q.to))];
  filterConditions(q.filter, where, params);
  const stored = !q.collapse && (q.bucketMs === MINUTE_MS || q.bucketMs === HOUR_MS);
  // The bucket width and a collapsed range's start are integers we computed, not user input.
  const bucket = stored ? 'bucket' : q.collapse ? `${from}` : `(bucket // ${q.bucketMs}) * ${q.bucketMs}`;
  // Stored histogram counts are INTEGERs, which the client already reads as numbers; BIGINTs and
  // sums (HUGEINT) would arrive as BigInts.
  const figureSql = (f: string) => (!stored ? `sum(${f})::DOUBLE` : f.startsWith('h') ? f : `${f}::DOUBLE`);
  const select = [`(${bucket})::DOUBLE`, ...groups, ...FIGURES.map(figureSql), ...hist.map(figureSql)];
  const groupBy = stored ? '' : ` GROUP BY ${[bucket, ...groups].map((_, i) => i + 1).join(', ')}${q.collapse ? ' HAVING sum(count) > 0' : ''}`;
  const sql = `SELECT ${select.join(', ')} FROM ${table} WHERE ${where.join(' AND ')}${groupBy}`;
  return { sql, params, groups: groups.length, hist: hist.length, stored };
}

/** latency_hist of rows read without the histogram: one shared, frozen array (thousands of rows a tick). */
const NO_HISTOGRAM: number[] = Object.freeze([]) as unknown as number[];

/** Rows from the result's column vectors, numbers read in bulk (vector-read.ts). */
async function readAlertRollup(conn: DuckDBConnection, q: RollupQuery): Promise<RollupRow[]> {
  const { sql, params, groups, hist, stored } = alertRollupStatement(q);
  const result = await runPrepared(conn, sql, params);
  const rows: RollupRow[] = [];
  const s = groups + 1;
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    const bucket = numberColumn(chunk, 0, 'double');
    const groupColumns = Array.from({ length: groups }, (_, i) => chunk.getColumnVector(1 + i));
    const f = Array.from({ length: FIGURES.length }, (_, i) => numberColumn(chunk, s + i, 'double'));
    // Stored histogram counts are INTEGERs; sums of them DOUBLEs (see alertRollupStatement).
    const h = Array.from({ length: hist }, (_, i) => numberColumn(chunk, s + FIGURES.length + i, stored ? 'integer' : 'double'));
    for (let r = 0; r < chunk.rowCount; r++) {
      const group: (string | null)[] = [];
      for (const g of groupColumns) group.push(g.getItem(r) as string | null);
      let latency_hist = NO_HISTOGRAM;
      if (hist > 0) {
        latency_hist = new Array<number>(hist);
        for (let i = 0; i < hist; i++) latency_hist[i] = numberOrZero(h[i]!, r);
      }
      rows.push(rollupRowAt(numberOrZero(bucket, r), group, f, r, latency_hist));
    }
  }
  return rows;
}

/**
 * Each query's rollup rows, in no particular order and, for whole stored buckets, possibly split
 * (see Store.alertRollups); one connection, one query after another.
 */
export async function readAlertRollups(conn: DuckDBConnection, queries: readonly RollupQuery[]): Promise<RollupRow[][]> {
  const out: RollupRow[][] = [];
  for (const q of queries) out.push(await readAlertRollup(conn, q));
  return out;
}
