// A lease on ClickHouse, which has no transactions or compare-and-set: claims are rows
// (name, term, holder, expires_at) and a claim wins only if, read back after it was inserted, it
// is the only claim of its term. On one server (or the first shard, where the leases table lives)
// an insert is visible to every later read, so of two racing claimants at most one can see only
// itself; when both see each other neither wins, and the term is retried after it expires.
//
//   unexpired, mine (only my rows, or a term I won) → insert (term, me, now + ttl); a newer term
//                                                     read back afterwards means I lost it
//   unexpired, someone else's                       → false
//   expired or none → insert (term + 1, me, now + ttl); won if alone in term + 1 and the old
//                     term was not renewed meanwhile
// Holders should renew well before expiry (e.g. ttl = 3 × interval); see docs/scale-out.md.

import type { Connection } from './connection.js';
import { int, ms, str } from './sql.js';

export interface LeaseTable {
  tryAcquire(name: string, holder: string, ttlMs: number, now: number): Promise<boolean>;
}

export function createLeaseTable(conn: Connection, table: string): LeaseTable {
  /** Terms this process won, by lease name: a contested term is still ours to renew. */
  const won = new Map<string, { holder: string; term: number }>();

  const claimsOf = async (name: string, term?: number) =>
    conn.rows<{ term: number; holder: string; expires: number }>(
      `SELECT term, holder, max(expires_at) AS expires FROM ${table}
        WHERE name = ${str(name)} AND term = ${term === undefined ? `(SELECT max(term) FROM ${table} WHERE name = ${str(name)})` : int(term)}
        GROUP BY term, holder`,
    );
  const claim = (name: string, term: number, holder: string, expires: number) =>
    conn.insert(table, [{ name, term, holder, expires_at: Number(ms(expires)) }]);

  const maxExpiry = (claims: { expires: number }[]): number => Math.max(0, ...claims.map((c) => Number(c.expires)));

  return {
    async tryAcquire(name, holder, ttlMs, now) {
      const latest = await claimsOf(name);
      const term = latest.length === 0 ? 0 : Number(latest[0]!.term);
      if (latest.length > 0 && maxExpiry(latest) > now) {
        const mine = won.get(name);
        const ours = latest.every((c) => c.holder === holder) || (mine?.holder === holder && mine.term === term);
        if (!ours) return false;
        await claim(name, term, holder, now + ttlMs);
        // A claimant that read the lease as expired just before this renewal may have opened a
        // newer term; it then wins, and this holder steps down.
        const after = await claimsOf(name);
        if (Number(after[0]?.term ?? term) !== term) {
          won.delete(name);
          return false;
        }
        won.set(name, { holder, term });
        return true;
      }
      await claim(name, term + 1, holder, now + ttlMs);
      const contenders = await claimsOf(name, term + 1);
      // The old holder may have renewed between our read and our claim: it keeps the lease.
      const renewed = term > 0 && maxExpiry(await claimsOf(name, term)) > now;
      if (!renewed && contenders.length === 1 && contenders[0]!.holder === holder) {
        won.set(name, { holder, term: term + 1 });
        return true;
      }
      return false;
    },
  };
}
