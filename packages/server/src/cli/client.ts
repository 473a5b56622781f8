// How client commands (keys, tail, query, status, export, import, mcp) reach a running server: its
// URL (--url, SIGHTLINE_URL, else the configured host and port) and an API key (--key, SIGHTLINE_API_KEY, or the
// admin key). DuckDB allows one process per file, so these never open the data directory.

import { SightlineError } from '../model/errors.js';
import { configFromFlags, type Flags } from './flags.js';

export interface ServerClient {
  url: string;
  key: string;
  /** fetch against the server with the key; network failures become one clear error. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** GET a JSON body; a non-2xx answer becomes an error carrying the server's message. */
  json<T>(path: string): Promise<T>;
}

export function clientOf(flags: Flags, env: NodeJS.ProcessEnv): ServerClient {
  const config = configFromFlags(flags, env);
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = (flags.url ?? env.SIGHTLINE_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`).replace(/\/+$/, '');
  const key = flags.key ?? env.SIGHTLINE_API_KEY ?? config.adminKey;
  if (!key) {
    throw new SightlineError('CONFIG_INVALID', 'an API key is required: pass --key or set SIGHTLINE_API_KEY (or SIGHTLINE_ADMIN_KEY)');
  }
  const client: ServerClient = {
    url,
    key,
    async fetch(path, init = {}) {
      try {
        return await fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string>) } });
      } catch (err) {
        if ((err as Error).name === 'AbortError') throw err;
        const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
        throw new SightlineError('STORE_UNAVAILABLE', `cannot reach the server at ${url} (${cause}); is it running? pass --url`, { cause: err });
      }
    },
    async json<T>(path: string) {
      const res = await client.fetch(path, { headers: { accept: 'application/json' } });
      await ensureOk(res, path);
      return (await res.json()) as T;
    },
  };
  return client;
}

/** Throws with the server's own error message when the answer is not 2xx. */
export async function ensureOk(res: Response, path: string): Promise<void> {
  if (res.ok) return;
  let message = res.statusText;
  try {
    const body = (await res.json()) as { error?: { message?: string } };
    message = body.error?.message ?? message;
  } catch {
    // not JSON: keep the status text
  }
  const code = res.status === 404 ? 'NOT_FOUND' : res.status === 409 ? 'CONFLICT' : res.status >= 500 ? 'STORE_UNAVAILABLE' : 'CONFIG_INVALID';
  throw new SightlineError(code, `server answered ${res.status} for ${path.split('?')[0]}: ${message}`);
}
