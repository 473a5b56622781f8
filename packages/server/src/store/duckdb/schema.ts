// DuckDB schema and its versioned migrations. The meta table records the version a file is at;
// opening runs every later migration once, in order, each in its own transaction.

import type { DuckDBConnection } from '@duckdb/node-api';
import { SightlineError } from '../../model/errors.js';
import { DIMENSIONS, DIMENSION_COLUMN, type Dimension } from '../../model/span.js';
import { FIGURE_SUMS } from '../figures.js';
import { LATENCY_BUCKETS } from '../latency-sketch.js';
import { TRACE_INDEX_DDL, traceIndexSelect } from './trace-index.js';

/**
 * Span columns in table order as created by migration 1; the appender writes them in exactly this
 * order, then `seq` (added by migration 2).
 */
export const SPAN_COLUMNS = [
  ['project', 'VARCHAR NOT NULL'],
  ['timestamp', 'BIGINT NOT NULL'],
  ['agent_id', 'VARCHAR NOT NULL'],
  ['trace_id', 'VARCHAR NOT NULL'],
  ['span_id', 'VARCHAR NOT NULL'],
  ['parent_span_id', 'VARCHAR'],
  ['span_type', 'VARCHAR NOT NULL'],
  ['name', 'VARCHAR'],
  ['model', 'VARCHAR'],
  ['provider', 'VARCHAR'],
  ['tokens_input', 'BIGINT NOT NULL'],
  ['tokens_output', 'BIGINT NOT NULL'],
  ['tokens_cache_read', 'BIGINT NOT NULL'],
  ['tokens_cache_write', 'BIGINT NOT NULL'],
  ['tokens_reasoning', 'BIGINT NOT NULL'],
  ['latency_ms', 'DOUBLE NOT NULL'],
  ['cost_usd', 'DOUBLE'],
  ['cost_source', 'VARCHAR NOT NULL'],
  ['decision_made', 'VARCHAR'],
  ['confidence', 'DOUBLE'],
  ['error_type', 'VARCHAR'],
  ['error_message', 'VARCHAR'],
  ['session_id', 'VARCHAR'],
  ['user_id', 'VARCHAR'],
  ['attributes', 'VARCHAR NOT NULL'],
  ['input', 'VARCHAR'],
  ['output', 'VARCHAR'],
  ['ingested_at', 'BIGINT NOT NULL'],
] as const;

/** Histogram columns h0..h63: separate integers so summing them is a plain columnar aggregate. */
export const HIST_COLUMNS = Array.from({ length: LATENCY_BUCKETS }, (_, i) => `h${i}`);

/** Rollup key columns, in table order. */
export const ROLLUP_KEY_COLUMNS = [
  'project',
  'bucket',
  'agent_id',
  'model',
  'decision_made',
  'span_type',
  'provider',
] as const;

/** Rollup figures that add up, in table order (after the key columns, before h0..h63). */
export const ROLLUP_SUM_COLUMNS = FIGURE_SUMS;

export const ROLLUP_TABLES = ['rollup_minute', 'rollup_hour', 'rollup_dim_5min'] as const;
export type RollupTable = (typeof ROLLUP_TABLES)[number];

/** Bucket width of rollup_dim_5min. */
export const DIMENSION_BUCKET_MS = 300_000;

/** rollup_dim_5min.dim: a dimension's index in DIMENSIONS (a TINYINT compares faster than text). */
export const DIMENSION_CODE = Object.fromEntries(DIMENSIONS.map((d, i) => [d, i])) as Record<Dimension, number>;

/**
 * Key columns of a rollup table. rollup_dim_5min holds each span once per dimension: `dim` is the
 * dimension's code and `value` the span's value of it.
 */
export function rollupKeyColumns(table: RollupTable): readonly string[] {
  return table === 'rollup_dim_5min' ? ['project', 'bucket', 'dim', 'value'] : ROLLUP_KEY_COLUMNS;
}

const FIGURES_DDL = `count BIGINT NOT NULL, errors BIGINT NOT NULL, latency_sum DOUBLE NOT NULL,
    tokens_input BIGINT NOT NULL, tokens_output BIGINT NOT NULL, tokens_cache_read BIGINT NOT NULL,
    tokens_cache_write BIGINT NOT NULL, tokens_reasoning BIGINT NOT NULL, cost_usd DOUBLE NOT NULL,
    confidence_sum DOUBLE NOT NULL, confidence_count BIGINT NOT NULL`;

/** The figures summed, as stored (BIGINT sums come back as HUGEINT otherwise). */
const SUMMED_FIGURES = ROLLUP_SUM_COLUMNS.map((c) =>
  c === 'latency_sum' || c === 'cost_usd' || c === 'confidence_sum' ? `sum("${c}")` : `sum("${c}")::BIGINT`,
).join(', ');

/** The histogram of rows with h0..h63 columns, summed into rollup_dim_5min's one array column. */
const HIST_COLUMNS_AS_ARRAY = `[${HIST_COLUMNS.map((h) => `sum(${h})`).join(', ')}]::INTEGER[${LATENCY_BUCKETS}]`;

/**
 * A rollup table's figures summed per key (compaction). rollup_dim_5min keeps its histogram as one
 * INTEGER[64]: reading 64 columns cost more than the rows it reads (~1 ms a read).
 */
export function rollupMergedSums(table: RollupTable): string {
  if (table === 'rollup_dim_5min') {
    return `${SUMMED_FIGURES}, [${HIST_COLUMNS.map((_, i) => `sum(hist[${i + 1}])`).join(', ')}]::INTEGER[${LATENCY_BUCKETS}]`;
  }
  return `${SUMMED_FIGURES}, ${HIST_COLUMNS.map((h) => `sum(${h})::INTEGER`).join(', ')}`;
}

/**
 * rollup_dim_5min rows from minute rollup rows in `source` (a table with rollup_minute's columns),
 * one grouping set per dimension: one pass and one statement (five GROUP BYs joined by UNION ALL
 * cost ~2.5× as much per flush). Single-dimension reads at 5-minute grain or coarser (correlations,
 * a chart split by one dimension) read ~40 rows a bucket there instead of every key combination.
 */
export function dimensionRollupSelect(source: string): string {
  const column = (d: Dimension) => `"${DIMENSION_COLUMN[d]}"`;
  const which = (then: (d: Dimension) => string) =>
    `CASE ${DIMENSIONS.map((d) => `WHEN grouping(${column(d)}) = 0 THEN ${then(d)}`).join(' ')} END`;
  return `SELECT project, (bucket // ${DIMENSION_BUCKET_MS}) * ${DIMENSION_BUCKET_MS} AS b,
      (${which((d) => String(DIMENSION_CODE[d]))})::TINYINT AS dim, ${which(column)} AS value, ${SUMMED_FIGURES}, ${HIST_COLUMNS_AS_ARRAY}
    FROM ${source} GROUP BY GROUPING SETS (${DIMENSIONS.map((d) => `(project, b, ${column(d)})`).join(', ')})`;
}

function rollupTableDdl(table: RollupTable): string {
  if (table === 'rollup_dim_5min') {
    return `CREATE TABLE ${table} (
      project VARCHAR NOT NULL, bucket BIGINT NOT NULL, dim TINYINT NOT NULL, value VARCHAR, ${FIGURES_DDL},
      hist INTEGER[${LATENCY_BUCKETS}] NOT NULL
    )`;
  }
  return `CREATE TABLE ${table} (
    project VARCHAR NOT NULL, bucket BIGINT NOT NULL, agent_id VARCHAR NOT NULL, model VARCHAR,
    decision_made VARCHAR, span_type VARCHAR NOT NULL, provider VARCHAR, ${FIGURES_DDL},
    ${HIST_COLUMNS.map((h) => `${h} INTEGER NOT NULL`).join(', ')}
  )`;
}

/** Migration n brings a file from version n to n + 1. Append only; never edit a shipped one. */
const MIGRATIONS: string[][] = [
  [
    `CREATE TABLE spans (${SPAN_COLUMNS.map(([n, t]) => `"${n}" ${t}`).join(', ')})`,
    // Trace lookups at 10M spans: ~40 ms by scan, a few ms through this index (ARCHITECTURE.md).
    'CREATE INDEX spans_trace ON spans (project, trace_id)',
    rollupTableDdl('rollup_minute'),
    rollupTableDdl('rollup_hour'),
    'CREATE TABLE projects (name VARCHAR PRIMARY KEY, created_at BIGINT NOT NULL)',
    `CREATE TABLE api_keys (
      id VARCHAR PRIMARY KEY, project VARCHAR NOT NULL, hash VARCHAR NOT NULL UNIQUE,
      prefix VARCHAR NOT NULL, scopes VARCHAR NOT NULL, created_at BIGINT NOT NULL,
      expires_at BIGINT, revoked_at BIGINT
    )`,
  ],
  [
    // The ART index cost every append (and every checkpoint rewrote it); trace lookups scan with
    // zone-map pruning instead (see README.md, "Trace lookup").
    'DROP INDEX spans_trace',
    // Append batch number: rollups are derived later from spans with seq > meta.rollup_seq.
    'ALTER TABLE spans ADD COLUMN seq BIGINT',
    // Spans written before this migration already have their rollups.
    "INSERT OR REPLACE INTO meta (key, value) VALUES ('rollup_seq', '0')",
  ],
  [
    // Alert persistence (src/alert): rules, states, silences and deliveries as JSON documents,
    // few and small, so one keyed table serves them all; the history is append-only.
    `CREATE TABLE alert_records (
      kind VARCHAR NOT NULL, project VARCHAR NOT NULL, id VARCHAR NOT NULL,
      updated_at BIGINT NOT NULL, body VARCHAR NOT NULL, PRIMARY KEY (kind, project, id)
    )`,
    `CREATE TABLE alert_events (
      project VARCHAR NOT NULL, id VARCHAR NOT NULL, "at" BIGINT NOT NULL, alert_id VARCHAR NOT NULL,
      rule_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, body VARCHAR NOT NULL
    )`,
  ],
  [
    // Insight engine (insight-materialize.ts): hourly aggregates of traces by decision path and of
    // spans by attribute value, so 7-day path and cohort analyses read thousands of rows, not 10M.
    `CREATE TABLE path_hour (
      project VARCHAR NOT NULL, hour BIGINT NOT NULL, agent_id VARCHAR NOT NULL, path VARCHAR NOT NULL,
      traces BIGINT NOT NULL, error_traces BIGINT NOT NULL, cost_usd DOUBLE NOT NULL,
      tokens_input BIGINT NOT NULL, tokens_output BIGINT NOT NULL, tokens_cache_read BIGINT NOT NULL,
      ${HIST_COLUMNS.map((h) => `${h} INTEGER NOT NULL`).join(', ')}
    )`,
    `CREATE TABLE cohort_hour (
      project VARCHAR NOT NULL, hour BIGINT NOT NULL, agent_id VARCHAR NOT NULL, key VARCHAR NOT NULL,
      value VARCHAR NOT NULL, spans BIGINT NOT NULL, span_errors BIGINT NOT NULL, span_latency_sum DOUBLE NOT NULL,
      traces BIGINT NOT NULL, trace_errors BIGINT NOT NULL, trace_latency_sum DOUBLE NOT NULL,
      cost_usd DOUBLE NOT NULL, tokens BIGINT NOT NULL, confidence_sum DOUBLE NOT NULL, confidence_count BIGINT NOT NULL
    )`,
    // Hours whose aggregates are current as of the insight watermark (meta.insight_seq).
    'CREATE TABLE insight_hours (hour BIGINT PRIMARY KEY, materialized_at BIGINT NOT NULL)',
    "INSERT OR REPLACE INTO meta (key, value) VALUES ('insight_seq', '0')",
    "INSERT OR REPLACE INTO meta (key, value) VALUES ('insight_open_hours', '[]')",
  ],
  [
    // Idempotency-Key of each acknowledged request, written in the span transaction: a client
    // retrying after a lost response (even across a crash) gets the first answer, not a duplicate.
    `CREATE TABLE ingest_keys (key VARCHAR NOT NULL, response VARCHAR NOT NULL, created_at BIGINT NOT NULL)`,
  ],
  [
    // Each trace's time span (trace-index.ts), for trace lookups without a time hint. Spans past
    // meta.rollup_seq are indexed by the recovery flush that runs after migrations.
    TRACE_INDEX_DDL,
    `INSERT INTO trace_index ${traceIndexSelect("seq IS NULL OR seq <= CAST((SELECT value FROM meta WHERE key = 'rollup_seq') AS BIGINT)")}`,
  ],
  [
    // Per-dimension 5-minute rollups, filled from the minute rows (spans past meta.rollup_seq get
    // theirs from the recovery flush that runs after migrations, like every rollup row).
    rollupTableDdl('rollup_dim_5min'),
    // In time order, as flushes write it: a read of recent buckets then touches few vectors.
    `INSERT INTO rollup_dim_5min SELECT * FROM (${dimensionRollupSelect('rollup_minute')}) ORDER BY b, dim, value`,
  ],
];

/** The version this code writes. Files at a higher version were written by newer code. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Creates the schema or migrates it to SCHEMA_VERSION; throws SCHEMA_TOO_NEW for newer files. */
export async function migrate(conn: DuckDBConnection, path: string): Promise<void> {
  await conn.run('CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)');
  const found = await conn.runAndReadAll("SELECT value FROM meta WHERE key = 'schema_version'");
  const current = Number(found.getRows()[0]?.[0] ?? 0);
  if (current > SCHEMA_VERSION) {
    throw new SightlineError(
      'SCHEMA_TOO_NEW',
      `${path} has schema version ${current}; this Sightline supports up to ${SCHEMA_VERSION}, upgrade it`,
    );
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    await conn.run('BEGIN TRANSACTION');
    try {
      for (const sql of MIGRATIONS[v]!) await conn.run(sql);
      await conn.run(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
        [String(v + 1)],
      );
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK');
      throw err;
    }
  }
}
