// Scores on DuckDB (store/score-store.ts): one table keyed by (project, score_id), created when the
// file opens (CREATE … IF NOT EXISTS, so it needs no schema version of its own), written on the
// source-data connection, read on the scan lane since rollups join the judged traces' spans.

import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Score } from '../../model/score.js';
import { SCORE_COHORT_MAX_TEXT, SCORE_CONTEXT_MS, type ScoreCohortQuery, type ScoreCohorts, type ScoreCursor, type ScoreExportQuery, type ScoreListQuery, type ScoreRollupQuery, type ScoreRollupRow, type SessionScoreQuery } from '../score-store.js';
import { checkScoreRollup, foldScoreRows, lastOfEach } from '../score-rollup.js';
import type { IdempotencyRecord } from '../store.js';
import { queryRows } from './read-queries.js';
import { compareUtf8 } from '../text-order.js';
import { rollbackQuietly } from './transaction.js';

const COLUMNS = [
  'project', 'score_id', 'timestamp', 'target', 'trace_id', 'span_id', 'session_id', 'name', 'kind', 'value', 'label', 'source',
  'comment', 'author', 'ingested_at',
] as const;

export const SCORE_DDL = [
  `CREATE TABLE IF NOT EXISTS scores (
    project VARCHAR NOT NULL, score_id VARCHAR NOT NULL, timestamp BIGINT NOT NULL, target VARCHAR NOT NULL,
    trace_id VARCHAR, span_id VARCHAR, session_id VARCHAR, name VARCHAR NOT NULL, kind VARCHAR NOT NULL, value DOUBLE,
    label VARCHAR, source VARCHAR NOT NULL, comment VARCHAR, author VARCHAR, ingested_at BIGINT NOT NULL,
    PRIMARY KEY (project, score_id))`,
];

/** The scores' columns as DuckDB's from_json reads them from one JSON parameter. */
const JSON_SHAPE = JSON.stringify([{
  project: 'VARCHAR', score_id: 'VARCHAR', timestamp: 'BIGINT', target: 'VARCHAR', trace_id: 'VARCHAR', span_id: 'VARCHAR', session_id: 'VARCHAR',
  name: 'VARCHAR', kind: 'VARCHAR', value: 'DOUBLE', label: 'VARCHAR', source: 'VARCHAR', comment: 'VARCHAR', author: 'VARCHAR', ingested_at: 'BIGINT',
}]);

export async function ensureScoreTable(conn: DuckDBConnection): Promise<void> {
  for (const sql of SCORE_DDL) await conn.run(sql);
}

/** Writes scores (replacing stored ones of the same id) and their idempotency records in one transaction. */
export async function appendScores(conn: DuckDBConnection, scores: Score[], keys: IdempotencyRecord[]): Promise<void> {
  const rows = lastOfEach(scores);
  await conn.run('BEGIN TRANSACTION');
  try {
    // One statement and one parameter for the whole batch: a multi-row VALUES list with 15
    // parameters a row took ~10× longer to bind and plan.
    if (rows.length > 0) {
      await conn.run(
        `INSERT OR REPLACE INTO scores (${COLUMNS.join(', ')})
          SELECT ${COLUMNS.map((c) => `r.${c}`).join(', ')} FROM (SELECT unnest(from_json(?, '${JSON_SHAPE}')) AS r)`,
        [JSON.stringify(rows)],
      );
    }
    for (const k of keys) await conn.run('INSERT INTO ingest_keys VALUES (?, ?, ?)', [k.key, k.response, BigInt(k.created_at)]);
    await conn.run('COMMIT');
  } catch (err) {
    await rollbackQuietly(conn);
    throw err;
  }
}

export function rowScore(r: Record<string, unknown>): Score {
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    project: String(r.project),
    score_id: String(r.score_id),
    timestamp: Number(r.timestamp),
    target: r.target as Score['target'],
    trace_id: text(r.trace_id),
    span_id: text(r.span_id),
    session_id: text(r.session_id),
    name: String(r.name),
    kind: r.kind as Score['kind'],
    value: r.value === null || r.value === undefined ? null : Number(r.value),
    label: text(r.label),
    source: r.source as Score['source'],
    comment: text(r.comment),
    author: text(r.author),
    ingested_at: Number(r.ingested_at),
  };
}

export async function listScores(conn: DuckDBConnection, q: ScoreListQuery): Promise<Score[]> {
  const where = ['project = ?'];
  const params: DuckDBValue[] = [q.project];
  if (q.trace_id !== undefined) { where.push('trace_id = ?'); params.push(q.trace_id); }
  if (q.session_id !== undefined) { where.push('session_id = ?'); params.push(q.session_id); }
  if (q.name !== undefined) { where.push('name = ?'); params.push(q.name); }
  if (q.from !== undefined) { where.push('timestamp >= ?'); params.push(BigInt(Math.floor(q.from))); }
  if (q.to !== undefined) { where.push('timestamp < ?'); params.push(BigInt(Math.ceil(q.to))); }
  const rows = await queryRows(
    conn,
    `SELECT ${COLUMNS.join(', ')} FROM scores WHERE ${where.join(' AND ')} ORDER BY timestamp DESC, score_id LIMIT ${Math.max(0, Math.floor(q.limit))}`,
    params,
  );
  return rows.map(rowScore);
}

export async function listSessionScores(conn: DuckDBConnection, q: SessionScoreQuery): Promise<Score[]> {
  // The session's traces are those with a span naming it; their scores need not name it themselves.
  const rows = await queryRows(
    conn,
    `SELECT ${COLUMNS.join(', ')} FROM scores WHERE project = ?
      AND (session_id = ? OR trace_id IN (SELECT DISTINCT trace_id FROM spans WHERE project = ? AND session_id = ?))
      ORDER BY timestamp DESC, score_id LIMIT ${Math.max(0, Math.floor(q.limit))}`,
    [q.project, q.session_id, q.project, q.session_id],
  );
  return rows.map(rowScore);
}

/** Per judged trace (key 't:' + trace_id) or session ('s:' + session_id): agent, model and decision of its earliest spans naming them. */
function contextSql(by: 'trace_id' | 'session_id', prefix: string, targets: string): string {
  return `SELECT '${prefix}' || ${by} AS ctx_key,
      arg_min(agent_id, timestamp) AS agent,
      arg_min(model, timestamp) FILTER (WHERE model IS NOT NULL) AS model,
      arg_min(decision_made, timestamp) FILTER (WHERE decision_made IS NOT NULL) AS decision
    FROM spans WHERE project = $project AND timestamp >= $ctx_from AND timestamp < $to
      AND ${by} IN (SELECT ${by} FROM s WHERE ${targets})
    GROUP BY ${by}`;
}

const DIMENSION_EXPR = { name: 's.name', source: 's.source', agent: 'ctx.agent', model: 'ctx.model', decision: 'ctx.decision' } as const;

export async function readScoreRollup(conn: DuckDBConnection, q: ScoreRollupQuery): Promise<ScoreRollupRow[]> {
  const { needsContext } = checkScoreRollup(q);
  const from = Math.floor(q.from / q.bucketMs) * q.bucketMs;
  const params: Record<string, DuckDBValue> = {
    project: q.project, from: BigInt(from), to: BigInt(Math.ceil(q.to)), bucket: BigInt(q.bucketMs),
  };
  // DuckDB refuses a named parameter the statement does not use.
  if (needsContext) params.ctx_from = BigInt(from - SCORE_CONTEXT_MS);
  const scoreWhere = ['project = $project', 'timestamp >= $from', 'timestamp < $to'];
  if (q.filter.name !== undefined) { scoreWhere.push('name = $name'); params.name = q.filter.name; }
  if (q.filter.source !== undefined) { scoreWhere.push('source = $source'); params.source = q.filter.source; }
  const outerWhere: string[] = [];
  for (const [field, expr] of [['agent', 'ctx.agent'], ['model', 'ctx.model'], ['decision', 'ctx.decision']] as const) {
    const v = q.filter[field];
    if (v !== undefined) {
      outerWhere.push(`${expr} = $f_${field}`);
      params[`f_${field}`] = v;
    }
  }
  const groups = q.groupBy.map((d, i) => `${DIMENSION_EXPR[d]} AS g${i}`);
  const ctx = needsContext
    ? `, ctx AS (${contextSql('trace_id', 't:', "target <> 'session'")} UNION ALL ${contextSql('session_id', 's:', "target = 'session'")})`
    : '';
  const join = needsContext
    ? `LEFT JOIN ctx ON ctx.ctx_key = CASE WHEN s.target = 'session' THEN 's:' || s.session_id ELSE 't:' || s.trace_id END`
    : '';
  const sql = `WITH s AS (SELECT * FROM scores WHERE ${scoreWhere.join(' AND ')})${ctx}
    SELECT (s.timestamp // $bucket) * $bucket AS bucket, ${[...groups, 's.label AS label'].join(', ')},
      count(*) AS n, count(s.value) AS vn, coalesce(sum(s.value), 0) AS vs, coalesce(sum(s.value * s.value), 0) AS vq
    FROM s ${join}
    ${outerWhere.length > 0 ? `WHERE ${outerWhere.join(' AND ')}` : ''}
    GROUP BY ALL`;
  const reader = await conn.runAndReadAll(sql, params);
  const rows = reader.getRowObjectsJS();
  return foldScoreRows(
    rows.map((r) => ({
      bucket: Number(r.bucket),
      group: q.groupBy.map((_, i) => (r[`g${i}`] === null ? null : String(r[`g${i}`]))),
      label: r.label === null ? null : String(r.label),
      count: Number(r.n),
      value_count: Number(r.vn),
      value_sum: Number(r.vs),
      value_sq_sum: Number(r.vq),
    })),
  );
}

export async function readScoreCohorts(conn: DuckDBConnection, q: ScoreCohortQuery): Promise<ScoreCohorts> {
  const params: Record<string, DuckDBValue> = {
    project: q.project, name: q.name, from: BigInt(Math.floor(q.from)), to: BigInt(Math.ceil(q.to)), ctx_from: BigInt(Math.floor(q.from) - SCORE_CONTEXT_MS),
    min: BigInt(Math.max(0, Math.floor(q.minCount))),
  };
  if (q.agent !== undefined) params.agent = q.agent;
  const keyFilter = q.keys === undefined ? '' : `AND j.key IN (${q.keys.map((_, i) => `$k${i}`).join(', ') || 'NULL'})`;
  q.keys?.forEach((k, i) => (params[`k${i}`] = k));
  const sql = `WITH s AS (SELECT score_id, trace_id, value FROM scores
        WHERE project = $project AND name = $name AND timestamp >= $from AND timestamp < $to AND value IS NOT NULL AND target <> 'session'),
      sp AS (SELECT trace_id, agent_id, timestamp, attributes FROM spans
        WHERE project = $project AND timestamp >= $ctx_from AND timestamp < $to AND trace_id IN (SELECT trace_id FROM s)),
      scored AS (SELECT s.* FROM s ${q.agent === undefined ? '' : 'JOIN (SELECT trace_id, arg_min(agent_id, timestamp) AS agent FROM sp GROUP BY trace_id) tr USING (trace_id) WHERE tr.agent = $agent'}),
      kv AS (SELECT DISTINCT sp.trace_id, j.key AS k, j.value ->> '$' AS v FROM sp, json_each(sp.attributes) j
        WHERE j.type IN ('VARCHAR', 'BOOLEAN', 'BIGINT', 'UBIGINT', 'DOUBLE') AND length(j.key) <= ${SCORE_COHORT_MAX_TEXT} ${keyFilter})
    SELECT NULL AS k, NULL AS v, count(*) AS n, coalesce(sum(value), 0) AS vs, coalesce(sum(value * value), 0) AS vq FROM scored
    UNION ALL
    SELECT kv.k, kv.v, count(*) AS n, sum(scored.value) AS vs, sum(scored.value * scored.value) AS vq
      FROM scored JOIN kv USING (trace_id) WHERE length(kv.v) <= ${SCORE_COHORT_MAX_TEXT}
      GROUP BY kv.k, kv.v HAVING count(*) >= $min`;
  const rows = (await conn.runAndReadAll(sql, params)).getRowObjectsJS();
  const sums = (r: Record<string, unknown>) => ({ n: Number(r.n), sum: Number(r.vs), sum_sq: Number(r.vq) });
  const total = rows.find((r) => r.k === null);
  return {
    total: total === undefined ? { n: 0, sum: 0, sum_sq: 0 } : sums(total),
    rows: rows
      .filter((r) => r.k !== null)
      .map((r) => ({ key: String(r.k), value: String(r.v), ...sums(r) }))
      .sort((a, b) => compareUtf8(a.key, b.key) || compareUtf8(a.value, b.value)),
  };
}

export async function exportScores(conn: DuckDBConnection, q: ScoreExportQuery, after: ScoreCursor | null, limit: number): Promise<Score[]> {
  const where = ['project = ?', 'timestamp >= ?', 'timestamp < ?'];
  const params: DuckDBValue[] = [q.project, BigInt(Math.floor(q.from)), BigInt(Math.ceil(q.to))];
  if (after !== null) {
    where.push('(timestamp > ? OR (timestamp = ? AND score_id > ?))');
    params.push(BigInt(after.timestamp), BigInt(after.timestamp), after.score_id);
  }
  const rows = await queryRows(
    conn,
    `SELECT ${COLUMNS.join(', ')} FROM scores WHERE ${where.join(' AND ')} ORDER BY timestamp, score_id LIMIT ${Math.max(0, Math.floor(limit))}`,
    params,
  );
  return rows.map(rowScore);
}

export async function deleteScoresBefore(conn: DuckDBConnection, before: number): Promise<{ scores: number }> {
  const deleted = await conn.run('DELETE FROM scores WHERE timestamp < ?', [BigInt(Math.floor(before))]);
  return { scores: Number(deleted.rowsChanged) };
}
