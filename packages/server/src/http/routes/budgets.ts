// Budgets API: budgets per project, agent, model, provider, user or attribute value, with their
// spend so far, the forecast to the period's end and its band, and their alerts. Read key to read,
// admin key to create, replace and delete. The project always comes from the key.

import type { BudgetReply, BudgetsReply, BudgetView } from '@sightline/api';
import type { Context, Hono } from 'hono';
import { budgetRuleId } from '../../alert/budget-alerts.js';
import type { Budget } from '../../alert/budget.js';
import type { AlertEngine } from '../../alert/engine.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { fail } from '../respond.js';

async function jsonBody(c: Context<AppEnv>): Promise<Record<string, unknown> | null> {
  try {
    const body: unknown = await c.req.json();
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The budget, where it comes from, its figures now and its alerts that are not ok. */
async function publicBudget(engine: AlertEngine, project: string, budget: Budget, source: string, now: number): Promise<BudgetView> {
  const status = await engine.budgetStatus(project, budget, now);
  const f = status.forecast;
  return {
    ...budget,
    source,
    period_start: status.period.start,
    period_end: status.period.end,
    spent_usd: f.spent,
    share: status.share,
    rate_usd_per_day: f.ratePerDay,
    /** Where spend is heading at the current rate (the budget's `forecast` says whether it alerts). */
    projection: {
      projected_usd: f.projected,
      low_usd: f.low,
      high_usd: f.high,
      sigma_day_usd: f.sigmaDay,
      exhaust_at: f.exhaustAt,
      exhaust_earliest: f.exhaustEarliest,
      exhaust_latest: f.exhaustLatest,
    },
    history: f.history,
    projection_series: f.forecast,
    /** Pending and firing alerts (those of past periods are in the alert history). */
    alerts: engine
      .alerts(project)
      .filter((s) => s.rule_id === budgetRuleId(budget.id) && (s.status === 'pending' || s.status === 'firing'))
      .map((s) => ({ id: s.id, kind: s.labels.budget_alert ?? null, status: s.status, summary: s.summary ?? null, fired_at: s.fired_at, resolved_at: s.resolved_at })),
  };
}

export function registerBudgetRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const read = requireScope(deps.auth, 'read');
  const admin = requireScope(deps.auth, 'admin');
  const unavailable = (c: Parameters<typeof fail>[0]) => fail(c, 503, 'store_unavailable', 'the alert engine is switched off (alerts.enabled: false)');

  app.get('/api/budgets', read, async (c) => {
    const engine = deps.alerts;
    if (!engine) return unavailable(c);
    const project = c.get('key').project;
    const now = deps.clock();
    const budgets = [];
    for (const e of engine.budgets(project)) budgets.push(await publicBudget(engine, project, e.budget, e.source, now));
    return c.json({ budgets } satisfies BudgetsReply);
  });

  app.get('/api/budgets/:id', read, async (c) => {
    const engine = deps.alerts;
    if (!engine) return unavailable(c);
    const project = c.get('key').project;
    const e = engine.budgets(project).find((x) => x.budget.id === c.req.param('id'));
    if (!e) return fail(c, 404, 'not_found', `budget ${c.req.param('id')} not found`);
    return c.json({ budget: await publicBudget(engine, project, e.budget, e.source, deps.clock()) } satisfies BudgetReply);
  });

  const put = async (c: Context<AppEnv>, id: string | undefined, created: boolean) => {
    const engine = deps.alerts;
    if (!engine) return unavailable(c);
    const body = await jsonBody(c);
    if (body === null) return fail(c, 400, 'bad_request', 'body: must be a JSON object (a budget: {"id", "amountUsd", "period", "scope"?, …})');
    const project = c.get('key').project;
    if (created && typeof body.id === 'string' && engine.budgets(project).some((e) => e.budget.id === body.id)) {
      return fail(c, 409, 'conflict', `id: budget "${body.id}" exists; PUT /api/budgets/${body.id} replaces it`);
    }
    const r = await engine.putBudget(project, body, id);
    if (!r.ok) return fail(c, 'status' in r ? r.status : 400, 'status' in r ? 'conflict' : 'bad_request', r.message);
    return c.json({ budget: await publicBudget(engine, project, r.budget, 'api', deps.clock()) } satisfies BudgetReply, created ? 201 : 200);
  };
  app.post('/api/budgets', admin, (c) => put(c, undefined, true));
  app.put('/api/budgets/:id', admin, (c) => put(c, c.req.param('id'), false));

  app.delete('/api/budgets/:id', admin, async (c) => {
    const engine = deps.alerts;
    if (!engine) return unavailable(c);
    const r = await engine.removeBudget(c.get('key').project, c.req.param('id'));
    if (r === 'not_found') return fail(c, 404, 'not_found', `budget ${c.req.param('id')} not found`);
    if (r === 'config') return fail(c, 409, 'conflict', `budget ${c.req.param('id')} is defined in the config file; remove it there`);
    return c.json({ deleted: c.req.param('id') });
  });
}
