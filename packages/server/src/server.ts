// Wires a running Sightline: store, ingest pipeline, group commit, live bus, HTTP, retention.

import { createAdaptorServer } from '@hono/node-server';
import { accessSync, constants, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { storeConfigOf, type Config } from './config.js';
import { createAuthenticator, hashKey, keyRecordFor, newKeySecret } from './http/auth.js';
import { createFindingLookup } from './alert/correlated-finding.js';
import { createAlertEngine } from './alert/engine.js';
import { startAlertLeader } from './alert/leader.js';
import { createApp } from './http/app.js';
import { createManagementApp } from './http/management-app.js';
import { createIdempotencyCache } from './http/idempotency.js';
import { createRateLimiter } from './http/rate-limit.js';
import { createCountingPipeline } from './http/metrics/counting-pipeline.js';
import { createSightlineMetrics } from './http/metrics/sightline-metrics.js';
import { DEFAULT_PROJECT } from './http/routes/keys.js';
import { createIngestPipeline } from './ingest/pipeline.js';
import { createRedactor } from './ingest/redact.js';
import { createPriceTable } from './ingest/pricing.js';
import { createLiveBus, type LiveBus } from './live/bus.js';
import { SightlineError } from './model/errors.js';
import { DEFAULT_LIMITS, type IngestLimits } from './model/limits.js';
import { createStoreErrorLog } from './store/error-log.js';
import { createGroupCommit } from './store/group-commit.js';
import { createTraceAttribution, DEFAULT_ATTRIBUTION } from './store/trace-attribution.js';
import { openStore } from './store/open-store.js';
import { ANALYSES_MODULE, createAnalysisRunner } from './query/insights/analyses.js';
import { startInsightMaterializer } from './query/insights/materializer.js';
import type { Store } from './store/store.js';

export interface RunningSightline {
  url: string;
  port: number;
  /** The health port's URL and port (config healthPort), when it is on. */
  healthUrl?: string;
  healthPort?: number;
  store: Store;
  bus: LiveBus;
  /** The admin key created at first start (null when one existed or SIGHTLINE_ADMIN_KEY was set). */
  createdAdminKey: string | null;
  /** Every route the HTTP app serves (method and path pattern), e.g. for auth tests. */
  routes: { method: string; path: string }[];
  /** Stops accepting, drains in-flight ingest, commits and closes the store. */
  stop(): Promise<void>;
}

export interface StartOptions {
  log?: (line: string) => void;
  clock?: () => number;
  /** Trace attribution's bound (default DEFAULT_ATTRIBUTION: 60 s, 200,000 spans); tests shorten it. */
  attribution?: Partial<typeof DEFAULT_ATTRIBUTION>;
}

const DAY = 86_400_000;
const STOP_TIMEOUT_MS = 10_000;

function ensureDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new SightlineError('DATA_DIR_UNWRITABLE', `data directory ${dir} is not writable (${code}); choose another with --data or SIGHTLINE_DATA_DIR`, { cause: err });
  }
}

/** Creates the default project and an admin key on first start; applies SIGHTLINE_ADMIN_KEY. */
async function bootstrap(store: Store, config: Config, now: number): Promise<string | null> {
  const projects = await store.listProjects();
  if (!projects.includes(DEFAULT_PROJECT)) await store.createProject(DEFAULT_PROJECT);
  if (config.adminKey) {
    if (!(await store.findApiKeyByHash(hashKey(config.adminKey)))) {
      await store.putApiKey(keyRecordFor(config.adminKey, DEFAULT_PROJECT, ['admin'], now));
    }
    return null;
  }
  if ((await store.listApiKeys()).length > 0) return null;
  const secret = newKeySecret();
  await store.putApiKey(keyRecordFor(secret, DEFAULT_PROJECT, ['admin'], now));
  return secret;
}

/** The option that sets a listener's port, named in its errors. */
type PortOption = { flag: '--port'; env: 'SIGHTLINE_PORT' } | { flag: '--health-port'; env: 'SIGHTLINE_HEALTH_PORT' };

function createHttpServer(fetch: Parameters<typeof createAdaptorServer>[0]['fetch'], config: Config): Server {
  return createAdaptorServer({
    fetch,
    serverOptions: {
      requestTimeout: config.limits.requestTimeoutMs,
      headersTimeout: config.limits.headersTimeoutMs,
      keepAliveTimeout: 5_000,
      // Node checks those timeouts only this often (default 30 s).
      connectionsCheckingInterval: Math.min(1_000, config.limits.headersTimeoutMs),
    },
  }) as Server;
}

function listen(server: Server, port: number, host: string, option: PortOption = { flag: '--port', env: 'SIGHTLINE_PORT' }): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new SightlineError('PORT_IN_USE', `port ${port} on ${host} is already in use; choose another with ${option.flag} or ${option.env}`));
      else if (err.code === 'EACCES') reject(new SightlineError('PORT_IN_USE', `no permission to listen on ${host}:${port}; choose a port above 1024`));
      else reject(err);
    });
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startSightline(config: Config, opts: StartOptions = {}): Promise<RunningSightline> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const clock = opts.clock ?? Date.now;
  const storeConfig = storeConfigOf(config);
  if (storeConfig.kind === 'duckdb') ensureDataDir(config.data);
  // Every store error is logged once with its cause (repeats summed up a minute later); recoveries too.
  const storeErrors = createStoreErrorLog(log);
  const { store, runTask } = await openStore(storeConfig, {
    onEvent: (e) => (e.level === 'error' ? storeErrors.error(e.message) : storeErrors.info(e.message)),
    // The insight analyses run where the data is (DuckDB: on its worker), reporting only their results.
    tasks: ANALYSES_MODULE,
  });
  const analyses = createAnalysisRunner(store, runTask);
  let server: Server | undefined;
  let healthServer: Server | undefined;
  try {
    const createdAdminKey = await bootstrap(store, config, clock());
    const limits: IngestLimits = {
      ...DEFAULT_LIMITS,
      maxBodyBytes: config.limits.maxBodyBytes,
      maxEventsPerRequest: config.limits.maxEventsPerRequest,
      captureContent: config.limits.captureContent,
      maxIngestBytesInFlight: config.limits.maxIngestBytesInFlight,
      maxQueueDelayMs: config.limits.maxQueueDelayMs,
    };
    // Requests acknowledged in the last day are in the store: a retry after a restart is looked up
    // there (one key at a time) rather than a day of records read into the heap at start.
    const idempotency = createIdempotencyCache();
    idempotency.forgetBefore(clock());
    const bus = createLiveBus();
    // Several nodes on one ClickHouse: spans other nodes commit reach this node's live tail too
    // (stopped by store.close()).
    store.followOtherNodes?.((spans) => bus.publish(spans));
    const metrics = createSightlineMetrics(config.metrics, {
      // Read at scrape time, after the group commit below exists.
      queuedSpans: () => commits.queued(),
      liveClients: () => bus.subscribers(),
      storeStats: () => store.stats(),
      firingAlerts: () => alerts?.firingCount() ?? 0,
    }, clock);
    const commits = createGroupCommit(store, {
      ...config.groupCommit,
      maxQueuedSpans: config.limits.maxQueuedSpans,
      maxQueueDelayMs: config.limits.maxQueueDelayMs,
      onCommit: (spans, commitMs) => {
        bus.publish(spans);
        metrics.onCommit(spans, commitMs);
      },
      attribution: createTraceAttribution({ ...DEFAULT_ATTRIBUTION, ...opts.attribution, clock }),
      onRevisionError: (err) => log(`trace attribution: revising stored spans failed, they keep their agent: ${err.message}`),
      onAfterCommitError: (err) => log(`error after a commit (its requests are answered 200): ${(err as Error).stack ?? String(err)}`),
    });
    // Alerts: evaluated on an interval through the Store interface; stopped before the store closes.
    const alerts = config.alerts.enabled ? createAlertEngine({
          store,
          config: config.alerts,
          clock,
          log,
          findCorrelated: createFindingLookup(analyses, clock),
          onTick: (r) => metrics.health.alertTick(r.evaluated, r.deliveries.filter((d) => d.status === 'failed').length),
        }) : undefined;
    // The timer is the leader's: with several nodes on one store, only the lease holder evaluates.
    await alerts?.start({ timer: false });
    const alertLeader = alerts && startAlertLeader({ store, engine: alerts, intervalMs: config.alerts.intervalMs, clock, log });
    // The first lease check now rather than a third of an interval later: until it, a node that
    // shares its store does not know whether it evaluates (and refuses "check now").
    await alertLeader?.check();
    let draining = false;
    const app = createApp(
      {
        store,
        analyses,
        auth: createAuthenticator(store, clock),
        pipeline: createCountingPipeline(createIngestPipeline({ limits, prices: createPriceTable(config.prices), redactor: createRedactor(config.redact.patterns) }), metrics.health),
        commits,
        idempotency,
        rateLimit: createRateLimiter(config.rateLimit),
        scanLimits: config.limits,
        bus,
        limits,
        clock,
        draining: () => draining,
        ...(alerts && { alerts }),
        // Alone on its store a node always evaluates, also before its first lease check.
        ...(alertLeader && store.followOtherNodes !== undefined && { evaluatesAlerts: () => alertLeader.isLeader() }),
        metrics,
        ...(config.metrics.scrapeToken !== undefined && { metricsScrapeToken: config.metrics.scrapeToken }),
        readiness: config.readiness,
      },
      (line) => log(line),
    );
    server = createHttpServer(app.fetch, config);
    const port = await listen(server, config.port, config.host);
    // Probes and scrapers on a socket of their own, so they do not wait behind ingest connections.
    healthServer = config.healthPort === undefined ? undefined : createHttpServer(createManagementApp(app).fetch, config);
    const healthPort = healthServer && await listen(healthServer, config.healthPort!, config.host, { flag: '--health-port', env: 'SIGHTLINE_HEALTH_PORT' });

    const retention = setInterval(() => {
      const now = clock();
      store
        .deleteBefore({ spansBefore: now - config.retention.spansDays * DAY, rollupsBefore: now - config.retention.rollupsDays * DAY })
        .then((r) => r.spans > 0 && log(`retention: deleted ${r.spans} spans older than ${config.retention.spansDays} days`))
        // Scores are kept as long as the spans they judge.
        .then(() => store.deleteScoresBefore(now - config.retention.spansDays * DAY))
        .catch((err: Error) => log(`retention failed: ${err.message}`));
    }, config.retention.intervalMinutes * 60_000);
    retention.unref();
    const insights = startInsightMaterializer(store, { clock, log });

    const httpServer = server;
    const probeServer = healthServer;
    const hostInUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
    let stopping: Promise<void> | null = null;
    return {
      url: `http://${hostInUrl}:${port}`,
      port,
      ...(healthPort !== undefined && { healthUrl: `http://${hostInUrl}:${healthPort}`, healthPort }),
      store,
      bus,
      createdAdminKey,
      routes: [...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))].map((r) => {
        const [method, path] = r.split(' ') as [string, string];
        return { method, path };
      }),
      stop() {
        stopping ??= (async () => {
          draining = true;
          clearInterval(retention);
          await insights.stop();
          const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
          // Probes answer until the main port closes too; their connections are short and idle.
          const probesClosed = probeServer && new Promise<void>((resolve) => probeServer.close(() => resolve()));
          const within = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
          // Everything already submitted commits and is answered before connections close.
          await Promise.race([commits.drain(), within(STOP_TIMEOUT_MS)]);
          await within(50);
          httpServer.closeIdleConnections();
          // Live-tail streams never end by themselves: give in-flight responses a moment, then cut.
          await Promise.race([closed, within(1_000)]);
          httpServer.closeAllConnections();
          probeServer?.closeAllConnections();
          await probesClosed;
          await alertLeader?.stop();
          await alerts?.stop();
          await store.close();
        })();
        return stopping;
      },
    };
  } catch (err) {
    server?.close();
    healthServer?.close();
    await store.close();
    throw err;
  }
}
