// The per-agent minute rollup (schema version 5): when it is complete, and which rollup reads it
// answers. It was not backfilled, so a read takes buckets from `completeFrom` on from it and older
// buckets from rollup_minute; both hold the same figures per (project, bucket, agent).

import { DEFAULT_LIMITS } from '../../model/limits.js';
import { MINUTE_MS } from '../rollup.js';
import type { RollupQuery } from '../store.js';
import type { Connection } from './connection.js';
import { AGENT_MINUTE_START, localName, type Layout } from './schema.js';
import { int, str } from './sql.js';

/**
 * How far another node's clock may run ahead of the migrating node's. Clock drift is seconds
 * (model/limits.ts); a few minutes more only delay the switch to the new table.
 */
export const CLOCK_DRIFT_MS = 5 * MINUTE_MS;

/**
 * The first bucket the view created before `viewExistedAt` fills completely. A rollup row written
 * before the view existed has a span timestamp ingest accepted then: at most maxFutureSkewMs past
 * the writing node's clock, so it lies before the returned minute (a strictly later one).
 * @example completeFrom(Date.UTC(2025, 0, 1)) === Date.UTC(2025, 0, 2, 0, 6)
 */
export function completeFrom(viewExistedAt: number): number {
  return (Math.floor((viewExistedAt + DEFAULT_LIMITS.maxFutureSkewMs + CLOCK_DRIFT_MS) / MINUTE_MS) + 1) * MINUTE_MS;
}

/**
 * Records on this server (or, with ON CLUSTER, on the entry server) from when its per-agent table is
 * complete. Called once the view exists, with the clock read after its CREATE returned (a racing
 * node's CREATE … IF NOT EXISTS returns only once the view exists too).
 */
export async function recordAgentMinuteStart(conn: Connection, layout: Layout, node: string, now: number): Promise<void> {
  await conn.command(
    `INSERT INTO ${localName(layout, AGENT_MINUTE_START)} (complete_from, recorded_at, node)
      VALUES (${int(completeFrom(now))}, ${int(now)}, ${str(node)})`,
  );
}

/** The per-agent minute table as readRollup uses it. */
export interface AgentMinute {
  /** The Distributed table in a cluster. */
  table: string;
  /** The first bucket held completely on every server, or null before any server recorded one. */
  completeFrom(): Promise<number | null>;
}

/**
 * Reads the start moment once it exists and keeps it: rows are only added, and every recorded moment
 * is valid for its server, so the largest one over all servers is valid for all of them and stays so.
 */
export function createAgentMinute(conn: Connection, table: string, startTable: string): AgentMinute {
  let known: Promise<number | null> | null = null;
  const load = async (): Promise<number | null> => {
    const rows = await conn.rows<{ t: number; n: number }>(`SELECT max(complete_from) AS t, count() AS n FROM ${startTable}`);
    if (Number(rows[0]?.n ?? 0) > 0) return Number(rows[0]!.t);
    known = null;
    return null;
  };
  return {
    table,
    completeFrom() {
      known ??= load().catch((err: unknown) => {
        known = null;
        throw err;
      });
      return known;
    },
  };
}

/** True when the per-agent table holds everything `q` needs: minute rows, grouped by agent or nothing, filtered by agent only. */
export function agentMinuteAnswers(q: RollupQuery): boolean {
  if (q.groupBy.some((d) => d !== 'agent')) return false;
  return Object.entries(q.filter).every(([field, value]) => value === undefined || value === false || field === 'agent');
}
