// GET /api/status (read scope): what `sightline status` shows — version, uptime, store size,
// ingest queue and rate, live clients, alerts firing and incidents open in the key's project.
// Instance-wide figures (all projects' spans, bytes, queue, rate) only for the instance admin; a
// project's key sees its own span count and live clients, and null where a figure exists only for
// the whole instance.

import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { isInstanceAdmin } from './keys.js';

const STARTED_AT = Date.now();

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface StatusBody {
  status: 'ok' | 'draining';
  version: string;
  uptime_s: number;
  store: { kind: string; spans: number; bytes: number | null };
  ingest: { queued_spans: number | null; spans_per_s: number | null };
  live_clients: number;
  alerts: { firing: number | null };
  /** Open incidents of the key's project, newest first (null: alert engine not running here). */
  incidents: StatusIncident[] | null;
}

export interface StatusIncident {
  id: string;
  title: string;
  severity: string;
  opened_at: number;
  alerts: number;
  acknowledged: boolean;
}

export function registerStatusRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const version = packageVersion();
  app.get('/api/status', requireScope(deps.auth, 'read'), async (c) => {
    const key = c.get('key');
    const instance = isInstanceAdmin(key);
    const stats = instance ? await deps.store.stats() : { spans: await projectSpans(deps, key.project), bytes: null };
    const body: StatusBody = {
      status: deps.draining() ? 'draining' : 'ok',
      version,
      uptime_s: Math.round((Date.now() - STARTED_AT) / 1000),
      store: { kind: deps.store.kind, spans: stats.spans, bytes: stats.bytes },
      ingest: {
        queued_spans: instance ? deps.commits.queued() : null,
        spans_per_s: deps.metrics && instance ? Math.round(deps.metrics.ingestRate() * 10) / 10 : null,
      },
      live_clients: instance ? deps.bus.subscribers() : deps.bus.subscribers(key.project),
      alerts: { firing: deps.alerts ? deps.alerts.alerts(c.get('key').project).filter((a) => a.status === 'firing').length : (deps.metrics?.firingAlerts() ?? null) },
      incidents: deps.alerts
        ? deps.alerts
            .incidents(c.get('key').project)
            .filter((i) => i.status === 'open')
            .map((i) => ({ id: i.id, title: i.title, severity: i.severity, opened_at: i.opened_at, alerts: i.members.filter((m) => m.left_at === null).length, acknowledged: i.acknowledged_at !== null }))
        : null,
    };
    return c.json(body);
  });
}

/** The project's spans, from its hourly rollups (every span ever rolled up, not yet deleted). */
async function projectSpans(deps: AppDeps, project: string): Promise<number> {
  const rows = await deps.store.rollup({ project, from: 0, to: deps.clock() + 86_400_000, bucketMs: 3_600_000, groupBy: [], filter: {}, histogram: false, collapse: true });
  return rows.reduce((n, r) => n + r.count, 0);
}
