// The one error shape of every route: {"error": {"code", "message"}} (server: http/respond.ts).

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

export interface ErrorReply {
  error: { code: ErrorCode; message: string };
}
