// The HTTP surface: one Hono app, all routes, one error handler deciding status codes.

import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { closeAfterAnswer } from './close-after-answer.js';
import { createBodyDecoder } from '../ingest/otlp/decode-offload.js';
import { SightlineError } from '../model/errors.js';
import type { AppDeps, AppEnv } from './context.js';
import { BadParam } from './params.js';
import { errorBody, fail } from './respond.js';
import { registerDashboardRoutes } from './routes/dashboard.js';
import { registerAgentRoutes } from './routes/agents.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { registerBudgetRoutes } from './routes/budgets.js';
import { registerDoctorRoutes } from './routes/doctor.js';
import { registerEventRoutes } from './routes/events.js';
import { registerIncidentRoutes } from './routes/incidents.js';
import { registerInsightRoutes } from './routes/insights.js';
import { registerExportRoutes } from './routes/export.js';
import { registerImportRoutes } from './routes/import.js';
import { registerKeyRoutes } from './routes/keys.js';
import { registerLiveRoutes } from './routes/live.js';
import { registerMcpRoutes } from './routes/mcp.js';
import { registerOtlpRoutes } from './routes/otlp.js';
import { countResponses, registerMetricsRoutes } from './routes/metrics.js';
import { registerQueryRoutes } from './routes/query.js';
import { registerSessionRoutes } from './routes/sessions.js';
import { registerTraceDetailRoutes } from './routes/trace-detail.js';
import { registerScoreRoutes } from './routes/scores.js';
import { registerReadyRoutes } from './routes/ready.js';
import { registerStatusRoutes } from './routes/status.js';
import { limitScans } from './scan-limit.js';
import { shedWhenOverloaded } from './shed-load.js';

const MAX_API_BODY_BYTES = 1_048_576;

/**
 * Every answer says `X-Content-Type-Options: nosniff` (no browser runs a JSON error as HTML). A 413
 * closes the connection: the rest of the refused upload is not parsed, so the connection cannot
 * carry a next request (it stalled behind the unread body, then was reset). It closes once the
 * client stopped sending, so the client reads its 413 rather than a reset (close-after-answer.ts).
 */
function responseHygiene(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    if (c.res.status === 413) {
      c.res.headers.set('Connection', 'close');
      if (c.env?.incoming) closeAfterAnswer(c.env.incoming);
    }
  };
}

/** Routes that read raw spans: trace list and detail, export, insights, the doctor. */
const SCAN_PATHS = /^\/api\/(traces(\/|$)|export$|insights\/|doctor$)/;

export function createApp(deps: AppDeps, log: (line: string) => void = console.error): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  if (deps.metrics) app.use('*', countResponses(deps.metrics.health));
  app.use('*', responseHygiene());
  // API calls (keys, alert rules, silences) are small JSON: refused at the door past 1 MiB, read
  // no further (a 300 MB silence was buffered whole before its 400).
  // (/api/import carries spans: it reads its body with the ingest limit, like /v1/events.)
  const apiBodyLimit = bodyLimit({ maxSize: MAX_API_BODY_BYTES, onError: (c) => fail(c, 413, 'payload_too_large', `request body exceeds the limit of ${MAX_API_BODY_BYTES} bytes for API calls`) });
  app.use('/api/*', (c, next) => (c.req.path === '/api/import' ? next() : apiBodyLimit(c, next)));
  app.use('/mcp', apiBodyLimit);
  app.get('/api/health', (c) => c.json({ status: 'ok' }));
  registerReadyRoutes(app, deps, deps.readiness);
  const door = { maxBytesInFlight: deps.limits.maxIngestBytesInFlight, maxQueueDelayMs: deps.limits.maxQueueDelayMs };
  app.use('/v1/*', shedWhenOverloaded(deps.commits, door));
  if (deps.scanLimits) {
    // Reads of raw spans, which can run for minutes over months of data; rollup reads stay free.
    // One middleware for all of them: each request must take one turn, not one per matching pattern.
    const scans = limitScans(deps.scanLimits);
    app.use('/api/*', (c, next) => (SCAN_PATHS.test(c.req.path) ? scans(c, next) : next()));
  }
  app.use('/api/import', shedWhenOverloaded(deps.commits, door));
  // One worker decodes the large bodies of both ingest formats, so their queue and heap are bounded once.
  const decoder = createBodyDecoder(deps.limits);
  registerEventRoutes(app, deps, decoder);
  registerOtlpRoutes(app, deps, decoder);
  registerScoreRoutes(app, deps);
  registerQueryRoutes(app, deps);
  registerAgentRoutes(app, deps);
  registerTraceDetailRoutes(app, deps);
  registerSessionRoutes(app, deps);
  registerInsightRoutes(app, deps);
  registerDoctorRoutes(app, deps);
  registerLiveRoutes(app, deps);
  registerKeyRoutes(app, deps);
  registerAlertRoutes(app, deps);
  registerIncidentRoutes(app, deps);
  registerBudgetRoutes(app, deps);
  registerExportRoutes(app, deps);
  registerImportRoutes(app, deps);
  registerStatusRoutes(app, deps);
  registerMetricsRoutes(app, deps);
  registerMcpRoutes(app, deps);

  registerDashboardRoutes(app);

  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => {
    if (err instanceof BadParam) return c.json(errorBody('bad_request', err.message), 400);
    if (err instanceof SightlineError && err.code === 'QUERY_INVALID') return c.json(errorBody('bad_request', err.message), 400);
    // A capability this store lacks: 501 without Retry-After, since asking again cannot succeed.
    if (err instanceof SightlineError && err.code === 'NOT_SUPPORTED') return c.json(errorBody('not_implemented', err.message), 501);
    if (err instanceof SightlineError && err.code === 'QUERY_TIMEOUT') {
      c.header('Retry-After', '5');
      return c.json(errorBody('query_timeout', err.message), 503);
    }
    if (err instanceof SightlineError && err.code === 'STORE_UNAVAILABLE') {
      c.header('Retry-After', '5');
      return c.json(errorBody('store_unavailable', err.message), 503);
    }
    log(`error: ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}`);
    return c.json(errorBody('internal', 'internal error; see the server log'), 500);
  });
  return app;
}
