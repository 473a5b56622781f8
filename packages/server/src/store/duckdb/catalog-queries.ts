// DuckDB SQL for the store's small keyed tables: projects, API keys (hashes only) and the
// Idempotency-Key records of acknowledged requests. Called by duckdb-engine.ts on its read or
// write connection.

import type { DuckDBConnection } from '@duckdb/node-api';
import type { ApiKeyRecord, IdempotencyRecord, Scope } from '../store.js';
import { queryRows } from './read-queries.js';

const toIdempotency = (r: Record<string, unknown>): IdempotencyRecord => ({
  key: r.key as string,
  response: r.response as string,
  created_at: r.created_at as number,
});

export async function recentIdempotency(conn: DuckDBConnection, since: number): Promise<IdempotencyRecord[]> {
  const rows = await queryRows(conn, 'SELECT key, response, created_at FROM ingest_keys WHERE created_at >= ? ORDER BY created_at, key', [BigInt(since)]);
  return rows.map(toIdempotency);
}

/** A scan of ingest_keys (a day of keys; no index, which would cost every append). */
export async function findIdempotency(conn: DuckDBConnection, key: string, since: number): Promise<IdempotencyRecord | null> {
  const rows = await queryRows(
    conn,
    'SELECT key, response, created_at FROM ingest_keys WHERE key = ? AND created_at >= ? ORDER BY created_at LIMIT 1',
    [key, BigInt(Math.floor(since))],
  );
  return rows[0] === undefined ? null : toIdempotency(rows[0]);
}

export async function listProjects(conn: DuckDBConnection): Promise<string[]> {
  const rows = await queryRows(conn, 'SELECT name FROM projects ORDER BY name');
  return rows.map((r) => r.name as string);
}

export async function createProject(conn: DuckDBConnection, name: string, now: number): Promise<void> {
  await conn.run('INSERT INTO projects (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING', [name, BigInt(now)]);
}

export async function putApiKey(conn: DuckDBConnection, key: ApiKeyRecord): Promise<void> {
  const opt = (v: number | null): bigint | null => (v === null ? null : BigInt(v));
  await conn.run(
    `INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET
      project = excluded.project, hash = excluded.hash, prefix = excluded.prefix,
      scopes = excluded.scopes, created_at = excluded.created_at,
      expires_at = excluded.expires_at, revoked_at = excluded.revoked_at`,
    [key.id, key.project, key.hash, key.prefix, JSON.stringify(key.scopes), BigInt(key.created_at), opt(key.expires_at), opt(key.revoked_at)],
  );
}

export async function findApiKeyByHash(conn: DuckDBConnection, hash: string): Promise<ApiKeyRecord | null> {
  const rows = await queryRows(conn, 'SELECT * FROM api_keys WHERE hash = ?', [hash]);
  return rows[0] === undefined ? null : toApiKey(rows[0]);
}

export async function listApiKeys(conn: DuckDBConnection, project?: string): Promise<ApiKeyRecord[]> {
  const rows =
    project === undefined
      ? await queryRows(conn, 'SELECT * FROM api_keys ORDER BY created_at, id')
      : await queryRows(conn, 'SELECT * FROM api_keys WHERE project = ? ORDER BY created_at, id', [project]);
  return rows.map(toApiKey);
}

export async function revokeApiKey(conn: DuckDBConnection, id: string, at: number): Promise<boolean> {
  const result = await conn.run('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [BigInt(at), id]);
  return result.rowsChanged > 0;
}

function toApiKey(r: Record<string, unknown>): ApiKeyRecord {
  return {
    id: r.id as string,
    project: r.project as string,
    hash: r.hash as string,
    prefix: r.prefix as string,
    scopes: JSON.parse(r.scopes as string) as Scope[],
    created_at: r.created_at as number,
    expires_at: (r.expires_at ?? null) as number | null,
    revoked_at: (r.revoked_at ?? null) as number | null,
  };
}
