// The DuckDB engine's two small mechanisms: strict ordering of tasks on one connection, and the
// mapping of DuckDB's errors onto Sightline's error codes.

import { dirname } from 'node:path';
import { SightlineError } from '../../model/errors.js';

/** Runs tasks one after another; a failed task does not stop later ones. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far, and every task queued meanwhile, has settled. */
  async settled(): Promise<void> {
    let tail: Promise<unknown>;
    do {
      tail = this.tail;
      await tail;
    } while (tail !== this.tail);
  }
}

/**
 * Turns DuckDB's errors into Sightline's: a held lock is STORE_LOCKED, any other I/O failure
 * STORE_UNAVAILABLE, whose message reaches HTTP clients and so names files relative to the data
 * directory ("sightline.duckdb.wal"), never by their absolute path.
 */
export function toStoreError(err: unknown, path: string): SightlineError {
  if (err instanceof SightlineError) return err;
  const message = withoutDataDir(err instanceof Error ? err.message : String(err), path);
  if (/Conflicting lock is held|Could not set lock on file/i.test(message)) {
    const pid = /PID (\d+)/.exec(message)?.[1];
    return new SightlineError(
      'STORE_LOCKED',
      `data directory ${dirname(path)} is in use by another Sightline process${pid ? ` (pid ${pid})` : ''}`,
      { cause: err },
    );
  }
  return new SightlineError('STORE_UNAVAILABLE', `DuckDB store: ${message.split('\n')[0]}`, { cause: err });
}

/** `message` with the data directory of the database at `path` cut from every file path in it. */
export function withoutDataDir(message: string, path: string): string {
  const dir = dirname(path);
  return message.replaceAll(`${dir}/`, '').replaceAll(dir, '.');
}

/**
 * Whether DuckDB reported a fatal error: after one (a failed checkpoint, some I/O errors) it
 * invalidates the database, and every later call fails until the database is opened again.
 */
export function isFatalStoreError(message: string): boolean {
  return /FATAL Error|database has been invalidated/i.test(message);
}

/** Whether the error is the refusal of an already invalidated database (nothing was attempted). */
export function isInvalidatedRefusal(message: string): boolean {
  return /database has been invalidated/i.test(message);
}

/** Whether DuckDB reports a commit as durable although the automatic checkpoint after it failed. */
export function isCommittedDespiteError(message: string): boolean {
  return /COMMIT succeeded and is durable/i.test(message);
}
