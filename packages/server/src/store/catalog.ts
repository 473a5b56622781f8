// The catalog slice of the Store contract: projects, API keys and Idempotency-Key records (the
// small documents ingest and auth look up). Checked by store.case.ts.

/** A request's Idempotency-Key (scoped by project) and the response it got. */
export interface IdempotencyRecord {
  key: string;
  response: string;
  created_at: number;
}

/** annotate: read, plus scoring traces by hand (reviewers); between read and admin. */
export type Scope = 'ingest' | 'read' | 'annotate' | 'admin';

export interface ApiKeyRecord {
  id: string;
  project: string;
  /** sha256 hex of the secret; the secret itself is never stored. */
  hash: string;
  /** First characters of the secret, to tell keys apart in listings. */
  prefix: string;
  scopes: Scope[];
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

export interface Catalog {
  /** Idempotency records written since `since` (ms), oldest first, to rebuild the in-memory cache at start. */
  recentIdempotency?(since: number): Promise<IdempotencyRecord[]>;
  /**
   * The first record of `key` (an IdempotencyRecord.key) written since `since` (ms), or null: for a
   * retry whose key the in-memory cache lacks (another node took the first attempt, or the cache
   * dropped the key for space).
   * @example const first = await store.findIdempotency?.(scopedKey(project, key), now - IDEMPOTENCY_TTL_MS);
   */
  findIdempotency?(key: string, since: number): Promise<IdempotencyRecord | null>;

  listProjects(): Promise<string[]>;
  createProject(name: string): Promise<void>;
  putApiKey(key: ApiKeyRecord): Promise<void>;
  findApiKeyByHash(hash: string): Promise<ApiKeyRecord | null>;
  listApiKeys(project?: string): Promise<ApiKeyRecord[]>;
  revokeApiKey(id: string, at: number): Promise<boolean>;
}
