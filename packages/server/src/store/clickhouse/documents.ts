// Small mutable records on an append-only engine: projects, API keys and alert documents are rows
// of one ReplacingMergeTree keyed by (collection, project, id). Every write adds a row with a
// higher version; readers take argMax by version, so the result is right before merges too, and
// deletes are tombstones (deleted = 1).

import type { AlertRecord, ApiKeyRecord } from '../store.js';
import type { Connection } from './connection.js';
import { str } from './sql.js';

export interface StoredDoc {
  project: string;
  id: string;
  updated_at: number;
  body: string;
}

export interface DocWrite {
  project: string;
  id: string;
  lookup?: string;
  updated_at: number;
  body: string;
  deleted?: boolean;
}

export interface Documents {
  /** Current (not deleted) documents, ordered by project then id. */
  list(collection: string, where?: { project?: string; id?: string; lookup?: string }): Promise<StoredDoc[]>;
  put(collection: string, docs: DocWrite[]): Promise<void>;
}

/**
 * Versions must grow across writes of this process and, as far as clocks allow, across nodes:
 * microseconds of wall time, bumped when two writes land in the same microsecond.
 */
function createVersionClock(): () => number {
  let last = 0;
  return () => {
    last = Math.max(last + 1, Date.now() * 1000);
    return last;
  };
}

export function createDocuments(conn: Connection, table: string): Documents {
  const nextVersion = createVersionClock();
  return {
    async list(collection, where = {}) {
      const conditions = [`collection = ${str(collection)}`];
      if (where.project !== undefined) conditions.push(`project = ${str(where.project)}`);
      if (where.id !== undefined) conditions.push(`id = ${str(where.id)}`);
      const having = ['cur_deleted = 0'];
      if (where.lookup !== undefined) having.push(`cur_lookup = ${str(where.lookup)}`);
      const rows = await conn.lookup<{ project: string; id: string; cur_updated: number; cur_body: string }>(
        `SELECT project, id, argMax(body, version) AS cur_body, argMax(deleted, version) AS cur_deleted,
            argMax(updated_at, version) AS cur_updated, argMax(lookup, version) AS cur_lookup
          FROM ${table} WHERE ${conditions.join(' AND ')}
          GROUP BY project, id HAVING ${having.join(' AND ')} ORDER BY project, id`,
      );
      return rows.map((r) => ({ project: r.project, id: r.id, updated_at: Number(r.cur_updated), body: r.cur_body }));
    },
    async put(collection, docs) {
      await conn.insert(
        table,
        docs.map((d) => ({
          collection,
          project: d.project,
          id: d.id,
          lookup: d.lookup ?? '',
          version: nextVersion(),
          deleted: d.deleted ? 1 : 0,
          updated_at: Math.floor(d.updated_at),
          body: d.body,
        })),
      );
    },
  };
}

// ---- Records kept as documents ----

export const PROJECTS = 'project';
export const API_KEYS = 'api_key';
export const alertCollection = (kind: string): string => `alert:${kind}`;

export function apiKeyDoc(key: ApiKeyRecord): DocWrite {
  return { project: '', id: key.id, lookup: key.hash, updated_at: key.created_at, body: JSON.stringify(key) };
}

export function apiKeyOf(doc: StoredDoc): ApiKeyRecord {
  return JSON.parse(doc.body) as ApiKeyRecord;
}

export function alertRecordDoc(r: AlertRecord): DocWrite {
  return { project: r.project, id: r.id, updated_at: r.updated_at, body: JSON.stringify(r.body) };
}

export function alertRecordOf(doc: StoredDoc): AlertRecord {
  return { project: doc.project, id: doc.id, updated_at: doc.updated_at, body: JSON.parse(doc.body) as Record<string, unknown> };
}

