// The one way the dashboard talks to the server: JSON over fetch with the signed-in key in the
// Authorization header (never in the URL). A 401 signs the user out.

import { getKey, signOut } from '../state/auth';
import { takeEarlyGet } from './early-get';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function authHeaders(key: string | null = getKey()): Record<string, string> {
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** GET a JSON endpoint; throws ApiError with the server's message on any non-2xx reply. */
export async function getJson<T>(path: string, signal?: AbortSignal, key: string | null = getKey()): Promise<T> {
  const res = await (takeEarlyGet(path, key) ?? fetch(path, { headers: { accept: 'application/json', ...authHeaders(key) }, ...(signal && { signal }) }));
  if (res.ok) return (await res.json()) as T;
  let code = 'http_' + res.status;
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
  } catch {
    // not JSON: keep the status line
  }
  if (res.status === 401 && key === getKey()) signOut(message);
  throw new ApiError(res.status, code, message);
}

/** Sends a JSON body (POST/PATCH/DELETE) with the key; same errors as getJson. */
export async function sendJson<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }), ...authHeaders() },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? res.statusText);
  }
  return parsed as T;
}

export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '' && v !== false) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
