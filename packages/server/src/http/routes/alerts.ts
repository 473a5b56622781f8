// Alerts API: current alerts, history, rules (admin to change), silences and acknowledgements,
// deliveries, and an on-demand evaluation. The project always comes from the key.

import type { Context, Hono } from 'hono';
import type { AlertEngine } from '../../alert/engine.js';
import { alertSummary } from '../../alert/evidence.js';
import type { AlertRule } from '../../alert/rule.js';
import type { AlertState } from '../../alert/state-machine.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { BadParam, parseNumber, parseTime, type Query } from '../params.js';
import { fail } from '../respond.js';
import type { AlertReply, AlertsReply, DeliveriesReply, RuleReply, RulesReply, SilenceReply, SilencesReply } from '@sightline/api';

const MAX_HISTORY = 1_000;

/** The alert as the API and dashboard show it: the state plus the names the dashboard reads. */
function publicAlert(s: AlertState, metric: string) {
  return {
    ...s,
    state: s.status,
    group: s.labels,
    baseline: s.evidence?.baseline ?? s.baseline?.mean ?? null,
    summary: alertSummary(s, metric),
    started_at: s.fired_at ?? s.started_at,
  };
}

/** Each rule's metric, so an alert's summary puts its numbers in their unit. */
const metricsOf = (engine: AlertEngine, project: string): Map<string, string> => new Map(engine.rules(project).map((e) => [e.rule.id, e.rule.metric]));

function publicRule(rule: AlertRule, source: string, overridden: boolean) {
  return { ...rule, source, overridden };
}

async function jsonBody(c: { req: { json(): Promise<unknown> } }): Promise<Record<string, unknown> | null> {
  try {
    const body = await c.req.json();
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** An optional id filter: any text (it is a bound value), bounded like the other filters. */
function idParam(q: Query, name: string): string | undefined {
  const v = q(name);
  if (v === undefined || v === '') return undefined;
  if (v.length > 256) throw new BadParam(name, `is ${v.length} characters; the limit is 256`);
  return v;
}

export function registerAlertRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const read = requireScope(deps.auth, 'read');
  const admin = requireScope(deps.auth, 'admin');
  const engineOr503 = (): AlertEngine | null => deps.alerts ?? null;
  const unavailable = (c: Parameters<typeof fail>[0]) => fail(c, 503, 'store_unavailable', 'the alert engine is switched off (alerts.enabled: false)');

  app.get('/api/alerts', read, (c) => {
    const engine = engineOr503();
    if (!engine) return unavailable(c);
    const status = c.req.query('status');
    const alerts = engine.alerts(c.get('key').project).filter((s) => !status || s.status === status);
    const metrics = metricsOf(engine, c.get('key').project);
    return c.json({ alerts: alerts.map((a) => publicAlert(a, metrics.get(a.rule_id) ?? 'value')) } satisfies AlertsReply);
  });

  app.get('/api/alerts/history', read, async (c) => {
    const q: Query = (n) => c.req.query(n);
    const limit = parseNumber(q, 'limit', 1, MAX_HISTORY) ?? 100;
    const from = q('from') === undefined ? undefined : parseTime('from', q('from')!);
    const to = q('to') === undefined ? undefined : parseTime('to', q('to')!);
    const alertId = idParam(q, 'alert_id');
    const ruleId = idParam(q, 'rule_id');
    const events = await deps.store.listAlertEvents({
      project: c.get('key').project,
      limit,
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(alertId ? { alert_id: alertId } : {}),
      ...(ruleId ? { rule_id: ruleId } : {}),
    });
    return c.json({ events: events.map((e) => ({ id: e.id, at: e.at, alert_id: e.alert_id, rule_id: e.rule_id, kind: e.kind, ...e.body })) });
  });

  app.get('/api/alerts/rules', read, (c) => {
    const engine = engineOr503();
    if (!engine) return unavailable(c);
    return c.json({ rules: engine.rules(c.get('key').project).map((e) => publicRule(e.rule, e.source, e.overridden)) } satisfies RulesReply);
  });

  app.post('/api/alerts/rules', admin, async (c) => {
    const engine = engineOr503();
    if (!engine) return unavailable(c);
    const body = await jsonBody(c);
    if (!body) return fail(c, 400, 'bad_request', 'body: must be a JSON object describing a rule (id, name, metric, condition, …)');
    if (typeof body.id === 'string' && engine.rules(c.get('key').project).some((e) => e.rule.id === body.id)) {
      return fail(c, 400, 'bad_request', `id: a rule "${body.id}" exists; change it with PUT /api/alerts/rules/${body.id}`);
    }
    const r = await engine.putRule(c.get('key').project, body);
    if (!r.ok) return fail(c, 400, 'bad_request', r.message);
    return c.json({ rule: publicRule(r.rule, 'api', false) } satisfies RuleReply, 201);
  });

  const update = (partial: boolean) => async (c: Context<AppEnv>) => {
      const engine = engineOr503();
      if (!engine) return unavailable(c);
      const project = c.get('key').project;
      const id = c.req.param('id') ?? '';
      const body = await jsonBody(c);
      if (!body) return fail(c, 400, 'bad_request', 'body: must be a JSON object');
      const existing = engine.rules(project).find((e) => e.rule.id === id);
      if (partial && !existing) return fail(c, 404, 'not_found', `alert rule ${id} not found`);
      let input: Record<string, unknown> = body;
      if (partial && existing) {
        const condition = body.condition && typeof body.condition === 'object' && !('type' in body.condition) ? { ...existing.rule.condition, ...body.condition } : body.condition;
        input = { ...existing.rule, ...body, ...(condition ? { condition } : {}) };
      }
      const r = await engine.putRule(project, input, id);
      if (!r.ok) return fail(c, 400, 'bad_request', r.message);
      const now = engine.rules(project).find((e) => e.rule.id === id)!;
      return c.json({ rule: publicRule(now.rule, now.source, now.overridden) } satisfies RuleReply);
    };
  app.put('/api/alerts/rules/:id', admin, update(false));
  app.patch('/api/alerts/rules/:id', admin, update(true));

  app.delete('/api/alerts/rules/:id', admin, async (c) => {
    const engine = engineOr503();
    if (!engine) return unavailable(c);
    const id = c.req.param('id');
    const r = await engine.removeRule(c.get('key').project, id);
    if (r === 'not_found') return fail(c, 404, 'not_found', `alert rule ${id} not found`);
    if (r === 'builtin') return fail(c, 400, 'bad_request', `id: ${id} is a built-in rule; switch it off with PATCH {"enabled": false}`);
    if (r === 'config') return fail(c, 400, 'bad_request', `id: ${id} is defined in the config file; remove it there`);
    return c.json({ deleted: id });
  });

  app.get('/api/alerts/silences', read, (c) => {
    const engine = engineOr503();
    if (!engine) return unavailable(c);
    return c.json({ silences: engine.silences(c.get('key').project) } satisfies SilencesReply);
  });

  app.post('/api/alerts/silences', admin, async (c) => {
    const engine = engineOr503();
    if (!engine) return unavailable(c);
    const b = await jsonBody(c);
    if (!b) return fail(c, 400, 'bad_request', 'body: must be a JSON object {"ends_at": ms, "rule_id"?, "matchers"?, "comment"?}');
    const now = deps.clock();
    const startsAt = b.starts_at ?? now;
    if (typeof b.ends_at !== 'number' || !Number.isFinite(b.ends_at)) return fail(c, 400, 'bad_request', 'ends_at: must be epoch milliseconds');
    if (typeof startsAt !== 'number' || !Number.isFinite(startsAt)) return fail(c, 400, 'bad_request', 'starts_at: must be epoch milliseconds');
    if (b.ends_at <= Math.max(now, startsAt)) return fail(c, 400, 'bad_request', 'ends_at: must be in the future and after starts_at');
    if (b.rule_id !== undefined && (typeof b.rule_id !== 'string' || !engine.rules(c.get('key').project).some((e) => e.rule.id === b.rule_id))) {
      return fail(c, 400, 'bad_request', `rule_id: no rule "${String(b.rule_id)}" in this project`);
    }
    const matchers = b.matchers ?? {};
    if (typeof matchers !== 'object' || matchers === null || Array.isArray(matchers) || !Object.values(matchers).every((v) => typeof v === 'string')) {
      return fail(c, 400, 'bad_request', 'matchers: must be an object of label → string value, e.g. {"agent": "support-1"}');
    }
    if (b.comment !== undefined && typeof b.comment !== 'string') return fail(c, 400, 'bad_request', 'comment: must be a string');
    const key = c.get('key');
    const silence = await engine.addSilence({
      project: key.project,
      ...(typeof b.rule_id === 'string' ? { rule_id: b.rule_id } : {}),
      matchers: matchers as Record<string, string>,
      starts_at: startsAt,
      ends_at: b.ends_at,
      created_by: key.prefix,
      comment: (b.comment as string | undefined) ?? '',
    });
    return c.json({ silence } satisfies SilenceReply, 201);
  });

  app.delete('/api/alerts/silences/:id', admin, async (c) => {
    const engine = engineOr503();
    if (!engine) return unavailable(c);
    const s = await engine.expireSilence(c.get('key').project, c.req.param('id'));
    if (!s) return fail(c, 404, 'not_found', `silence ${c.req.param('id')} not found`);
    return c.json({ silence: s } satisfies SilenceReply);
  });

  app.post('/api/alerts/:id/ack', admin, async (c) => {
    const engine = engineOr503();
    if (!engine) return unavailable(c);
    const key = c.get('key');
    const s = await engine.acknowledge(key.project, c.req.param('id'), key.prefix);
    if (!s) return fail(c, 404, 'not_found', `alert ${c.req.param('id')} not found`);
    return c.json({ alert: publicAlert(s, metricsOf(engine, key.project).get(s.rule_id) ?? 'value') } satisfies AlertReply);
  });

  app.get('/api/alerts/deliveries', read, async (c) => {
    const engine = engineOr503();
    if (!engine) return unavailable(c);
    const status = c.req.query('status');
    const all = await engine.deliveries(c.get('key').project);
    return c.json({ deliveries: all.filter((d) => !status || d.status === status).slice(0, 500) } satisfies DeliveriesReply);
  });

  /** Runs one evaluation now (ops: "check again"; tests: drive the engine at the server's clock). */
  app.post('/api/alerts/evaluate', admin, async (c) => {
    const engine = engineOr503();
    if (!engine) return unavailable(c);
    // A second evaluator would notify what the lease holder notifies.
    if (deps.evaluatesAlerts?.() === false) {
      return fail(c, 409, 'not_leader', 'this node does not evaluate alerts: another node sharing the store holds the alert lease; send this request to that node (its log says "now evaluates alerts")');
    }
    const report = await engine.tick();
    return c.json(report);
  });
}
