// `sightline keys …`: manage API keys through the running server's API (--url, default the local
// port) with an admin key. Only with an explicit --data does it open a data directory itself, for
// setting up keys before the first start; a directory a server holds is refused with a clear error
// (DuckDB allows one process per file, and the server's key cache would not see the change).

import { keyRecordFor, newKeySecret, SCOPES } from '../http/auth.js';
import { publicKey } from '../http/routes/keys.js';
import { parseDuration } from '../http/params.js';
import { SightlineError } from '../model/errors.js';
import type { Scope, Store } from '../store/store.js';
import { clientOf, ensureOk } from './client.js';
import { storeConfigOf } from './config.js';
import { configFromFlags, type Flags } from './flags.js';
import { painter, colorEnabled, table } from './term.js';

type KeyAction =
  | { kind: 'create'; project: string; scopes: Scope[]; expiresAt: number | null }
  | { kind: 'list' }
  | { kind: 'revoke'; id: string };

type PublicKey = ReturnType<typeof publicKey>;

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

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}`;

/** One row per key, by project then age, under a header: id, project, prefix, scopes, created, expires and state (times UTC). */
export function keysTable(keys: PublicKey[], now: number, color: boolean): string {
  if (keys.length === 0) return 'no API keys';
  const sorted = [...keys].sort((a, b) => (a.project < b.project ? -1 : a.project > b.project ? 1 : a.created_at - b.created_at || (a.id < b.id ? -1 : 1)));
  const rows = sorted.map((k) => [
    k.id,
    k.project,
    `${k.prefix}…`,
    k.scopes.join(','),
    utc(k.created_at),
    k.expires_at === null ? 'never' : utc(k.expires_at),
    k.revoked_at !== null ? `revoked ${utc(k.revoked_at)}` : k.expires_at !== null && k.expires_at <= now ? 'expired' : 'active',
  ]);
  return table(['id', 'project', 'prefix', 'scopes', 'created (UTC)', 'expires (UTC)', 'state'], rows, painter(color), 64);
}

function printCreated(k: PublicKey & { key: string }): void {
  const expiry = k.expires_at === null ? '' : `, expiring ${utc(k.expires_at)} UTC`;
  console.log(`created key ${k.id} for project "${k.project}" with scopes ${k.scopes.join(', ')}${expiry} (shown once):`);
  console.log(`  ${k.key}`);
}

async function offline(store: Store, action: KeyAction): Promise<PublicKey[] | null> {
  if (action.kind === 'create') {
    if (!(await store.listProjects()).includes(action.project)) await store.createProject(action.project);
    const secret = newKeySecret();
    const record = keyRecordFor(secret, action.project, action.scopes, Date.now(), action.expiresAt);
    await store.putApiKey(record);
    printCreated({ ...publicKey(record), key: secret });
    return null;
  }
  if (action.kind === 'list') return (await store.listApiKeys()).map(publicKey);
  const target = (await store.listApiKeys()).find((k) => k.id === action.id);
  if (target === undefined) throw new SightlineError('NOT_FOUND', `API key ${action.id} not found`);
  if (target.revoked_at !== null) throw new SightlineError('CONFLICT', `API key ${action.id} was already revoked at ${new Date(target.revoked_at).toISOString()}`);
  await store.revokeApiKey(action.id, Date.now());
  console.log(`revoked ${action.id}`);
  return null;
}

async function runOffline(flags: Flags, env: NodeJS.ProcessEnv, action: KeyAction): Promise<PublicKey[] | null> {
  const config = configFromFlags(flags, env);
  // Loaded here: the store backends are needed only offline, not for every keys command.
  const { openStore } = await import('../store/open-store.js');
  let store: Store;
  try {
    store = (await openStore(storeConfigOf(config))).store;
  } catch (err) {
    if (err instanceof SightlineError && err.code === 'STORE_LOCKED') {
      throw new SightlineError(
        'STORE_LOCKED',
        `keys: the data directory ${config.data} is held by a running server; manage keys through it instead: drop --data and pass --url and --admin-key (or SIGHTLINE_ADMIN_KEY)`,
        { cause: err },
      );
    }
    throw err;
  }
  try {
    return await offline(store, action);
  } finally {
    await store.close();
  }
}

async function runOnline(flags: Flags, env: NodeJS.ProcessEnv, action: KeyAction): Promise<PublicKey[] | null> {
  const adminKey = configFromFlags(flags, env).adminKey ?? flags.key ?? env.SIGHTLINE_API_KEY;
  if (adminKey === undefined) {
    throw new SightlineError('CONFIG_INVALID', 'keys: an admin key is required: pass --admin-key or set SIGHTLINE_ADMIN_KEY (the key `sightline serve` printed at its first start)');
  }
  const client = clientOf({ ...flags, key: adminKey }, env);
  const json = { 'content-type': 'application/json' };
  const [path, init]: [string, RequestInit] =
    action.kind === 'create'
      ? ['/api/keys', { method: 'POST', headers: json, body: JSON.stringify({ project: action.project, scopes: action.scopes, expires_at: action.expiresAt }) }]
      : action.kind === 'list'
        ? ['/api/keys', {}]
        : [`/api/keys/${encodeURIComponent(action.id)}`, { method: 'DELETE' }];
  let res: Response;
  try {
    res = await client.fetch(path, init);
  } catch (err) {
    if (err instanceof SightlineError && err.code === 'STORE_UNAVAILABLE') {
      throw new SightlineError('STORE_UNAVAILABLE', `${err.message}, or manage keys offline with --data DIR while no server runs`, { cause: err });
    }
    throw err;
  }
  await ensureOk(res, path);
  const body = (await res.json()) as Record<string, unknown>;
  if (action.kind === 'create') printCreated(body as PublicKey & { key: string });
  else if (action.kind === 'revoke') console.log(`revoked ${action.id}`);
  return action.kind === 'list' ? (body.keys as PublicKey[]) : null;
}

export async function runKeys(rest: string[], flags: Flags, env: NodeJS.ProcessEnv): Promise<number> {
  const action = parseAction(rest, flags);
  const keys = flags.data !== undefined ? await runOffline(flags, env, action) : await runOnline(flags, env, action);
  if (keys !== null) console.log(flags.json ? JSON.stringify({ keys }) : keysTable(keys, Date.now(), colorEnabled(process.stdout, env)));
  return 0;
}
