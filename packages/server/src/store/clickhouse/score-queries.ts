// Scores on ClickHouse (store/score-store.ts), in the SQL subset 18.16 understands. One
// ReplacingMergeTree table ordered by (project, score_id), created when the store opens (IF NOT
// EXISTS, so no schema version of its own); in a cluster a Distributed table sharded by score id.
// Replacement by merges is eventual and never crosses daily partitions, so every read keeps the
// newest version of each id itself (argMax by ingested_at). Optional text is '' for null: 18.16
// cannot put Nullable columns in keys, and the validator never lets '' through.

import type { Score } from '../../model/score.js';
import { SCORE_COHORT_MAX_TEXT, SCORE_CONTEXT_MS, type ScoreCohortQuery, type ScoreCohorts, type ScoreCursor, type ScoreExportQuery, type ScoreListQuery, type ScoreRollupQuery, type ScoreRollupRow, type SessionScoreQuery } from '../score-store.js';
import { checkScoreRollup, foldScoreRows, lastOfEach } from '../score-rollup.js';
import type { IdempotencyRecord } from '../store.js';
import type { Connection } from './connection.js';
import { waitForMutations } from './retention.js';
import { DAY_MS, type Layout } from './schema.js';
import { int, ms, str } from './sql.js';
import { JSON_TOKEN, unescape } from './insight-queries.js';
import { compareUtf8 } from '../text-order.js';

type Optional = 'trace_id' | 'span_id' | 'session_id' | 'label' | 'comment' | 'author';
const FIELDS = ['timestamp', 'target', 'trace_id', 'span_id', 'session_id', 'name', 'kind', 'value', 'has_value', 'label', 'source', 'comment', 'author'] as const;

export interface ScoreTables {
  /** What inserts and reads use (Distributed in a cluster). */
  table: string;
  /** The MergeTree on each data server. */
  local: string;
  /** The servers holding `local`, for DDL and retention. */
  shards: Connection[];
  /** ' ON CLUSTER x' when DDL goes once to the entry server. */
  onCluster: string;
}

export function scoreTables(layout: Layout, shards: Connection[]): ScoreTables {
  const onCluster = layout.onCluster && layout.cluster !== undefined ? ` ON CLUSTER ${layout.cluster}` : '';
  return {
    table: `${layout.db}.scores`,
    local: layout.cluster === undefined ? `${layout.db}.scores` : `${layout.db}.scores_local`,
    shards,
    onCluster,
  };
}

/** Creates the table on every data server (and the Distributed one), safe when nodes start together. */
export async function ensureScoreTables(t: ScoreTables, layout: Layout): Promise<void> {
  for (const conn of t.shards) {
    await conn.command(`CREATE TABLE IF NOT EXISTS ${t.local}${t.onCluster} (
        project String, score_id String, timestamp UInt64, target String, trace_id String, span_id String, session_id String,
        name String, kind String, value Float64, has_value UInt8, label String, source String, comment String, author String,
        ingested_at UInt64
      ) ENGINE = ReplacingMergeTree(ingested_at)
      PARTITION BY intDiv(timestamp, ${DAY_MS})
      ORDER BY (project, score_id)`);
    if (layout.cluster !== undefined) {
      await conn.command(`CREATE TABLE IF NOT EXISTS ${t.table}${t.onCluster} AS ${t.local}
        ENGINE = Distributed(${layout.cluster}, ${layout.db}, scores_local, cityHash64(score_id))`);
    }
  }
}

function scoreRow(s: Score): Record<string, unknown> {
  return {
    project: s.project, score_id: s.score_id, timestamp: Math.floor(s.timestamp), target: s.target,
    trace_id: s.trace_id ?? '', span_id: s.span_id ?? '', session_id: s.session_id ?? '', name: s.name, kind: s.kind,
    value: s.value ?? 0, has_value: s.value === null ? 0 : 1, label: s.label ?? '', source: s.source, comment: s.comment ?? '',
    author: s.author ?? '', ingested_at: Math.floor(s.ingested_at),
  };
}

function rowScore(r: Record<string, unknown>): Score {
  const opt = (k: Optional) => (r[k] === '' || r[k] === null || r[k] === undefined ? null : String(r[k]));
  return {
    project: String(r.project), score_id: String(r.score_id), timestamp: Number(r.timestamp), target: r.target as Score['target'],
    trace_id: opt('trace_id'), span_id: opt('span_id'), session_id: opt('session_id'), name: String(r.name), kind: r.kind as Score['kind'],
    value: Number(r.has_value) === 1 ? Number(r.value) : null, label: opt('label'), source: r.source as Score['source'],
    comment: opt('comment'), author: opt('author'), ingested_at: Number(r.ingested_at),
  };
}

/** The newest version of each score id among rows matching `where`, one row per id. */
function latestSql(t: ScoreTables, where: string[]): string {
  // Inner aliases differ from column names: 18.16 resolves an alias before the column it shadows.
  const latest = `SELECT project, score_id, ${FIELDS.map((f) => `argMax(${f}, ingested_at) AS l_${f}`).join(', ')}, max(ingested_at) AS l_ingested_at
    FROM ${t.table} WHERE ${where.join(' AND ')} GROUP BY project, score_id`;
  return `SELECT project, score_id, ${[...FIELDS, 'ingested_at'].map((f) => `l_${f} AS ${f}`).join(', ')} FROM (${latest})`;
}

export function createScoreQueries(conn: Connection, t: ScoreTables, recordKeys: (keys: IdempotencyRecord[]) => Promise<void>) {
  return {
    async appendScores(scores: Score[], opts: { idempotency?: IdempotencyRecord[] } = {}): Promise<void> {
      if (scores.length > 0) await conn.insert(t.table, lastOfEach(scores).map(scoreRow));
      // As for spans: the key only once the scores are in (a crash between leaves a retry that
      // stores them again, which replaces them by id).
      await recordKeys(opts.idempotency ?? []);
    },

    async listScores(q: ScoreListQuery): Promise<Score[]> {
      const where = [`project = ${str(q.project)}`];
      if (q.trace_id !== undefined) where.push(`trace_id = ${str(q.trace_id)}`);
      if (q.session_id !== undefined) where.push(`session_id = ${str(q.session_id)}`);
      if (q.name !== undefined) where.push(`name = ${str(q.name)}`);
      if (q.from !== undefined) where.push(`timestamp >= ${ms(q.from)}`);
      if (q.to !== undefined) where.push(`timestamp < ${ms(Math.ceil(q.to))}`);
      const rows = await conn.rows(`SELECT * FROM (${latestSql(t, where)}) ORDER BY timestamp DESC, score_id LIMIT ${int(Math.max(0, Math.floor(q.limit)))}`);
      return rows.map(rowScore);
    },

    async listSessionScores(q: SessionScoreQuery, spans: string): Promise<Score[]> {
      // The session's traces are those with a span naming it; their scores need not name it themselves.
      const traces = `SELECT DISTINCT trace_id FROM ${spans} WHERE project = ${str(q.project)} AND session_id = ${str(q.session_id)}`;
      const where = [`project = ${str(q.project)}`, `(session_id = ${str(q.session_id)} OR trace_id GLOBAL IN (${traces}))`];
      const rows = await conn.rows(`SELECT * FROM (${latestSql(t, where)}) ORDER BY timestamp DESC, score_id LIMIT ${int(Math.max(0, Math.floor(q.limit)))}`);
      return rows.map(rowScore);
    },

    async scoreRollup(q: ScoreRollupQuery, spans: string): Promise<ScoreRollupRow[]> {
      const { needsContext } = checkScoreRollup(q);
      const from = Math.floor(q.from / q.bucketMs) * q.bucketMs;
      const where = [`project = ${str(q.project)}`, `timestamp >= ${ms(from)}`, `timestamp < ${ms(Math.ceil(q.to))}`];
      if (q.filter.name !== undefined) where.push(`name = ${str(q.filter.name)}`);
      if (q.filter.source !== undefined) where.push(`source = ${str(q.filter.source)}`);
      const scored = `SELECT *, if(target = 'session', concat('s:', session_id), concat('t:', trace_id)) AS ctx_key FROM (${latestSql(t, where)})`;
      // The earliest non-null value wins: nulls sort after every timestamp (ms < 10^13).
      const first = (col: string) => `argMin(ifNull(${col}, ''), toUInt64(isNull(${col})) * 10000000000000 + timestamp)`;
      const context = (by: 'trace_id' | 'session_id', prefix: string, targets: string) =>
        `SELECT concat('${prefix}', ${by === 'session_id' ? 'assumeNotNull(session_id)' : 'trace_id'}) AS ctx_key,
            argMin(agent_id, timestamp) AS agent, ${first('model')} AS model, ${first('decision_made')} AS decision
          FROM ${spans} WHERE project = ${str(q.project)} AND timestamp >= ${ms(from - SCORE_CONTEXT_MS)} AND timestamp < ${ms(Math.ceil(q.to))}
            AND ${by === 'session_id' ? 'assumeNotNull(session_id)' : 'trace_id'} GLOBAL IN (SELECT ${by} FROM ${t.table} WHERE ${where.join(' AND ')} AND ${targets})
          GROUP BY ${by}`;
      const source = needsContext
        ? `(${scored}) ANY LEFT JOIN (SELECT * FROM (${context('trace_id', 't:', "target != 'session'")} UNION ALL ${context('session_id', 's:', "target = 'session'")})) USING ctx_key`
        : `(${scored})`;
      const dims = { name: 'name', source: 'source', agent: "nullIf(agent, '')", model: "nullIf(model, '')", decision: "nullIf(decision, '')" } as const;
      const outer: string[] = [];
      for (const d of ['agent', 'model', 'decision'] as const) {
        const v = q.filter[d];
        if (v !== undefined) outer.push(`${d} = ${str(v)}`);
      }
      const groups = q.groupBy.map((d, i) => `${dims[d]} AS g${i}`);
      const rows = await conn.rows(
        `SELECT intDiv(timestamp, ${int(q.bucketMs)}) * ${int(q.bucketMs)} AS bucket, ${[...groups, 'label'].join(', ')},
            count() AS n, sum(has_value) AS vn, sum(value) AS vs, sum(value * value) AS vq
          FROM ${source} ${outer.length > 0 ? `WHERE ${outer.join(' AND ')}` : ''}
          GROUP BY bucket, ${[...q.groupBy.map((_, i) => `g${i}`), 'label'].join(', ')}`,
      );
      return foldScoreRows(
        rows.map((r) => ({
          bucket: Number(r.bucket),
          group: q.groupBy.map((_, i) => (r[`g${i}`] === null || r[`g${i}`] === undefined ? null : String(r[`g${i}`]))),
          label: r.label === '' ? null : String(r.label),
          count: Number(r.n),
          value_count: Number(r.vn),
          value_sum: Number(r.vs),
          value_sq_sum: Number(r.vq),
        })),
      );
    },

    /** As DuckDB's: the attribute pairs come from the same JSON tokens as the span cohorts (insight-queries.ts). */
    async scoreCohorts(q: ScoreCohortQuery, spans: string): Promise<ScoreCohorts> {
      const where = [`project = ${str(q.project)}`, `name = ${str(q.name)}`, `timestamp >= ${ms(Math.floor(q.from))}`, `timestamp < ${ms(Math.ceil(q.to))}`];
      const spanWhere = `project = ${str(q.project)} AND timestamp >= ${ms(Math.floor(q.from) - SCORE_CONTEXT_MS)} AND timestamp < ${ms(Math.ceil(q.to))}
        AND trace_id GLOBAL IN (SELECT trace_id FROM ${t.table} WHERE ${where.join(' AND ')})`;
      let scored = `SELECT trace_id, value FROM (${latestSql(t, where)}) WHERE has_value = 1 AND target != 'session'`;
      if (q.agent !== undefined) {
        scored = `SELECT trace_id, value FROM (${scored}) ANY INNER JOIN
          (SELECT trace_id, argMin(agent_id, timestamp) AS first_agent FROM ${spans} WHERE ${spanWhere} GROUP BY trace_id) USING trace_id
          WHERE first_agent = ${str(q.agent)}`;
      }
      const isKey = `i -> depth[i] = 1 AND toks[i + 1] = ':' AND substring(toks[i], 1, 1) = '"'
        AND NOT has(['{', '[', 'null'], toks[i + 2]) AND lengthUTF8(${unescape('toks[i]')}) <= ${SCORE_COHORT_MAX_TEXT}`;
      const pairs = `SELECT trace_id, k, pv FROM (
          SELECT trace_id, extractAll(attributes, ${str(JSON_TOKEN)}) AS toks,
            arrayCumSum(arrayMap(x -> multiIf(x = '{' OR x = '[', 1, x = '}' OR x = ']', -1, 0), toks)) AS depth,
            arrayFilter(${isKey}, arrayEnumerate(toks)) AS kix,
            arrayMap(i -> ${unescape('toks[i]')}, kix) AS ks,
            arrayMap(i -> if(substring(toks[i + 2], 1, 1) = '"', ${unescape('toks[i + 2]')}, toks[i + 2]), kix) AS vs
          FROM ${spans} WHERE ${spanWhere}
        ) ARRAY JOIN ks AS k, vs AS pv
        WHERE lengthUTF8(pv) <= ${SCORE_COHORT_MAX_TEXT} ${q.keys === undefined ? '' : `AND k IN (${q.keys.map(str).join(', ') || "''"})`}
        GROUP BY trace_id, k, pv`;
      const [totals, rows] = await Promise.all([
        conn.rows(`SELECT count() AS n, sum(value) AS vs, sum(value * value) AS vq FROM (${scored})`),
        conn.rows(`SELECT k, pv, count() AS n, sum(value) AS vs, sum(value * value) AS vq
          FROM (${scored}) ALL INNER JOIN (${pairs}) USING trace_id
          GROUP BY k, pv HAVING count() >= ${int(Math.max(0, Math.floor(q.minCount)))}`),
      ]);
      const sums = (r: Record<string, unknown>) => ({ n: Number(r.n ?? 0), sum: Number(r.vs ?? 0), sum_sq: Number(r.vq ?? 0) });
      return {
        total: totals[0] === undefined ? { n: 0, sum: 0, sum_sq: 0 } : sums(totals[0]),
        rows: rows.map((r) => ({ key: String(r.k), value: String(r.pv), ...sums(r) })).sort((a, b) => compareUtf8(a.key, b.key) || compareUtf8(a.value, b.value)),
      };
    },

    async exportScores(q: ScoreExportQuery, after: ScoreCursor | null, limit: number): Promise<Score[]> {
      const where = [`project = ${str(q.project)}`, `timestamp >= ${ms(q.from)}`, `timestamp < ${ms(Math.ceil(q.to))}`];
      const page = after === null ? '' : `WHERE timestamp > ${ms(after.timestamp)} OR (timestamp = ${ms(after.timestamp)} AND score_id > ${str(after.score_id)})`;
      const rows = await conn.rows(`SELECT * FROM (${latestSql(t, where)}) ${page} ORDER BY timestamp, score_id LIMIT ${int(Math.max(0, Math.floor(limit)))}`);
      return rows.map(rowScore);
    },

    async deleteScoresBefore(before: number): Promise<{ scores: number }> {
      const counted = await conn.rows<{ n: number }>(`SELECT count() AS n FROM (${latestSql(t, [`timestamp < ${ms(before)}`])})`);
      const n = Number(counted[0]?.n ?? 0);
      if (n === 0) return { scores: 0 };
      for (const shard of t.shards) await shard.command(`ALTER TABLE ${t.local}${t.onCluster} DELETE WHERE timestamp < ${ms(before)}`);
      await Promise.all(t.shards.map((shard) => waitForMutations(shard, t.local)));
      return { scores: n };
    },
  };
}
