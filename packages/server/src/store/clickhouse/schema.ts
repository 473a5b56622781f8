// ClickHouse tables and their versioned migrations, in the SQL subset 18.16 understands: epoch-ms
// UInt64 columns, daily partitions by intDiv (retention drops them), no TTL/codecs/Map/JSON types.
// Rollups are SummingMergeTree tables the ingest path fills with delta rows computed by rollup.ts
// (the code DuckDB uses); merges add up rows of one key, and readers GROUP BY and sum, so unmerged
// parts are correct. (Materialized views with 64 countIf columns made each insert 4× slower.)
// Since version 4 a rollup's latency histogram is one sparse nested map (rollup-histograms.ts) and
// trace_index holds each trace's time span, filled by a materialized view on spans.
// Since version 5 rollup_agent_minute holds minute rollups per agent, filled by a view on rollup_minute.

import { FIGURE_SUMS, type FigureSum } from '../figures.js';
import { LATENCY_BUCKETS } from '../latency-sketch.js';
import { CH_ILLEGAL_COLUMN } from './connection.js';

export const DAY_MS = 86_400_000;

/** Histogram columns h0..h63 (UInt64 each) of path_hour, and of rollups before version 4. */
export const HIST_COLUMNS = Array.from({ length: LATENCY_BUCKETS }, (_, i) => `h${i}`);

/** Span columns as stored; `node` and `inserted_at` are the store's own. */
export const SPAN_COLUMNS = [
  ['project', 'String'],
  ['timestamp', 'UInt64'],
  ['agent_id', 'String'],
  ['trace_id', 'String'],
  ['span_id', 'String'],
  ['parent_span_id', 'Nullable(String)'],
  ['span_type', 'String'],
  ['name', 'Nullable(String)'],
  ['model', 'Nullable(String)'],
  ['provider', 'Nullable(String)'],
  ['tokens_input', 'Int64'],
  ['tokens_output', 'Int64'],
  ['tokens_cache_read', 'Int64'],
  ['tokens_cache_write', 'Int64'],
  ['tokens_reasoning', 'Int64'],
  ['latency_ms', 'Float64'],
  ['cost_usd', 'Nullable(Float64)'],
  ['cost_source', 'String'],
  ['decision_made', 'Nullable(String)'],
  ['confidence', 'Nullable(Float64)'],
  ['error_type', 'Nullable(String)'],
  ['error_message', 'Nullable(String)'],
  ['session_id', 'Nullable(String)'],
  ['user_id', 'Nullable(String)'],
  ['attributes', 'String'],
  ['input', 'Nullable(String)'],
  ['output', 'Nullable(String)'],
  ['ingested_at', 'UInt64'],
  // Which Sightline node inserted the row and when (its clock): the live follower's watermark.
  ['node', 'String'],
  ['inserted_at', 'UInt64'],
] as const;

export type SpanColumn = (typeof SPAN_COLUMNS)[number][0];

/**
 * Rollup key: the span dimensions. Nullable columns cannot be part of a sorting key on 18.16, so
 * each nullable dimension is a value column (`''` for null) plus a `_null` flag.
 */
export const NULLABLE_DIMENSIONS = ['model', 'decision_made', 'provider'] as const;

/** Each figure's column type (the types since version 1). */
const FIGURE_TYPE: Record<FigureSum, 'UInt64' | 'Int64' | 'Float64'> = {
  count: 'UInt64',
  errors: 'UInt64',
  latency_sum: 'Float64',
  tokens_input: 'Int64',
  tokens_output: 'Int64',
  tokens_cache_read: 'Int64',
  tokens_cache_write: 'Int64',
  tokens_reasoning: 'Int64',
  cost_usd: 'Float64',
  confidence_sum: 'Float64',
  confidence_count: 'UInt64',
};

/** Figures that add up (store/figures.ts), in their order, with their column types. */
export const ROLLUP_SUMS = FIGURE_SUMS.map((c) => [c, FIGURE_TYPE[c]] as const);

export const ROLLUP_TABLES = { rollup_minute: 60_000, rollup_hour: 3_600_000 } as const;
export type RollupTable = keyof typeof ROLLUP_TABLES;

/** The tables of schema version 1; in a cluster each is a Distributed table over `<name>_local`. */
export const TABLES = ['spans', 'rollup_minute', 'rollup_hour', 'docs', 'leases', 'alert_events'] as const;
/** The insight engine's hourly aggregates (version 2, see insight-materialize.ts). */
export const INSIGHT_TABLES = ['path_hour', 'cohort_hour', 'insight_hours'] as const;
/** Idempotency-Key records of acknowledged ingest requests (version 3, see ingest-keys.ts). */
export const INGEST_KEYS = 'ingest_keys';
/** Each trace's first and last span timestamp, per inserted block (version 4, see trace-queries.ts). */
export const TRACE_INDEX = 'trace_index';
/** Minute rollups per (project, bucket, agent) and the moment they are complete from (version 5, agent-minute.ts). */
export const AGENT_MINUTE = 'rollup_agent_minute';
export const AGENT_MINUTE_START = 'rollup_agent_minute_start';
/** Every table Sightline reads and writes. */
export type Table =
  | (typeof TABLES)[number]
  | (typeof INSIGHT_TABLES)[number]
  | typeof INGEST_KEYS
  | typeof TRACE_INDEX
  | typeof AGENT_MINUTE
  | typeof AGENT_MINUTE_START;

/** Where tables live: one server, or a cluster of shards. */
export interface Layout {
  db: string;
  cluster?: string;
  /** True when DDL is sent once with ON CLUSTER (needs Keeper/ZooKeeper) instead of to each shard. */
  onCluster: boolean;
}

/** The table queries and inserts use (the Distributed one in a cluster). */
export function tableName(layout: Layout, t: Table): string {
  return `${layout.db}.${t}`;
}

/** The MergeTree holding the data on this server. */
export function localName(layout: Layout, t: Table): string {
  return layout.cluster === undefined ? `${layout.db}.${t}` : `${layout.db}.${t}_local`;
}

function on(layout: Layout): string {
  return layout.onCluster && layout.cluster !== undefined ? ` ON CLUSTER ${layout.cluster}` : '';
}

function rollupTableDdl(layout: Layout, t: RollupTable): string {
  const dims = NULLABLE_DIMENSIONS.map((d) => `${d}_key String, ${d}_null UInt8`).join(', ');
  const key = NULLABLE_DIMENSIONS.map((d) => `${d}_key, ${d}_null`).join(', ');
  return `CREATE TABLE IF NOT EXISTS ${localName(layout, t)}${on(layout)} (
      project String, bucket UInt64, agent_id String, span_type String, ${dims},
      ${ROLLUP_SUMS.map(([c, type]) => `${c} ${type}`).join(', ')},
      ${HIST_COLUMNS.map((h) => `${h} UInt64`).join(', ')}
    ) ENGINE = SummingMergeTree
    PARTITION BY intDiv(bucket, ${DAY_MS})
    ORDER BY (project, bucket, agent_id, span_type, ${key})`;
}

/** How each Distributed table spreads rows: a trace stays on one shard; small tables live on the first. */
const SHARDING_KEY: Record<Table, string> = {
  spans: 'cityHash64(trace_id)',
  rollup_minute: 'rand()',
  rollup_hour: 'rand()',
  // Documents, leases and alert history are tiny and need read-your-writes across nodes.
  docs: '0',
  leases: '0',
  alert_events: '0',
  // Rows of one materialization of an hour are read together by (hour, version) from every shard.
  path_hour: 'rand()',
  cohort_hour: 'rand()',
  // Small, and the materializer must see its own commit markers at once.
  insight_hours: '0',
  // Looked up by key from every shard; insert_distributed_sync makes a record visible at ack.
  ingest_keys: 'cityHash64(key)',
  // As spans: a trace's index rows live on the shard holding its spans (searches join them locally).
  trace_index: 'cityHash64(trace_id)',
  // Filled on each shard by a view on its rollup_minute_local; read through the Distributed table.
  rollup_agent_minute: 'rand()',
  rollup_agent_minute_start: 'rand()',
};

function distributedDdl(layout: Layout, t: Table): string {
  return `CREATE TABLE IF NOT EXISTS ${tableName(layout, t)}${on(layout)} AS ${localName(layout, t)}
    ENGINE = Distributed(${layout.cluster}, ${layout.db}, ${t}_local, ${SHARDING_KEY[t]})`;
}

/**
 * One statement of a migration. `done`: ClickHouse error codes that mean a racing node already ran it
 * (ALTER … ADD COLUMN has no IF NOT EXISTS on 18.16).
 */
export type MigrationStatement = string | { sql: string; done: string[] };

/**
 * Migration n brings a server from version n to n + 1. Append only; never edit a shipped one.
 * Every statement must be idempotent (IF NOT EXISTS): concurrent starts may run a step twice.
 */
const MIGRATIONS: ((layout: Layout) => MigrationStatement[])[] = [
  (layout) => [
    `CREATE TABLE IF NOT EXISTS ${localName(layout, 'spans')}${on(layout)} (
        ${SPAN_COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')}
      ) ENGINE = MergeTree
      PARTITION BY intDiv(timestamp, ${DAY_MS})
      ORDER BY (project, timestamp)`,
    rollupTableDdl(layout, 'rollup_minute'),
    rollupTableDdl(layout, 'rollup_hour'),
    // Projects, API keys and alert documents: the latest version of each (collection, project, id)
    // wins (readers use argMax, merges collapse the rest); deletes are tombstones.
    `CREATE TABLE IF NOT EXISTS ${localName(layout, 'docs')}${on(layout)} (
        collection String, project String, id String, lookup String, version UInt64,
        deleted UInt8, updated_at UInt64, body String
      ) ENGINE = ReplacingMergeTree(version) ORDER BY (collection, project, id)`,
    // One row per (lease, term, holder); renewals raise expires_at (see lease.ts).
    `CREATE TABLE IF NOT EXISTS ${localName(layout, 'leases')}${on(layout)} (
        name String, term UInt64, holder String, expires_at UInt64
      ) ENGINE = ReplacingMergeTree(expires_at) ORDER BY (name, term, holder)`,
    `CREATE TABLE IF NOT EXISTS ${localName(layout, 'alert_events')}${on(layout)} (
        project String, id String, at UInt64, alert_id String, rule_id String, kind String, body String
      ) ENGINE = MergeTree ORDER BY (project, at, id)`,
    ...(layout.cluster === undefined ? [] : TABLES.map((t) => distributedDdl(layout, t))),
  ],
  // Insight engine (insight-materialize.ts). Every materialization of an hour writes its rows
  // under a new version and then its insight_hours rows (the commit marker, with the fingerprints
  // of the spans it read); readers take the latest committed version, older ones are deleted later.
  (layout) => [
    `CREATE TABLE IF NOT EXISTS ${localName(layout, 'path_hour')}${on(layout)} (
        project String, hour UInt64, version UInt64, agent_id String, path String,
        traces UInt64, error_traces UInt64, cost_usd Float64,
        tokens_input Int64, tokens_output Int64, tokens_cache_read Int64,
        ${HIST_COLUMNS.map((h) => `${h} UInt64`).join(', ')}
      ) ENGINE = MergeTree
      PARTITION BY intDiv(hour, ${DAY_MS})
      ORDER BY (project, hour, version, agent_id, path)`,
    `CREATE TABLE IF NOT EXISTS ${localName(layout, 'cohort_hour')}${on(layout)} (
        project String, hour UInt64, version UInt64, agent_id String, key String, value String,
        spans UInt64, span_errors UInt64, span_latency_sum Float64,
        traces UInt64, trace_errors UInt64, trace_latency_sum Float64,
        cost_usd Float64, tokens Int64, confidence_sum Float64, confidence_count UInt64
      ) ENGINE = MergeTree
      PARTITION BY intDiv(hour, ${DAY_MS})
      ORDER BY (project, hour, version, key, value, agent_id)`,
    // Per materialized hour and version: one row per project with spans in the hour or the next
    // (count and sum(inserted_at) of each), plus a marker row with project ''.
    `CREATE TABLE IF NOT EXISTS ${localName(layout, 'insight_hours')}${on(layout)} (
        hour UInt64, version UInt64, materialized_at UInt64, project String,
        n0 UInt64, s0 UInt64, n1 UInt64, s1 UInt64
      ) ENGINE = MergeTree
      PARTITION BY intDiv(hour, ${DAY_MS})
      ORDER BY (hour, version, project)`,
    ...(layout.cluster === undefined ? [] : INSIGHT_TABLES.map((t) => distributedDdl(layout, t))),
  ],
  // Idempotency-Key records, so a retry that reaches another node (or a restarted one) is answered,
  // not stored twice. Sorted by key for the lookup on every keyed request; daily partitions by
  // created_at, dropped by deleteBefore once wholly more than a day older than the newest record.
  (layout) => [
    `CREATE TABLE IF NOT EXISTS ${localName(layout, INGEST_KEYS)}${on(layout)} (
        key String, response String, created_at UInt64
      ) ENGINE = MergeTree
      PARTITION BY intDiv(created_at, ${DAY_MS})
      ORDER BY (key, created_at)`,
    ...(layout.cluster === undefined ? [] : [distributedDdl(layout, INGEST_KEYS)]),
  ],
  (layout) => [...rollupHistogramMigration(layout), ...traceIndexMigration(layout)],
  // Then migrate.ts records, per server, when the new table is complete (agent-minute.ts).
  (layout) => agentMinuteMigration(layout),
];

/** The version whose step creates the per-agent minute rollup; migrate.ts records its start after it. */
export const AGENT_MINUTE_VERSION = 5;

/** The version this code writes. Servers at a higher version were migrated by newer code. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrationStatements(version: number, layout: Layout): MigrationStatement[] {
  return MIGRATIONS[version]!(layout);
}

export function bootstrapStatements(layout: Layout): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${layout.db}${on(layout)}`,
    // Per server, never Distributed: each shard records the steps it has run.
    `CREATE TABLE IF NOT EXISTS ${layout.db}.schema_migrations${on(layout)} (
        version UInt32, applied_at UInt64, node String
      ) ENGINE = MergeTree ORDER BY version`,
  ];
}

/**
 * Nested columns `histMap.bucket` (UInt8) and `histMap.count` (UInt64): a rollup row's non-empty
 * latency buckets. SummingMergeTree adds up nested tables whose name ends in "Map" by key, and a
 * reader sums them with sumMap: three column files per part instead of 64, which made a 7-day p95
 * read of the hourly rollups ~5× faster at 10M spans.
 */
export const HIST_MAP = { bucket: 'histMap.bucket', count: 'histMap.count' } as const;

/**
 * Version 4, rollups: add the histogram map. Rows written before keep their histogram in h0..h63
 * until foldLegacyHistograms (rollup-histograms.ts, run at every start) moves it into the map; the
 * legacy columns stay, at zero, so nodes still running older code can insert during an upgrade.
 */
function rollupHistogramMigration(layout: Layout): MigrationStatement[] {
  const add = `ADD COLUMN ${HIST_MAP.bucket} Array(UInt8), ADD COLUMN ${HIST_MAP.count} Array(UInt64)`;
  const tables = Object.keys(ROLLUP_TABLES) as RollupTable[];
  const targets = tables.flatMap((t) => (layout.cluster === undefined ? [localName(layout, t)] : [localName(layout, t), tableName(layout, t)]));
  return targets.map((t) => ({ sql: `ALTER TABLE ${t}${on(layout)} ${add}`, done: [CH_ILLEGAL_COLUMN] }));
}

/**
 * Version 4: trace_index, one row per trace per block inserted into spans (first and last span
 * timestamp), sorted by (project, trace_id) so a trace's time span is a primary-key lookup. A
 * materialized view fills it on every insert into spans, also from nodes running older code; the
 * backfill after it covers spans stored before. Duplicate rows only repeat a span's time, and readers
 * take min/max, so a step run twice is harmless. Partitioned by last_ts: retention drops a row once
 * every span it describes is gone.
 */
function traceIndexMigration(layout: Layout): MigrationStatement[] {
  const index = localName(layout, TRACE_INDEX);
  const spans = localName(layout, 'spans');
  const perTrace = 'SELECT project, trace_id, min(timestamp) AS first_ts, max(timestamp) AS last_ts';
  // With ON CLUSTER the statements run once, on the entry server: backfill through the Distributed
  // tables (rows are routed to the trace's shard); otherwise each shard backfills its own spans.
  const [backfillInto, backfillFrom] = layout.onCluster
    ? [tableName(layout, TRACE_INDEX), tableName(layout, 'spans')]
    : [index, spans];
  return [
    `CREATE TABLE IF NOT EXISTS ${index}${on(layout)} (
        project String, trace_id String, first_ts UInt64, last_ts UInt64
      ) ENGINE = MergeTree
      PARTITION BY intDiv(last_ts, ${DAY_MS})
      ORDER BY (project, trace_id)
      SETTINGS index_granularity = 1024`,
    ...(layout.cluster === undefined ? [] : [distributedDdl(layout, TRACE_INDEX)]),
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${index}_mv${on(layout)} TO ${index}
      AS ${perTrace} FROM ${spans} GROUP BY project, trace_id`,
    `INSERT INTO ${backfillInto} ${perTrace} FROM ${backfillFrom} GROUP BY project, trace_id`,
  ];
}

/**
 * Version 5: rollup_agent_minute, the minute rollup summed over everything but (project, bucket,
 * agent_id), for reads grouped by agent or by nothing (~8× fewer rows at 10M spans). A materialized
 * view on each server's rollup_minute fills it on every insert, also from nodes on older code (rows
 * with legacy h0..h63 counts are folded into the map on the way). No backfill: migrate.ts records
 * in rollup_agent_minute_start from when the table is complete, and readers take older buckets from
 * rollup_minute (agent-minute.ts).
 */
function agentMinuteMigration(layout: Layout): MigrationStatement[] {
  const table = localName(layout, AGENT_MINUTE);
  const sums = ROLLUP_SUMS.map(([c]) => c).join(', ');
  // Legacy counts as map entries (18.16 cannot capture columns in a lambda, so no per-bucket sum);
  // a row has either kind, and a key twice in a map is summed by merges and sumMap alike.
  const legacy = `[${HIST_COLUMNS.join(', ')}]`;
  return [
    `CREATE TABLE IF NOT EXISTS ${table}${on(layout)} (
        project String, bucket UInt64, agent_id String,
        ${ROLLUP_SUMS.map(([c, type]) => `${c} ${type}`).join(', ')},
        \`${HIST_MAP.bucket}\` Array(UInt8), \`${HIST_MAP.count}\` Array(UInt64)
      ) ENGINE = SummingMergeTree
      PARTITION BY intDiv(bucket, ${DAY_MS})
      ORDER BY (project, bucket, agent_id)`,
    // One row per completed migration step on this server; readers take the latest moment of all.
    `CREATE TABLE IF NOT EXISTS ${localName(layout, AGENT_MINUTE_START)}${on(layout)} (
        complete_from UInt64, recorded_at UInt64, node String
      ) ENGINE = MergeTree ORDER BY complete_from`,
    ...(layout.cluster === undefined ? [] : [distributedDdl(layout, AGENT_MINUTE), distributedDdl(layout, AGENT_MINUTE_START)]),
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${table}_mv${on(layout)} TO ${table}
      AS SELECT project, bucket, agent_id, ${sums},
        arrayConcat(${HIST_MAP.bucket}, arrayFilter((i, n) -> n > 0, range(${LATENCY_BUCKETS}), ${legacy})) AS \`${HIST_MAP.bucket}\`,
        arrayConcat(${HIST_MAP.count}, arrayFilter(n -> n > 0, ${legacy})) AS \`${HIST_MAP.count}\`
      FROM ${localName(layout, 'rollup_minute')}`,
  ];
}
