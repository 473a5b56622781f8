// DuckDB SQL for alert persistence: keyed JSON documents (rules, states, silences, deliveries)
// and the append-only alert history. Called by DuckDbEngine on its writer/reader connections.

import type { DuckDBConnection } from '@duckdb/node-api';
import type { AlertEventQuery, AlertEventRecord, AlertRecord, AlertRecordKind } from '../store.js';
import { queryRows } from './read-queries.js';

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
