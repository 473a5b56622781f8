// The insight materializer on ClickHouse: recomputes path_hour and cohort_hour for hours whose
// spans changed since they were last materialized, once each hour has closed and a grace period
// passed (the rules of ../duckdb/insight-materialize.ts). There are no transactions and no append
// sequence, so:
// - "changed" means the fingerprints (count, sum(inserted_at)) of the hour or of the next one
//   differ from those recorded at its last materialization (insight-queries.ts);
// - each hour's rows are written under a new version, then committed by its insight_hours rows;
//   readers take the latest committed version, and superseded versions are deleted afterwards by
//   a mutation that is not waited for. A crash leaves an uncommitted version nobody reads.

import { HOUR_MS } from '../rollup.js';
import { COHORT_SUMS, type MaterializeReport } from '../store.js';
import type { Connection } from './connection.js';
import {
  EMPTY_FINGERPRINT,
  PATH_SUMS,
  cohortAggregateSql,
  materializedHours,
  pathAggregateSql,
  sameFingerprint,
  spanFingerprints,
  type Fingerprint,
  type InsightTables,
} from './insight-queries.js';
import { HIST_COLUMNS } from './schema.js';
import { int, ms, str } from './sql.js';

export const DEFAULT_GRACE_MS = 2 * 60_000;

export interface MaterializeContext {
  conn: Connection;
  tables: InsightTables;
  /** Local tables on each server that holds data, for deleting superseded versions. */
  cleanup: (table: 'path_hour' | 'cohort_hour' | 'insight_hours', where: string) => Promise<void>;
  clock: () => number;
}

interface Plan {
  ready: number[];
  pending: number[];
  /** Latest committed version per hour (absent: never materialized). */
  versions: Map<number, number>;
}

async function plan(ctx: MaterializeContext, now: number, graceMs: number): Promise<Plan> {
  const { conn, tables } = ctx;
  const current = await spanFingerprints(conn, tables.spans, '1');
  const done = await materializedHours(conn, tables.insightHours, '1', '1');
  const candidates = new Set<number>(done.keys());
  for (const h of current.keys()) {
    candidates.add(h);
    // A trace is filed under the hour of its first span: spans in h may belong to h − 1.
    candidates.add(h - HOUR_MS);
  }
  const fp = (h: number) => current.get(h) ?? EMPTY_FINGERPRINT;
  const dirty = [...candidates]
    .filter((h) => {
      const m = done.get(h);
      const here = m?.here ?? EMPTY_FINGERPRINT;
      const next = m?.next ?? EMPTY_FINGERPRINT;
      return !sameFingerprint(here, fp(h)) || !sameFingerprint(next, fp(h + HOUR_MS));
    })
    .sort((a, b) => a - b);
  const closed = (h: number) => h + HOUR_MS + graceMs <= now;
  return {
    ready: dirty.filter(closed),
    pending: dirty.filter((h) => !closed(h)),
    versions: new Map([...done].map(([h, m]) => [h, m.version])),
  };
}

/** A version above every earlier one of the hour, unlikely to collide with another node's. */
function nextVersion(previous: number | undefined, clock: () => number): number {
  const candidate = Math.floor(clock()) * 1000 + Math.floor(Math.random() * 1000);
  return Math.max(candidate, (previous ?? 0) + 1);
}

async function materializeHour(ctx: MaterializeContext, hour: number, version: number, now: number): Promise<void> {
  const { conn, tables } = ctx;
  // Fingerprints first: spans arriving while the aggregates run make them stale, never wrong.
  const rows = await conn.rows<{ project: string; hour: number; n: string; s: string }>(
    `SELECT project, intDiv(timestamp, ${HOUR_MS}) * ${HOUR_MS} AS hour, toString(count()) AS n, toString(sum(inserted_at)) AS s
      FROM ${tables.spans} WHERE timestamp >= ${ms(hour)} AND timestamp < ${ms(hour + 2 * HOUR_MS)}
      GROUP BY project, hour`,
  );
  const byProject = new Map<string, { here: Fingerprint; next: Fingerprint }>([['', { here: EMPTY_FINGERPRINT, next: EMPTY_FINGERPRINT }]]);
  for (const r of rows) {
    const e = byProject.get(r.project) ?? { here: EMPTY_FINGERPRINT, next: EMPTY_FINGERPRINT };
    if (Number(r.hour) === hour) e.here = { n: r.n, s: r.s };
    else e.next = { n: r.n, s: r.s };
    byProject.set(r.project, e);
  }
  const v = int(version);
  const pathCols = ['project', 'hour', 'version', 'agent_id', 'path', ...PATH_SUMS, ...HIST_COLUMNS];
  await conn.command(
    `INSERT INTO ${tables.pathHour} (${pathCols.join(', ')})
      SELECT ${pathCols.map((c) => (c === 'version' ? `toUInt64(${v}) AS version` : c)).join(', ')}
      FROM (${pathAggregateSql(tables.spans, [hour], '')})`,
  );
  const cohortCols = ['project', 'hour', 'version', 'agent_id', 'key', 'value', ...COHORT_SUMS];
  await conn.command(
    `INSERT INTO ${tables.cohortHour} (${cohortCols.join(', ')})
      SELECT ${cohortCols.map((c) => (c === 'version' ? `toUInt64(${v}) AS version` : c)).join(', ')}
      FROM (${cohortAggregateSql(tables.spans, [hour], '', '')})`,
  );
  // The commit: from here on readers use this version. Fingerprints are UInt64 text, as literals.
  const values = [...byProject].map(
    ([project, f]) => `(${ms(hour)}, ${v}, ${ms(now)}, ${str(project)}, ${f.here.n}, ${f.here.s}, ${f.next.n}, ${f.next.s})`,
  );
  await conn.command(
    `INSERT INTO ${tables.insightHours} (hour, version, materialized_at, project, n0, s0, n1, s1) VALUES ${values.join(', ')}`,
  );
}

/**
 * One materialization pass. Idempotent: an hour whose spans did not change since its last
 * materialization is not recomputed. Meant to run on one node at a time (concurrent runs stay
 * correct, each hour's latest version wins, but do the work twice).
 */
export async function materializeInsights(ctx: MaterializeContext, now: number, graceMs = DEFAULT_GRACE_MS): Promise<MaterializeReport> {
  const p = await plan(ctx, now, graceMs);
  const committed: [number, number][] = [];
  for (const hour of p.ready) {
    const version = nextVersion(p.versions.get(hour), ctx.clock);
    await materializeHour(ctx, hour, version, now);
    committed.push([hour, version]);
  }
  if (committed.length > 0) {
    // Versions below the committed one are never read again (readers pick the latest commit).
    const where = committed.map(([h, v]) => `(hour = ${ms(h)} AND version < ${int(v)})`).join(' OR ');
    for (const table of ['path_hour', 'cohort_hour', 'insight_hours'] as const) await ctx.cleanup(table, where);
  }
  return { hours: p.ready, pending: p.pending };
}
