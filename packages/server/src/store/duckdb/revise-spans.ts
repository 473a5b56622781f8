// Revising stored spans' trace-derived fields (agent, session, user, decision; see
// ../trace-attribution.ts) in one transaction: the rollup rows of the spans as stored are
// subtracted, the spans updated, and their rollup rows as revised added, so every rollup table
// still sums exactly the spans table. Hours whose insight aggregates read those spans are reopened.

import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { HOUR_MS } from '../rollup.js';
import { REPEATED_DECISION_ATTRIBUTE, type SpanRevision } from '../store.js';
import { queryRows } from './read-queries.js';
import { flushInsertSql, flushMinutesSelect, touchedBucketsSql } from './rollup-sql.js';
import { HIST_COLUMNS, ROLLUP_KEY_COLUMNS, ROLLUP_SUM_COLUMNS, ROLLUP_TABLES, type RollupTable } from './schema.js';
import { rollbackQuietly } from './transaction.js';

const INPUT = 'revise_input';
const MINUTES = 'revise_minute';
/** Rows per INSERT … VALUES statement (8 parameters each). */
const CHUNK = 500;

/** Connections whose scratch tables exist (they live as long as the connection, emptied each time). */
const prepared = new WeakSet<DuckDBConnection>();

export interface RevisionResult {
  changed: number;
  touched: [RollupTable, number[]][];
}

const differs = (fields: readonly string[]) => fields.map((f) => `r.${f} IS DISTINCT FROM s.${f}`).join(' OR ');

/**
 * Applies `revisions` to project's spans. Rollup figures move only for spans with
 * seq ≤ `rolledUpSeq` (those already counted); later spans are counted as revised by their flush.
 * Runs on a connection with no transaction open, while nothing else writes spans or rollups.
 */
export async function reviseSpanRows(conn: DuckDBConnection, project: string, revisions: readonly SpanRevision[], rolledUpSeq: bigint): Promise<RevisionResult> {
  if (revisions.length === 0) return { changed: 0, touched: [] };
  if (!prepared.has(conn)) {
    await conn.run(`CREATE TEMP TABLE IF NOT EXISTS ${INPUT} (trace_id VARCHAR, span_id VARCHAR, timestamp BIGINT, agent_id VARCHAR,
      session_id VARCHAR, user_id VARCHAR, decision_made VARCHAR, repeated VARCHAR, changed BOOLEAN, moved BOOLEAN)`);
    await conn.run(`CREATE TEMP TABLE IF NOT EXISTS ${MINUTES} AS ${flushMinutesSelect('false')}`);
    prepared.add(conn);
  }
  const lo = BigInt(Math.min(...revisions.map((r) => r.timestamp)));
  const hi = BigInt(Math.max(...revisions.map((r) => r.timestamp)));
  // The span's own row: project, time range (zone maps skip other row groups), trace and span id.
  const match = `s.project = $1 AND s.timestamp BETWEEN $2 AND $3 AND s.trace_id = r.trace_id AND s.span_id = r.span_id AND s.timestamp = r.timestamp`;
  const base: DuckDBValue[] = [project, lo, hi];
  const selected = (flag: string) =>
    `project = $1 AND timestamp BETWEEN $2 AND $3 AND seq <= $4
      AND EXISTS (SELECT 1 FROM ${INPUT} r WHERE r.${flag} AND r.trace_id = spans.trace_id AND r.span_id = spans.span_id AND r.timestamp = spans.timestamp)`;
  const touched: [RollupTable, number[]][] = [];
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(`DELETE FROM ${INPUT}`);
    await conn.run(`DELETE FROM ${MINUTES}`);
    for (let i = 0; i < revisions.length; i += CHUNK) {
      const part = revisions.slice(i, i + CHUNK);
      const params: DuckDBValue[] = [];
      for (const r of part) {
        const repeated = r.repeated_decision === undefined ? null : `${JSON.stringify(REPEATED_DECISION_ATTRIBUTE)}:${JSON.stringify(r.repeated_decision)}`;
        params.push(r.trace_id, r.span_id, BigInt(r.timestamp), r.agent_id, r.session_id, r.user_id, r.decision_made, repeated);
      }
      await conn.run(`INSERT INTO ${INPUT} VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, false, false)').join(', ')}`, params);
    }
    await conn.run(
      `UPDATE ${INPUT} r SET changed = EXISTS (SELECT 1 FROM spans s WHERE ${match} AND (${differs(['agent_id', 'session_id', 'user_id', 'decision_made'])})),
        moved = EXISTS (SELECT 1 FROM spans s WHERE ${match} AND (${differs(['agent_id', 'decision_made'])}))`,
      base,
    );
    const figures = [...ROLLUP_SUM_COLUMNS, ...HIST_COLUMNS].map((c) => `-"${c}"`).join(', ');
    const keys = ROLLUP_KEY_COLUMNS.map((c) => `"${c}"`).join(', ');
    const counted = [...base, rolledUpSeq];
    await conn.run(`INSERT INTO ${MINUTES} SELECT ${keys}, ${figures} FROM (${flushMinutesSelect(selected('moved'))})`, counted);
    const updated = await conn.run(
      `UPDATE spans s SET agent_id = r.agent_id, session_id = r.session_id, user_id = r.user_id, decision_made = r.decision_made,
        attributes = CASE WHEN r.repeated IS NULL OR contains(s.attributes, ${sqlText(JSON.stringify(REPEATED_DECISION_ATTRIBUTE))}) THEN s.attributes
          WHEN s.attributes = '{}' THEN '{' || r.repeated || '}' ELSE '{' || r.repeated || ',' || substr(s.attributes, 2) END
      FROM ${INPUT} r WHERE r.changed AND ${match}`,
      base,
    );
    await conn.run(`INSERT INTO ${MINUTES} ${flushMinutesSelect(selected('moved'))}`, counted);
    for (const table of ROLLUP_TABLES) {
      await conn.run(flushInsertSql(table, MINUTES));
      const buckets = (await (await conn.run(touchedBucketsSql(table, MINUTES))).getRows()).map((r) => Number(r[0]));
      touched.push([table, buckets]);
    }
    await reopenInsightHours(conn);
    await conn.run('COMMIT');
    return { changed: updated.rowsChanged, touched };
  } catch (err) {
    await rollbackQuietly(conn);
    throw err;
  }
}

/** A SQL string literal of text we built (an attribute name). */
function sqlText(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * Adds the hours of the revised spans (and each one before: a trace is filed under the hour of its
 * first span) to meta.insight_open_hours, so the materializer recomputes them and reads compute
 * them from spans until it has.
 */
async function reopenInsightHours(conn: DuckDBConnection): Promise<void> {
  const rows = await queryRows(conn, `SELECT DISTINCT (timestamp // ${HOUR_MS}) * ${HOUR_MS} AS hour FROM ${INPUT} WHERE changed`);
  if (rows.length === 0) return;
  const [meta] = await queryRows(conn, "SELECT value FROM meta WHERE key = 'insight_open_hours'");
  const open = new Set<number>(JSON.parse(String(meta?.value ?? '[]')) as number[]);
  for (const r of rows) {
    open.add(Number(r.hour));
    open.add(Number(r.hour) - HOUR_MS);
  }
  await conn.run("UPDATE meta SET value = ? WHERE key = 'insight_open_hours'", [JSON.stringify([...open].sort((a, b) => a - b))]);
}
