// Incidents API: alerts grouped by cause (src/alert/incidents.ts), open first; their history,
// acknowledgement (stops reminders) and silence (no notifications until it ends). Project from the key.

import type { Hono } from 'hono';
import { INCIDENT_RULE_ID, type AlertEngine } from '../../alert/engine.js';
import type { Incident } from '../../alert/incident.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { parseNumber, parseTime, type Query } from '../params.js';
import { fail } from '../respond.js';
import type { IncidentReply, IncidentsReply, SilenceReply } from '@sightline/api';

const MAX_HISTORY = 1_000;

/** The incident with its member alerts' current states (value, evidence) folded in. */
function publicIncident(inc: Incident, engine: AlertEngine) {
  const states = new Map(engine.alerts(inc.project).map((s) => [s.id, s]));
  return {
    ...inc,
    alerts: inc.members.map((m) => {
      const s = states.get(m.alert_id);
      return { ...m, active: m.left_at === null, ...(s ? { state: s.status, threshold: s.threshold, evidence: s.evidence } : {}) };
    }),
  };
}

export function registerIncidentRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const read = requireScope(deps.auth, 'read');
  const admin = requireScope(deps.auth, 'admin');
  const unavailable = (c: Parameters<typeof fail>[0]) => fail(c, 503, 'store_unavailable', 'the alert engine is switched off (alerts.enabled: false)');

  app.get('/api/incidents', read, (c) => {
    const engine = deps.alerts;
    if (!engine) return unavailable(c);
    const status = c.req.query('status');
    if (status !== undefined && status !== 'open' && status !== 'resolved') return fail(c, 400, 'bad_request', 'status: must be "open" or "resolved"');
    const limit = parseNumber((n) => c.req.query(n), 'limit', 1, 1_000) ?? 100;
    const all = engine.incidents(c.get('key').project).filter((i) => !status || i.status === status);
    return c.json({ incidents: all.slice(0, limit).map((i) => publicIncident(i, engine)) } satisfies IncidentsReply);
  });

  app.get('/api/incidents/history', read, async (c) => {
    const q: Query = (n) => c.req.query(n);
    const limit = parseNumber(q, 'limit', 1, MAX_HISTORY) ?? 100;
    const from = q('from') === undefined ? undefined : parseTime('from', q('from')!);
    const to = q('to') === undefined ? undefined : parseTime('to', q('to')!);
    const id = q('incident_id');
    const events = await deps.store.listAlertEvents({
      project: c.get('key').project,
      rule_id: INCIDENT_RULE_ID,
      limit,
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(id ? { alert_id: id.slice(0, 256) } : {}),
    });
    return c.json({ events: events.map((e) => ({ id: e.id, at: e.at, incident_id: e.alert_id, kind: e.kind, ...e.body })) });
  });

  app.get('/api/incidents/:id', read, (c) => {
    const engine = deps.alerts;
    if (!engine) return unavailable(c);
    const inc = engine.incidents(c.get('key').project).find((i) => i.id === c.req.param('id'));
    if (!inc) return fail(c, 404, 'not_found', `incident ${c.req.param('id')} not found`);
    return c.json({ incident: publicIncident(inc, engine) } satisfies IncidentReply);
  });

  app.post('/api/incidents/:id/ack', admin, async (c) => {
    const engine = deps.alerts;
    if (!engine) return unavailable(c);
    const key = c.get('key');
    const inc = await engine.acknowledgeIncident(key.project, c.req.param('id'), key.prefix);
    if (!inc) return fail(c, 404, 'not_found', `incident ${c.req.param('id')} not found`);
    return c.json({ incident: publicIncident(inc, engine) } satisfies IncidentReply);
  });

  app.post('/api/incidents/:id/silence', admin, async (c) => {
    const engine = deps.alerts;
    if (!engine) return unavailable(c);
    let b: Record<string, unknown>;
    try {
      b = (await c.req.json()) as Record<string, unknown>;
    } catch {
      return fail(c, 400, 'bad_request', 'body: must be a JSON object {"ends_at": ms, "comment"?}');
    }
    if (typeof b !== 'object' || b === null || typeof b.ends_at !== 'number' || !Number.isFinite(b.ends_at)) return fail(c, 400, 'bad_request', 'ends_at: must be epoch milliseconds');
    if (b.ends_at <= deps.clock()) return fail(c, 400, 'bad_request', 'ends_at: must be in the future');
    if (b.comment !== undefined && typeof b.comment !== 'string') return fail(c, 400, 'bad_request', 'comment: must be a string');
    const key = c.get('key');
    const s = await engine.silenceIncident(key.project, c.req.param('id'), { ends_at: b.ends_at, created_by: key.prefix, comment: (b.comment as string | undefined) ?? '' });
    if (!s) return fail(c, 404, 'not_found', `incident ${c.req.param('id')} not found`);
    return c.json({ silence: s } satisfies SilenceReply, 201);
  });
}
