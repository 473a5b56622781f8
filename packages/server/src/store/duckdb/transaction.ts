// Ending a failed transaction without hiding why it failed.

import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Rolls back after a failed statement. When COMMIT itself failed (disk full, read-only file
 * system) DuckDB has already ended the transaction, and ROLLBACK's own error ("no transaction is
 * active") would replace the cause the caller needs to report.
 * @example try { …; await conn.run('COMMIT') } catch (err) { await rollbackQuietly(conn); throw err }
 */
export async function rollbackQuietly(conn: DuckDBConnection): Promise<void> {
  try {
    await conn.run('ROLLBACK');
  } catch {
    // No transaction left to end: the original error is the one that matters.
  }
}
