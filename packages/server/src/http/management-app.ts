// The health port's app (config healthPort): GET /api/health, /api/ready and /metrics answered by
// the main app itself, so handlers, auth (/metrics' scrape token) and counting are the same; any
// other path is 404. Probes get a listening socket of their own: Node accepts one connection per
// event-loop turn per socket, so on the main port they wait behind a flood of ingest connections.

import { Hono } from 'hono';
import type { AppEnv } from './context.js';
import { errorBody } from './respond.js';

/** What the health port serves (GET, and HEAD as Hono answers it for GET routes). */
export const MANAGEMENT_PATHS = ['/api/health', '/api/ready', '/metrics'] as const;

/**
 * @example createAdaptorServer({ fetch: createManagementApp(app).fetch })
 */
export function createManagementApp(main: Hono<AppEnv>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  for (const path of MANAGEMENT_PATHS) app.get(path, (c) => main.fetch(c.req.raw, c.env));
  app.notFound((c) => {
    c.header('X-Content-Type-Options', 'nosniff');
    return c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path} on the health port: it serves only GET ${MANAGEMENT_PATHS.join(', GET ')}`), 404);
  });
  return app;
}
