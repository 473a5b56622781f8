// Revising stored spans' trace-derived fields (agent, session, user, decision; see
// ../trace-attribution.ts) in one transaction: the rollup rows of the spans as stored are
// subtracted, the spans updated, and their rollup rows as revised added, so every rollup table
// still sums exactly the spans table. Hours whose insight aggregates read those spans are reopened.

import { BIGINT, LIST, listValue, VARCHAR, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { HOUR_MS, MINUTE_MS } from '../rollup.js';
import { REPEATED_DECISION_ATTRIBUTE, type SpanRevision } from '../store.js';
import { runPrepared } from './prepared.js';
import { queryRows } from './read-queries.js';
import { flushInsertSql, LATENCY_BUCKET_SQL, MINUTE_FIGURES, touchedBucketsSql } from './rollup-sql.js';
import { HIST_COLUMNS, ROLLUP_SUM_COLUMNS, ROLLUP_TABLES, type RollupTable } from './schema.js';
import { rollbackQuietly } from './transaction.js';

const INPUT = 'revise_input';
/** Minute figures of the moved spans keyed by their old and new agent and decision. */
const MOVED = 'revise_moved';
const MINUTES = 'revise_minute';

export interface RevisionResult {
  changed: number;
  touched: [RollupTable, number[]][];
}

/** The span's own row: project, time range (zone maps skip other row groups), trace, span id and timestamp. */
const MATCH = `s.project = $1 AND s.timestamp BETWEEN $2 AND $3 AND s.trace_id = r.trace_id AND s.span_id = r.span_id AND s.timestamp = r.timestamp`;
const differs = (fields: readonly string[]) => fields.map((f) => `r.${f} IS DISTINCT FROM s.${f}`).join(' OR ');
const FIGURES = [...ROLLUP_SUM_COLUMNS, ...HIST_COLUMNS].map((c) => `"${c}"`);

/** Every statement's text is fixed (values are parameters), so each is prepared once per connection. */
const SQL = {
  input: `INSERT INTO ${INPUT} SELECT unnest($1::VARCHAR[]), unnest($2::VARCHAR[]), unnest($3::BIGINT[]), unnest($4::VARCHAR[]),
      unnest($5::VARCHAR[]), unnest($6::VARCHAR[]), unnest($7::VARCHAR[]), unnest($8::VARCHAR[]), false, false`,
  flags: `UPDATE ${INPUT} r SET changed = (${differs(['agent_id', 'session_id', 'user_id', 'decision_made'])}),
      moved = s.seq <= $4 AND (${differs(['agent_id', 'decision_made'])}) FROM spans s WHERE ${MATCH}`,
  moved: `INSERT INTO ${MOVED} SELECT project, (timestamp // ${MINUTE_MS}) * ${MINUTE_MS} AS bucket, agent_id, model, decision_made, span_type, provider,
      new_agent_id, new_decision_made, ${MINUTE_FIGURES}
    FROM (SELECT s.*, r.agent_id AS new_agent_id, r.decision_made AS new_decision_made, ${LATENCY_BUCKET_SQL.replaceAll('latency_ms', 's.latency_ms')} AS lb
      FROM spans s JOIN ${INPUT} r ON ${MATCH} WHERE r.moved)
    GROUP BY ALL`,
  subtract: `INSERT INTO ${MINUTES} SELECT project, bucket, agent_id, model, decision_made, span_type, provider, ${FIGURES.map((f) => `-${f}`).join(', ')} FROM ${MOVED}`,
  add: `INSERT INTO ${MINUTES} SELECT project, bucket, new_agent_id, model, new_decision_made, span_type, provider, ${FIGURES.join(', ')} FROM ${MOVED}`,
  update: `UPDATE spans s SET agent_id = r.agent_id, session_id = r.session_id, user_id = r.user_id, decision_made = r.decision_made,
      attributes = CASE WHEN r.repeated IS NULL OR contains(s.attributes, '${JSON.stringify(REPEATED_DECISION_ATTRIBUTE)}') THEN s.attributes
        WHEN s.attributes = '{}' THEN '{' || r.repeated || '}' ELSE '{' || r.repeated || ',' || substr(s.attributes, 2) END
    FROM ${INPUT} r WHERE r.changed AND ${MATCH}`,
};

/** SQL.input's parameter types: a list whose first item is null would otherwise lose its values. */
const INPUT_TYPES: DuckDBType[] = [LIST(VARCHAR), LIST(VARCHAR), LIST(BIGINT), LIST(VARCHAR), LIST(VARCHAR), LIST(VARCHAR), LIST(VARCHAR), LIST(VARCHAR)];

/** Connections whose scratch tables exist (they live as long as the connection, emptied each time). */
const prepared = new WeakSet<DuckDBConnection>();

async function scratchTables(conn: DuckDBConnection): Promise<void> {
  if (prepared.has(conn)) return;
  await conn.run(`CREATE TEMP TABLE IF NOT EXISTS ${INPUT} (trace_id VARCHAR, span_id VARCHAR, timestamp BIGINT, agent_id VARCHAR,
    session_id VARCHAR, user_id VARCHAR, decision_made VARCHAR, repeated VARCHAR, changed BOOLEAN, moved BOOLEAN)`);
  await conn.run(`CREATE TEMP TABLE IF NOT EXISTS ${MINUTES} AS SELECT * FROM rollup_minute WHERE false`);
  await conn.run(`CREATE TEMP TABLE IF NOT EXISTS ${MOVED} AS SELECT project, bucket, agent_id, model, decision_made, span_type, provider,
    agent_id AS new_agent_id, decision_made AS new_decision_made, ${FIGURES.join(', ')} FROM rollup_minute WHERE false`);
  prepared.add(conn);
}

/**
 * Applies `revisions` to project's spans. Rollup figures move only for spans with
 * seq ≤ `rolledUpSeq` (those already counted); later spans are counted as revised by their flush,
 * so a revision of spans not yet flushed is only the UPDATE.
 * Runs on a connection with no transaction open, while nothing else writes spans or rollups.
 */
export async function reviseSpanRows(conn: DuckDBConnection, project: string, revisions: readonly SpanRevision[], rolledUpSeq: bigint): Promise<RevisionResult> {
  if (revisions.length === 0) return { changed: 0, touched: [] };
  await scratchTables(conn);
  const lo = BigInt(Math.min(...revisions.map((r) => r.timestamp)));
  const hi = BigInt(Math.max(...revisions.map((r) => r.timestamp)));
  const base: DuckDBValue[] = [project, lo, hi];
  const column = (f: (r: SpanRevision) => DuckDBValue) => listValue(revisions.map(f));
  const repeated = (r: SpanRevision) =>
    r.repeated_decision === undefined ? null : `${JSON.stringify(REPEATED_DECISION_ATTRIBUTE)}:${JSON.stringify(r.repeated_decision)}`;
  const run = (sql: string, params?: DuckDBValue[], types?: DuckDBType[]) => runPrepared(conn, sql, params, types);
  const touched: [RollupTable, number[]][] = [];
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const table of [INPUT, MOVED, MINUTES]) await run(`DELETE FROM ${table}`);
    await run(SQL.input, [
      column((r) => r.trace_id), column((r) => r.span_id), column((r) => BigInt(r.timestamp)), column((r) => r.agent_id),
      column((r) => r.session_id), column((r) => r.user_id), column((r) => r.decision_made), column(repeated),
    ], INPUT_TYPES);
    await run(SQL.flags, [...base, rolledUpSeq]);
    const moved = (await (await run(`SELECT count(*) FILTER (WHERE moved)::DOUBLE FROM ${INPUT}`)).getRows())[0]?.[0] ?? 0;
    if (Number(moved) > 0) {
      await run(SQL.moved, base);
      await run(SQL.subtract);
      await run(SQL.add);
    }
    const updated = await run(SQL.update, base);
    for (const table of Number(moved) > 0 ? ROLLUP_TABLES : []) {
      await run(flushInsertSql(table, MINUTES));
      const buckets = (await (await run(touchedBucketsSql(table, MINUTES))).getRows()).map((r) => Number(r[0]));
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
