// What a running Sightline is configured with: one schema for the config file, environment
// variables and flags (cli/config.ts reads and merges them), and the store it selects. It stands
// beside server.ts, which takes a Config, so the server never imports the command line.

import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { alertsConfigSchema } from './alert/config.js';
import { SightlineError } from './model/errors.js';
import { patternProblem } from './ingest/redact.js';
import type { StoreConfig } from './store/store.js';

const megabytes = (n: number) => n * 1024 * 1024;

export const configSchema = z.strictObject({
  /** 4318 is the OTLP/HTTP default, so OpenTelemetry exporters work unchanged. */
  port: z.number().int().min(0).max(65535).default(4318),
  /** Loopback by default: exposing telemetry to the network is a deliberate choice. */
  host: z.string().min(1).default('127.0.0.1'),
  /** A second listener on the same host answering only GET /api/health, /api/ready and /metrics,
   * for probes and scrapers: Node accepts one connection per event-loop turn per listening socket,
   * so under a flood of ingest connections a probe on the main port waits seconds in its accept
   * queue. Off by default (one port is simpler); 0 picks any free port. */
  healthPort: z.number().int().min(0).max(65535).optional(),
  /** Relative to the working directory, like git's .git: one project, one folder. */
  data: z.string().min(1).default('./.sightline'),
  /** Alternative to the embedded store: clickhouse://host:8123/database. */
  store: z.string().optional(),
  /** Sets (idempotently) an admin key for automated deployments instead of a printed one. */
  adminKey: z.string().min(16).optional(),
  retention: z
    .strictObject({
      /** Raw spans are large; a week covers most incident reviews. */
      spansDays: z.number().positive().default(7),
      /** Rollups are small; 90 days keeps quarter-over-quarter trends. */
      rollupsDays: z.number().positive().default(90),
      /** Hourly is frequent enough that data never outlives its limit by much. */
      intervalMinutes: z.number().positive().default(60),
    })
    .prefault({}),
  limits: z
    .strictObject({
      /** Large enough for 10,000 typical events, small enough to bound memory per request. */
      maxBodyBytes: z.number().int().positive().default(megabytes(16)),
      maxEventsPerRequest: z.number().int().positive().default(10_000),
      /** Queue of spans waiting for commit; past it clients get 429 rather than unbounded memory. */
      maxQueuedSpans: z.number().int().positive().default(200_000),
      /** Past this wait for the store, new batches get 429 (before their body is decoded): long
       * enough to ride out a DuckDB checkpoint at normal load (a few seconds), short enough that
       * under overload an acknowledgement comes inside the 10 s OpenTelemetry exporters wait,
       * however deep maxQueuedSpans lets the queue grow (200,000 spans are 10+ s on a slow disk). */
      maxQueueDelayMs: z.number().int().positive().default(5_000),
      /** Prompts and outputs can hold personal data: stored only when switched on. */
      captureContent: z.boolean().default(false),
      /** Ingest bodies being decoded and validated at once (declared bytes); past it 429 at the door.
       * JSON is parsed and checked at ~50–100 MB/s on one core, so 32 MiB is well under a second of
       * event-loop work queued (400 clients at once made acknowledgements take 7–17 s), and ~150 MB
       * of heap for the parsed events. One request is always let in, so a 16 MiB body still fits. */
      maxIngestBytesInFlight: z.number().int().positive().default(megabytes(32)),
      /** A whole request must arrive within this; stops slow-loris bodies holding connections. */
      requestTimeoutMs: z.number().int().positive().default(30_000),
      /** Headers must arrive within this (Node's default is a minute). */
      headersTimeoutMs: z.number().int().positive().default(10_000),
      /** A read API query still running after this is stopped and answered 503: Grafana's data source
       * default. A query over months of raw spans that takes longer is better narrowed than waited
       * for, and while it runs it holds memory and cores that ingest and the overview need. */
      readTimeoutMs: z.number().int().positive().default(30_000),
      /** Raw-span reads (trace list and detail, export, insights) running at once; more wait. Two: the
       * DuckDB store runs two scans side by side (its other read connections serve rollups and key
       * lookups), and libuv's four threads must keep one for the writer. */
      maxConcurrentScans: z.number().int().positive().default(2),
      /** Raw-span reads waiting for a turn; past it 429 with Retry-After. A dashboard opens one or two. */
      maxQueuedScans: z.number().int().nonnegative().default(8),
      /** A raw-span read that waited this long for a turn gets 503 with Retry-After rather than hang. */
      maxScanWaitMs: z.number().int().positive().default(5_000),
    })
    .prefault({}),
  duckdb: z
    .strictObject({
      /** DuckDB's memory_limit (its own default is 80 % of RAM, 10 GB seen under four heavy reads).
       * 1 GiB keeps the server with its heap, bodies and caches under 1.5 GB; larger sorts and
       * aggregates spill to a temporary directory beside the database. */
      memoryLimitMb: z.number().int().min(64).default(1024),
      /** DuckDB's worker threads: one per core, DuckDB's own choice; lower it on a machine shared
       * with the agents being observed, so heavy reads leave them cores. */
      threads: z.number().int().positive().default(() => availableParallelism()),
    })
    .prefault({}),
  groupCommit: z
    .strictObject({
      /**
       * One DuckDB commit costs ~1.6 ms; batching concurrent requests amortises it. A batch is also
       * one stretch of the event loop (its spans encoded into columns: ~55 ms per 5,000 spans, 216 ms
       * for 20,000 on the shared machine), so 5,000: at 60k spans/s that is 12 commits a second, 2% of
       * the commit cost of a commit per request, and /api/health never waits behind 20,000 spans.
       */
      maxBatchSpans: z.number().int().positive().default(5_000),
      /** Waiting a little for more requests raises throughput without hurting ack latency much. */
      maxDelayMs: z.number().nonnegative().default(2),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      /** Lets Prometheus scrape every project without an API key; unset, /metrics needs a read key. */
      scrapeToken: z.string().min(16).optional(),
      /** Label sets (project × agent × model × span type × decision) recorded; each is ~60 samples, so
       * 2,000 keeps a scrape near 120k samples. Spans of further label sets are counted as dropped. */
      maxSeries: z.number().int().positive().default(2_000),
      /** Decisions multiply series: off by default; true for every agent, or a list of agent ids. */
      decisionLabel: z.union([z.boolean(), z.array(z.string())]).default(false),
    })
    .prefault({}),
  /** When GET /api/ready answers 503 (besides a store that cannot write). */
  readiness: z
    .strictObject({
      /** A DuckDB checkpoint rewrites up to the 64 MB WAL into the database file: below that much
       * free space the next one may fail (and invalidate the database), so stop taking traffic first. */
      minFreeDiskBytes: z.number().int().nonnegative().default(megabytes(64)),
      /** Rollups are flushed every second or 200,000 spans: a lag of five times that means flushes
       * fail or cannot keep up, and dashboards and alerts read stale figures. */
      maxRollupLagSpans: z.number().int().positive().default(1_000_000),
    })
    .prefault({}),
  /** Alert engine: channels, custom rules, built-in overrides, intervals (defaults explained in alert/config.ts). */
  alerts: alertsConfigSchema.prefault({}),
  rateLimit: z
    .strictObject({
      /** Events per second each API key may ingest; 0 (unlimited) because the commit queue
       * (limits.maxQueuedSpans) already bounds memory, and most servers serve one team. */
      eventsPerSecond: z.number().nonnegative().default(0),
      /** SDKs flush a batch every few seconds, so a key may burst this many seconds of its rate. */
      burstSeconds: z.number().positive().default(5),
      /** Per-key overrides by key id (GET /api/keys): events per second, 0 for unlimited. */
      keys: z.record(z.string(), z.number().nonnegative()).default({}),
    })
    .prefault({}),
  redact: z
    .strictObject({
      /** Built-in names (email, api_key, bearer) or regular expressions, replaced in input, output,
       * error messages and attribute strings before storage. None by default: what is sensitive is
       * the operator's call, and every pattern costs CPU on every span. */
      patterns: z
        .array(z.string().min(1))
        .default([])
        .superRefine((patterns, ctx) => {
          for (const p of patterns) {
            const problem = patternProblem(p);
            if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
          }
        }),
    })
    .prefault({}),
  /** Per-project price overrides in USD per million tokens. */
  prices: z
    .record(
      z.string(),
      z.record(
        z.string(),
        z.strictObject({
          input_per_mtok: z.number().nonnegative(),
          output_per_mtok: z.number().nonnegative(),
          cache_read_per_mtok: z.number().nonnegative().optional(),
          cache_write_per_mtok: z.number().nonnegative().optional(),
        }),
      ),
    )
    .default({}),
}).superRefine((config, ctx) => {
  // Port 0 twice is two free ports; the same fixed port twice would fail with "in use" at start.
  if (config.healthPort !== undefined && config.healthPort !== 0 && config.healthPort === config.port) {
    ctx.addIssue({ code: 'custom', path: ['healthPort'], message: `${config.healthPort} is the main port; the health port (--health-port, SIGHTLINE_HEALTH_PORT) must be another port, or 0 for any free one` });
  }
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** The store the config selects: tagged, chosen in one place. */
export function storeConfigOf(config: Config): StoreConfig {
  if (config.store) {
    let url: URL;
    try {
      url = new URL(config.store);
    } catch {
      throw new SightlineError('CONFIG_INVALID', `store: "${config.store}" is not a URL (expected clickhouse://host:8123/database)`);
    }
    if (url.protocol !== 'clickhouse:') {
      throw new SightlineError('CONFIG_INVALID', `store: unsupported scheme "${url.protocol}" (expected clickhouse://)`);
    }
    const database = url.pathname.replace(/^\//, '') || 'sightline';
    const cluster = url.searchParams.get('cluster') ?? undefined;
    const credentials = url.username ? `${url.username}:${url.password}@` : '';
    const httpUrl = `http://${credentials}${url.host}`;
    // &shard=host:port (repeated): every shard's HTTP endpoint, for a cluster without Keeper.
    const shards = url.searchParams.getAll('shard').map((hostPort) => `http://${credentials}${hostPort}`);
    // ?timeout_ms=: how long an insert or lookup may wait for ClickHouse before ingest answers 503.
    const rawTimeout = url.searchParams.get('timeout_ms');
    const timeoutMs = rawTimeout === null ? undefined : Number(rawTimeout);
    if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
      throw new SightlineError('CONFIG_INVALID', `store: timeout_ms "${rawTimeout}" must be a positive whole number of milliseconds`);
    }
    const base = {
      kind: 'clickhouse' as const,
      url: httpUrl,
      database,
      readTimeoutMs: config.limits.readTimeoutMs,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    };
    if (!cluster) return base;
    return shards.length > 0 ? { ...base, cluster, shards } : { ...base, cluster };
  }
  return {
    kind: 'duckdb',
    path: resolve(config.data, 'sightline.duckdb'),
    memoryLimitMb: config.duckdb.memoryLimitMb,
    threads: config.duckdb.threads,
    readTimeoutMs: config.limits.readTimeoutMs,
  };
}
