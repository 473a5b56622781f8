// One error shape for every route: {"error": {"code", "message"}}. Status codes are decided
// here and in the routes' return values, never deep in the layers below.

import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ErrorCode =
  | 'bad_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'not_leader'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'overloaded'
  | 'store_unavailable'
  | 'not_implemented'
  | 'idempotency_key_reused'
  | 'query_timeout'
  | 'internal';

export function errorBody(code: ErrorCode, message: string) {
  return { error: { code, message } };
}

export function fail(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string, retryAfterMs?: number) {
  if (retryAfterMs !== undefined) c.header('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  return c.json(errorBody(code, message), status);
}

export const CODE_FOR_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'bad_request',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};
