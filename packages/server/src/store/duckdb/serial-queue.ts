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
}

/** Turns DuckDB's errors into Sightline's: a held lock is STORE_LOCKED, any other I/O failure STORE_UNAVAILABLE. */
export function toStoreError(err: unknown, path: string): SightlineError {
  if (err instanceof SightlineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/Conflicting lock is held|Could not set lock on file/i.test(message)) {
    const pid = /PID (\d+)/.exec(message)?.[1];
    return new SightlineError(
      'STORE_LOCKED',
      `data directory ${dirname(path)} is in use by another Sightline process${pid ? ` (pid ${pid})` : ''}`,
      { cause: err },
    );
  }
  return new SightlineError('STORE_UNAVAILABLE', `DuckDB store ${path}: ${message.split('\n')[0]}`, { cause: err });
}
