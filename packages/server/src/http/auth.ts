// API keys: random secrets shown once, stored as sha256 hashes, scoped, revocable, expiring.
// Lookups are cached briefly so auth costs no store round trip on the hot ingest path.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord, Scope } from '../store/store.js';
import type { Catalog } from '../store/catalog.js';

export const SCOPES: readonly Scope[] = ['ingest', 'read', 'annotate', 'admin'];

export function hashKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function newKeySecret(): string {
  return `sl_${randomBytes(24).toString('base64url')}`;
}

export function keyRecordFor(secret: string, project: string, scopes: Scope[], now: number, expiresAt: number | null = null): ApiKeyRecord {
  return {
    id: randomBytes(6).toString('hex'),
    project,
    hash: hashKey(secret),
    prefix: secret.slice(0, 10),
    scopes,
    created_at: now,
    expires_at: expiresAt,
    revoked_at: null,
  };
}

/** Admin keys may do everything; annotate includes read; read and ingest are separate. */
export function keyAllows(key: ApiKeyRecord, scope: Scope): boolean {
  return key.scopes.includes('admin') || key.scopes.includes(scope) || (scope === 'read' && key.scopes.includes('annotate'));
}

export type AuthResult = { status: 'ok'; key: ApiKeyRecord } | { status: 'unauthenticated'; message: string };

export interface Authenticator {
  authenticate(secret: string | undefined): Promise<AuthResult>;
  /** Drops cached lookups (after a revocation) and tells the listeners (live streams check their key). */
  invalidate(): void;
  /** Calls `listener` after each invalidate(); returns the unsubscribe function. */
  onInvalidate(listener: () => void): () => void;
}

const CACHE_MS = 5_000;

export function createAuthenticator(store: Catalog, clock: () => number = Date.now): Authenticator {
  const cache = new Map<string, { record: ApiKeyRecord | null; until: number }>();
  const listeners = new Set<() => void>();
  return {
    async authenticate(secret) {
      if (!secret) return { status: 'unauthenticated', message: 'missing API key: send "Authorization: Bearer <key>"' };
      const hash = hashKey(secret);
      const now = clock();
      let hit = cache.get(hash);
      if (!hit || hit.until < now) {
        hit = { record: await store.findApiKeyByHash(hash), until: now + CACHE_MS };
        if (cache.size > 10_000) cache.clear();
        cache.set(hash, hit);
      }
      const record = hit.record;
      // The store matched on the hash already; compare again in constant time as defence in depth.
      if (!record || !timingSafeEqual(Buffer.from(record.hash, 'hex'), Buffer.from(hash, 'hex'))) {
        return { status: 'unauthenticated', message: 'invalid API key' };
      }
      if (record.revoked_at !== null) return { status: 'unauthenticated', message: 'API key has been revoked' };
      if (record.expires_at !== null && record.expires_at <= now) {
        return { status: 'unauthenticated', message: 'API key has expired' };
      }
      return { status: 'ok', key: record };
    },
    invalidate() {
      cache.clear();
      for (const listener of listeners) listener();
    },
    onInvalidate(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The key from `Authorization: Bearer …` or `x-sightline-key` (handy for OTel exporters). */
export function keyFromHeaders(get: (name: string) => string | undefined): string | undefined {
  const auth = get('authorization');
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1];
  }
  return get('x-sightline-key') ?? undefined;
}
