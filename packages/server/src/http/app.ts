// The HTTP surface: one Hono app, all routes, one error handler deciding status codes.

import { Hono } from 'hono';
import { SightlineError } from '../model/errors.js';
import type { AppDeps, AppEnv } from './context.js';
import { BadParam } from './params.js';
import { errorBody } from './respond.js';
import { registerEventRoutes } from './routes/events.js';
import { registerKeyRoutes } from './routes/keys.js';
import { registerLiveRoutes } from './routes/live.js';
import { registerQueryRoutes } from './routes/query.js';

export function createApp(deps: AppDeps, log: (line: string) => void = console.error): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/api/health', (c) => c.json({ status: 'ok' }));
  registerEventRoutes(app, deps);
  registerQueryRoutes(app, deps);
  registerLiveRoutes(app, deps);
  registerKeyRoutes(app, deps);

  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => {
    if (err instanceof BadParam) return c.json(errorBody('bad_request', err.message), 400);
    if (err instanceof SightlineError && err.code === 'QUERY_INVALID') return c.json(errorBody('bad_request', err.message), 400);
    if (err instanceof SightlineError && err.code === 'STORE_UNAVAILABLE') {
      c.header('Retry-After', '5');
      return c.json(errorBody('store_unavailable', err.message), 503);
    }
    log(`error: ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}`);
    return c.json(errorBody('internal', 'internal error; see the server log'), 500);
  });
  return app;
}
