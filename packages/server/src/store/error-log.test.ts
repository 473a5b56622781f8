import { describe, expect, it } from 'vitest';
import { createStoreErrorLog } from './error-log.js';

describe('createStoreErrorLog', () => {
  it('logs each kind of error once per interval, counts the repeats, and sums them up on recovery', () => {
    let now = 0;
    const lines: string[] = [];
    const errors = createStoreErrorLog((l) => lines.push(l), { intervalMs: 60_000, clock: () => now });
    errors.error('Could not write file "sightline.duckdb.wal": No space left on device (batch 1)');
    errors.error('Could not write file "sightline.duckdb.wal": No space left on device (batch 2)');
    errors.error('database has been invalidated');
    now = 30_000;
    errors.error('Could not write file "sightline.duckdb.wal": No space left on device (batch 3)');
    now = 60_000;
    errors.error('Could not write file "sightline.duckdb.wal": No space left on device (batch 4)');
    errors.error('database has been invalidated');
    errors.error('database has been invalidated');
    errors.info('database reopened after 3 attempts');
    expect(lines).toEqual([
      'store error: Could not write file "sightline.duckdb.wal": No space left on device (batch 1)',
      'store error: database has been invalidated',
      'store error: Could not write file "sightline.duckdb.wal": No space left on device (batch 4) (2 more like it since the last line)',
      'store error: database has been invalidated',
      'store: database reopened after 3 attempts (1 store errors were not logged since their first line)',
    ]);
  });
});
