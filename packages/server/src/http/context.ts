// What every route needs, passed in once when the app is built (no globals).

import type { HttpBindings } from '@hono/node-server';
import type { AlertEngine } from '../alert/engine.js';
import type { AnalysisRunner } from '../query/insights/analyses.js';
import type { LiveBus } from '../live/bus.js';
import type { IngestLimits } from '../model/limits.js';
import type { Store, ApiKeyRecord } from '../store/store.js';
import type { GroupCommit } from '../store/group-commit.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { Authenticator } from './auth.js';
import type { IdempotencyCache } from './idempotency.js';
import type { RateLimiter } from './rate-limit.js';
import type { SightlineMetrics } from './metrics/sightline-metrics.js';

export interface AppDeps {
  store: Store;
  auth: Authenticator;
  pipeline: IngestPipeline;
  commits: GroupCommit;
  idempotency: IdempotencyCache;
  /** Admission of raw-span reads (absent: unlimited, e.g. apps built by unit tests). */
  scanLimits?: ScanLimits;
  /** Per-key ingest rate limits (absent when no key is limited). */
  rateLimit?: RateLimiter | null;
  bus: LiveBus;
  limits: IngestLimits;
  clock: () => number;
  /** Runs insight analyses where the store keeps its data (server.ts); absent: here, from `store`'s reads. */
  analyses?: AnalysisRunner;
  /** The alert engine; absent when alerts are switched off (its routes then answer 503). */
  alerts?: AlertEngine;
  /**
   * Whether this node evaluates alerts (holds the alert lease); several nodes share a ClickHouse
   * store and only one may tick. Absent: this node always evaluates.
   */
  evaluatesAlerts?: () => boolean;
  /** Set while shutting down: new ingest is refused with 503 so clients retry elsewhere. */
  draining: () => boolean;
  /** Prometheus registry behind /metrics (absent in apps built without one). */
  metrics?: SightlineMetrics;
  /** Bearer token that may scrape /metrics for every project without an API key. */
  metricsScrapeToken?: string;
  /** When GET /api/ready fails besides a store that cannot write (defaults: src/config.ts). */
  readiness: ReadinessLimits;
}

/** Raw-span reads admitted at once and waiting (scan-limit.ts). */
export interface ScanLimits {
  maxConcurrentScans: number;
  maxQueuedScans: number;
  maxScanWaitMs: number;
}

/** When GET /api/ready answers 503 besides a store that cannot write (routes/ready.ts). */
export interface ReadinessLimits {
  minFreeDiskBytes: number;
  maxRollupLagSpans: number;
}

export type AppEnv = {
  Bindings: HttpBindings;
  /** arrivedAt: performance.now() when an ingest request was let in (shed-load.ts). */
  Variables: { key: ApiKeyRecord; arrivedAt?: number };
};
