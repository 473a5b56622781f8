// `sightline keys …`: manage API keys. Opens the data directory directly when no server holds
// it; otherwise (DuckDB allows one process per file) goes through the running server's API.

import { keyRecordFor, newKeySecret, SCOPES } from '../http/auth.js';
import { publicKey } from '../http/routes/keys.js';
import { SightlineError } from '../model/errors.js';
import { openStore } from '../store/open-store.js';
import type { Scope, Store } from '../store/store.js';
import { storeConfigOf, type Config } from './config.js';
import { configFromFlags, type Flags } from './main.js';
import { parseDuration } from '../http/params.js';

type KeyAction =
  | { kind: 'create'; project: string; scopes: Scope[]; expiresAt: number | null }
  | { kind: 'list' }
  | { kind: 'revoke'; id: string };

function parseAction(rest: string[], flags: Flags): KeyAction {
  const [sub, arg] = rest;
  if (sub === 'create') {
    const scopes = flags.scope ?? [];
    if (scopes.length === 0) throw new SightlineError('CONFIG_INVALID', `keys create: --scope is required (${SCOPES.join(', ')})`);
    for (const s of scopes) {
      if (!SCOPES.includes(s as Scope)) throw new SightlineError('CONFIG_INVALID', `--scope: "${s}" is not one of ${SCOPES.join(', ')}`);
    }
    const project = flags.project ?? 'default';
    const expiresAt = flags.expires ? Date.now() + parseDuration('--expires', flags.expires) : null;
    return { kind: 'create', project, scopes: scopes as Scope[], expiresAt };
  }
  if (sub === 'list') return { kind: 'list' };
  if (sub === 'revoke' && arg) return { kind: 'revoke', id: arg };
  throw new SightlineError('CONFIG_INVALID', 'keys: expected "create", "list" or "revoke ID" (see sightline --help)');
}

async function direct(store: Store, action: KeyAction): Promise<void> {
  if (action.kind === 'create') {
    if (!(await store.listProjects()).includes(action.project)) await store.createProject(action.project);
    const secret = newKeySecret();
    const record = keyRecordFor(secret, action.project, action.scopes, Date.now(), action.expiresAt);
    await store.putApiKey(record);
    printCreated({ ...publicKey(record), key: secret });
  } else if (action.kind === 'list') {
    printList((await store.listApiKeys()).map(publicKey));
  } else {
    if (!(await store.revokeApiKey(action.id, Date.now()))) throw new SightlineError('NOT_FOUND', `API key ${action.id} not found`);
    console.log(`revoked ${action.id}`);
  }
}

async function viaServer(config: Config, flags: Flags, action: KeyAction): Promise<void> {
  const url = flags.url ?? `http://127.0.0.1:${config.port}`;
  const admin = config.adminKey;
  if (!admin) {
    throw new SightlineError('CONFIG_INVALID', 'the data directory is held by a running server: pass its admin key with --admin-key or SIGHTLINE_ADMIN_KEY');
  }
  const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
  let res: Response;
  try {
    res =
      action.kind === 'create'
        ? await fetch(`${url}/api/keys`, { method: 'POST', headers, body: JSON.stringify({ project: action.project, scopes: action.scopes, expires_at: action.expiresAt }) })
        : action.kind === 'list'
          ? await fetch(`${url}/api/keys`, { headers })
          : await fetch(`${url}/api/keys/${encodeURIComponent(action.id)}`, { method: 'DELETE', headers });
  } catch (err) {
    throw new SightlineError('STORE_UNAVAILABLE', `cannot reach the server at ${url} (${(err as Error).message}); pass --url`, { cause: err });
  }
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new SightlineError('CONFIG_INVALID', `server answered ${res.status}: ${(body.error as { message?: string } | undefined)?.message ?? ''}`);
  if (action.kind === 'create') printCreated(body as ReturnType<typeof publicKey> & { key: string });
  else if (action.kind === 'list') printList(body.keys as ReturnType<typeof publicKey>[]);
  else console.log(`revoked ${action.id}`);
}

function printCreated(k: ReturnType<typeof publicKey> & { key: string }): void {
  console.log(`created key ${k.id} for project "${k.project}" with scopes ${k.scopes.join(', ')} (shown once):`);
  console.log(`  ${k.key}`);
}

function printList(keys: ReturnType<typeof publicKey>[]): void {
  for (const k of keys) {
    const state = k.revoked_at ? 'revoked' : k.expires_at && k.expires_at < Date.now() ? 'expired' : 'active';
    console.log(`${k.id}  ${k.project.padEnd(16)} ${k.prefix}…  ${k.scopes.join(',').padEnd(18)} ${state}`);
  }
}

export async function runKeys(rest: string[], flags: Flags, env: NodeJS.ProcessEnv): Promise<number> {
  const action = parseAction(rest, flags);
  const config = configFromFlags(flags, env);
  let store: Store;
  try {
    store = await openStore(storeConfigOf(config));
  } catch (err) {
    if (err instanceof SightlineError && err.code === 'STORE_LOCKED') {
      await viaServer(config, flags, action);
      return 0;
    }
    throw err;
  }
  try {
    await direct(store, action);
  } finally {
    await store.close();
  }
  return 0;
}
