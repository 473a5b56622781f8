// Thrown errors are for bugs and bad configuration; each carries a stable code and a cause.

export type SightlineErrorCode =
  | 'CONFIG_INVALID'
  | 'DATA_DIR_UNWRITABLE'
  | 'PORT_IN_USE'
  | 'STORE_UNAVAILABLE'
  | 'STORE_LOCKED'
  | 'SCHEMA_TOO_NEW'
  | 'QUERY_INVALID'
  /** A read ran past limits.readTimeoutMs and was stopped, so it cannot hold memory and cores that ingest needs. */
  | 'QUERY_TIMEOUT'
  | 'NOT_FOUND'
  /** The request contradicts what is stored (e.g. revoking a key that is already revoked). */
  | 'CONFLICT'
  /** The configured backend cannot do this (e.g. Parquet export on ClickHouse 18.16); retrying will not help. */
  | 'NOT_SUPPORTED'
  | 'INTERNAL';

export class SightlineError extends Error {
  readonly code: SightlineErrorCode;
  constructor(code: SightlineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SightlineError';
    this.code = code;
  }
}

/** A problem with one field of one event, reported back to the sender. */
export interface FieldProblem {
  index: number;
  field: string;
  error: string;
}
