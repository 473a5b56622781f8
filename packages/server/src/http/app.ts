// The HTTP surface: one Hono app, all routes, one error handler deciding status codes.

import { Hono } from 'hono';
import { SightlineError } from '../model/errors.js';
import type { AppDeps, AppEnv } from './context.js';
import { BadParam } from './params.js';
import { errorBody } from './respond.js';
import { registerDashboardRoutes } from './routes/dashboard.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { registerEventRoutes } from './routes/events.js';
import { registerIncidentRoutes } from './routes/incidents.js';
import { registerInsightRoutes } from './routes/insights.js';
import { registerExportRoutes } from './routes/export.js';
import { registerKeyRoutes } from './routes/keys.js';
import { registerLiveRoutes } from './routes/live.js';
import { registerOtlpRoutes } from './routes/otlp.js';
import { countResponses, registerMetricsRoutes } from './routes/metrics.js';
import { registerQueryRoutes } from './routes/query.js';
import { registerStatusRoutes } from './routes/status.js';
import { shedWhenOverloaded } from './shed-load.js';

export function createApp(deps: AppDeps, log: (line: string) => void = console.error): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  if (deps.metrics) app.use('*', countResponses(deps.metrics.health));
  app.get('/api/health', (c) => c.json({ status: 'ok' }));
  app.use('/v1/*', shedWhenOverloaded(deps.commits));
  registerEventRoutes(app, deps);
  registerOtlpRoutes(app, deps);
  registerQueryRoutes(app, deps);
  registerInsightRoutes(app, deps);
  registerLiveRoutes(app, deps);
  registerKeyRoutes(app, deps);
  registerAlertRoutes(app, deps);
  registerIncidentRoutes(app, deps);
  registerExportRoutes(app, deps);
  registerStatusRoutes(app, deps);
  registerMetricsRoutes(app, deps);

  registerDashboardRoutes(app);

  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => {
    if (err instanceof BadParam) return c.json(errorBody('bad_request', err.message), 400);
    if (err instanceof SightlineError && err.code === 'QUERY_INVALID') return c.json(errorBody('bad_request', err.message), 400);
    // A capability this store lacks: 501 without Retry-After, since asking again cannot succeed.
    if (err instanceof SightlineError && err.code === 'NOT_SUPPORTED') return c.json(errorBody('not_implemented', err.message), 501);
    if (err instanceof SightlineError && err.code === 'STORE_UNAVAILABLE') {
      c.header('Retry-After', '5');
      return c.json(errorBody('store_unavailable', err.message), 503);
    }
    log(`error: ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}`);
    return c.json(errorBody('internal', 'internal error; see the server log'), 500);
  });
  return app;
}
