// GET /api/status (read scope): what `sightline status` shows — version, uptime, store size,
// ingest queue and rate, live clients, alerts firing and incidents open in the key's project.

import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';

const STARTED_AT = Date.now();

function packageVersion(): string {
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
  store: { kind: string; spans: number; bytes: number };
  ingest: { queued_spans: number; spans_per_s: number | null };
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
    const stats = await deps.store.stats();
    const body: StatusBody = {
      status: deps.draining() ? 'draining' : 'ok',
      version,
      uptime_s: Math.round((Date.now() - STARTED_AT) / 1000),
      store: { kind: deps.store.kind, spans: stats.spans, bytes: stats.bytes },
      ingest: { queued_spans: deps.commits.queued(), spans_per_s: deps.metrics ? Math.round(deps.metrics.ingestRate() * 10) / 10 : null },
      live_clients: deps.bus.subscribers(),
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
