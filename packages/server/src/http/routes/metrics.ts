// GET /metrics (Prometheus text format) and the middleware counting every HTTP answer. Access: a
// read-scope API key (its project's agent series) or the configured scrape token (all projects).

import { timingSafeEqual, createHash } from 'node:crypto';
import type { Hono, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { HealthMetrics } from '../metrics/health-metrics.js';
import { keyAllows, keyFromHeaders } from '../auth.js';
import type { AppDeps, AppEnv } from '../context.js';
import { fail } from '../respond.js';
import { isInstanceAdmin } from './keys.js';

const INGEST_ROUTES = new Set(['/v1/events', '/v1/traces']);
const REASON_FOR_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'overloaded',
  503: 'store_unavailable',
};

/** Counts each response by its route pattern (never the raw path: ids would mint series). */
export function countResponses(health: HealthMetrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    // The first matched route of a method (middleware is ALL) that is not the dashboard's catch-all:
    // API routes are registered before it, and GET paths match it too, so the last match would be '*'.
    const handler = matchedRoutes(c).find((r) => r.method !== 'ALL' && r.path !== '*' && r.path !== '/*');
    const route = handler?.path ?? 'unmatched';
    const status = c.res.status;
    health.httpResponse(route, c.req.method, status);
    if (INGEST_ROUTES.has(route) && status >= 400) health.rejectedRequest(REASON_FOR_STATUS[status] ?? `http_${status}`);
  };
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Constant-time comparison of the presented secret with the scrape token. */
function isScrapeToken(secret: string | undefined, token: string | undefined): boolean {
  return secret !== undefined && token !== undefined && timingSafeEqual(digest(secret), digest(token));
}

export function registerMetricsRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const metrics = deps.metrics;
  if (metrics === undefined) return;
  app.get('/metrics', async (c) => {
    const secret = keyFromHeaders((n) => c.req.header(n));
    let project: string | null = null;
    if (!isScrapeToken(secret, deps.metricsScrapeToken)) {
      const result = await deps.auth.authenticate(secret);
      if (result.status !== 'ok') return fail(c, 401, 'unauthenticated', `${result.message} (or the metrics scrape token)`);
      if (!keyAllows(result.key, 'read')) {
        return fail(c, 403, 'forbidden', `this API key lacks the "read" scope (it has: ${result.key.scopes.join(', ')})`);
      }
      project = isInstanceAdmin(result.key) ? null : result.key.project;
    }
    return c.body(await metrics.render(project), 200, { 'content-type': metrics.contentType });
  });
}
