// Projects and API keys (admin scope). An admin key manages its own project; the instance
// admin (an admin key of the "default" project, created at first start) manages every project.

import type { Hono } from 'hono';
import type { ApiKeyRecord, Scope } from '../../store/store.js';
import { keyRecordFor, newKeySecret, SCOPES } from '../auth.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { fail } from '../respond.js';

export const DEFAULT_PROJECT = 'default';
const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** An admin key of the default project: manages every project and sees instance-wide figures. */
export const isInstanceAdmin = (k: ApiKeyRecord) => k.project === DEFAULT_PROJECT && k.scopes.includes('admin');

export function publicKey(k: ApiKeyRecord) {
  return { id: k.id, project: k.project, prefix: k.prefix, scopes: k.scopes, created_at: k.created_at, expires_at: k.expires_at, revoked_at: k.revoked_at };
}

/** The last millisecond of year 9999: later expiries are typos (seconds × 1000 twice, 1e300). */
const MAX_EXPIRES_AT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Why `value` is not a usable expiry at `now`, or null. */
function expiresAtProblem(value: unknown, now: number): string | null {
  if (typeof value !== 'number' || !Number.isInteger(value)) return `must be epoch milliseconds (a whole number), got ${JSON.stringify(value)}`;
  if (value > MAX_EXPIRES_AT) return `${value} is after the year 9999 (the limit is ${MAX_EXPIRES_AT} ms)`;
  if (value <= now) return `${value} has already passed (now is ${now} ms); a key must expire in the future`;
  return null;
}

export function registerKeyRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const admin = requireScope(deps.auth, 'admin');

  app.get('/api/projects', admin, async (c) => {
    const all = await deps.store.listProjects();
    const key = c.get('key');
    return c.json({ projects: isInstanceAdmin(key) ? all : all.filter((p) => p === key.project) });
  });

  app.post('/api/keys', admin, async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return fail(c, 400, 'bad_request', 'body must be JSON: {"project": "...", "scopes": ["ingest"|"read"|"annotate"|"admin"], "expires_at"?: ms}');
    }
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const key = c.get('key');
    const project = b.project ?? key.project;
    if (typeof project !== 'string' || !PROJECT_NAME.test(project)) {
      return fail(c, 400, 'bad_request', 'project: must be 1-63 characters of a-z, 0-9, "_" or "-", starting with a letter or digit');
    }
    if (project !== key.project && !isInstanceAdmin(key)) {
      return fail(c, 403, 'forbidden', `this admin key belongs to project "${key.project}" and cannot create keys for "${project}"`);
    }
    const scopes = b.scopes;
    if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => SCOPES.includes(s as Scope))) {
      return fail(c, 400, 'bad_request', `scopes: must be a non-empty list of ${SCOPES.join(', ')}`);
    }
    const expires = b.expires_at;
    const expiryProblem = expires === undefined || expires === null ? null : expiresAtProblem(expires, deps.clock());
    if (expiryProblem !== null) return fail(c, 400, 'bad_request', `expires_at: ${expiryProblem}`);
    const projects = await deps.store.listProjects();
    if (!projects.includes(project)) await deps.store.createProject(project);
    const secret = newKeySecret();
    const record = keyRecordFor(secret, project, [...new Set(scopes as Scope[])], deps.clock(), (expires as number | undefined) ?? null);
    await deps.store.putApiKey(record);
    return c.json({ ...publicKey(record), key: secret }, 201);
  });

  app.get('/api/keys', admin, async (c) => {
    const key = c.get('key');
    const keys = await deps.store.listApiKeys(isInstanceAdmin(key) ? undefined : key.project);
    return c.json({ keys: keys.map(publicKey) });
  });

  app.delete('/api/keys/:id', admin, async (c) => {
    const key = c.get('key');
    const id = c.req.param('id');
    const target = (await deps.store.listApiKeys(isInstanceAdmin(key) ? undefined : key.project)).find((k) => k.id === id);
    if (!target) return fail(c, 404, 'not_found', `API key ${id} not found`);
    if (target.revoked_at !== null) {
      return fail(c, 409, 'conflict', `API key ${id} was already revoked at ${new Date(target.revoked_at).toISOString()}`);
    }
    await deps.store.revokeApiKey(id, deps.clock());
    deps.auth.invalidate();
    return c.json({ revoked: id });
  });
}
