// Alert persistence on ClickHouse: documents (rules, states, silences, deliveries) live in the
// shared docs table (documents.ts); the history is an append-only MergeTree.

import type { AlertEventQuery, AlertEventRecord, AlertRecord, AlertRecordKind } from '../store.js';
import type { Connection } from './connection.js';
import { alertCollection, alertRecordDoc, alertRecordOf, type Documents } from './documents.js';
import { int, ms, str } from './sql.js';

export function createAlertQueries(conn: Connection, docs: Documents, eventsTable: string) {
  return {
    async putAlertRecords(kind: AlertRecordKind, records: AlertRecord[]): Promise<void> {
      await docs.put(alertCollection(kind), records.map(alertRecordDoc));
    },
    async listAlertRecords(kind: AlertRecordKind, project?: string): Promise<AlertRecord[]> {
      return (await docs.list(alertCollection(kind), project === undefined ? {} : { project })).map(alertRecordOf);
    },
    async deleteAlertRecord(kind: AlertRecordKind, project: string, id: string): Promise<boolean> {
      const found = await docs.list(alertCollection(kind), { project, id });
      if (found.length === 0) return false;
      await docs.put(alertCollection(kind), [{ project, id, updated_at: found[0]!.updated_at, body: '{}', deleted: true }]);
      return true;
    },
    async pruneAlertRecords(kind: AlertRecordKind, before: number): Promise<number> {
      const stale = (await docs.list(alertCollection(kind))).filter((d) => d.updated_at < before);
      await docs.put(alertCollection(kind), stale.map((d) => ({ project: d.project, id: d.id, updated_at: d.updated_at, body: '{}', deleted: true })));
      return stale.length;
    },
    async appendAlertEvents(events: AlertEventRecord[]): Promise<void> {
      await conn.insert(
        eventsTable,
        events.map((e) => ({ ...e, at: Math.floor(e.at), body: JSON.stringify(e.body) })),
      );
    },
    async listAlertEvents(q: AlertEventQuery): Promise<AlertEventRecord[]> {
      const where = [`project = ${str(q.project)}`];
      if (q.from !== undefined) where.push(`at >= ${ms(q.from)}`);
      if (q.to !== undefined) where.push(`at < ${ms(q.to)}`);
      if (q.alert_id !== undefined) where.push(`alert_id = ${str(q.alert_id)}`);
      if (q.rule_id !== undefined) where.push(`rule_id = ${str(q.rule_id)}`);
      const rows = await conn.rows<Omit<AlertEventRecord, 'body'> & { body: string }>(
        `SELECT project, id, at, alert_id, rule_id, kind, body FROM ${eventsTable}
          WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT ${int(Math.max(0, Math.floor(q.limit)))}`,
      );
      return rows.map((r) => ({ ...r, at: Number(r.at), body: JSON.parse(r.body) as Record<string, unknown> }));
    },
  };
}
