// The budgets in force per project (the config file's and the API's, the latter persisted as
// alert records of kind 'budget'), their spend and forecast, and their alerts: every
// `budgetIntervalMs` the engine asks for each budget's alert states (budget-alerts.ts) and groups
// and notifies them like any other alert.

import type { AlertStore } from '../store/alert-store.js';
import type { BudgetSpendStore } from './budget-spend.js';
import { parseBudget, periodAt, type Budget, type BudgetParse } from './budget.js';
import { budgetRuleId, BUDGET_RULE_PREFIX, endBudgetAlert, kindLabel, kindsOf, stepBudgetAlert } from './budget-alerts.js';
import { forecastBudget, type BudgetForecast } from './budget-forecast.js';
import { createBudgetSpendReader } from './budget-spend.js';
import type { AlertsConfig } from './config.js';
import type { AlertState, Transition } from './state-machine.js';

const DAY = 86_400_000;
/** Budgets per project: each costs a few reads per evaluation. */
export const MAX_BUDGETS = 100;

export interface BudgetEntry {
  budget: Budget;
  source: 'config' | 'api';
}

export interface BudgetStatus {
  period: { start: number; end: number };
  /** Spent ÷ amount. */
  share: number;
  forecast: BudgetForecast;
}

export type BudgetRemoval = 'deleted' | 'not_found' | 'config';
export type BudgetPut = BudgetParse | { ok: false; field: string; message: string; status: 409 };

export interface BudgetWatch {
  load(): Promise<void>;
  forProject(project: string): BudgetEntry[];
  put(project: string, input: unknown, now: number, id?: string): Promise<BudgetPut>;
  remove(project: string, id: string): Promise<BudgetRemoval>;
  status(project: string, budget: Budget, now: number): Promise<BudgetStatus>;
  /** The budget's channel names (undefined: every channel) for a budget alert's rule id. */
  channelsOf(project: string, ruleId: string): string[] | undefined;
  /** Steps every budget alert of the project, or returns null when not due yet. */
  evaluate(project: string, now: number, states: ReadonlyMap<string, AlertState>, alertIdOf: (ruleId: string, groupKey: string) => string): Promise<{ state: AlertState; transition: Transition | null }[] | null>;
}

export function createBudgetWatch(store: AlertStore & BudgetSpendStore, config: AlertsConfig): BudgetWatch {
  const fromConfig = config.budgets.map(({ project, ...budget }) => ({ project, budget: budget as Budget }));
  const stored = new Map<string, Map<string, Budget>>();
  const storedFor = (project: string) => {
    let m = stored.get(project);
    if (!m) stored.set(project, (m = new Map()));
    return m;
  };
  const reader = createBudgetSpendReader(store, { lateMs: config.lateMs });
  const lastEvaluated = new Map<string, number>();
  /** Budgets changed since the project's last evaluation: evaluate at the next tick. */
  const dirty = new Set<string>();

  const watch: BudgetWatch = {
    async load() {
      const records = await store.listAlertRecords('budget');
      stored.clear();
      for (const r of records) storedFor(r.project).set(r.id, r.body as unknown as Budget);
    },
    forProject(project) {
      const out: BudgetEntry[] = fromConfig.filter((c) => c.project === project).map((c) => ({ budget: c.budget, source: 'config' }));
      for (const b of storedFor(project).values()) out.push({ budget: b, source: 'api' });
      return out;
    },
    async put(project, input, now, id) {
      const body = (typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
      if (id !== undefined && body.id !== undefined && body.id !== id) return { ok: false, field: 'id', message: `id: "${String(body.id)}" differs from the id in the path ("${id}")` };
      const r = parseBudget({ ...body, ...(id !== undefined ? { id } : {}) });
      if (!r.ok) return r;
      if (fromConfig.some((c) => c.project === project && c.budget.id === r.budget.id)) {
        return { ok: false, field: 'id', message: `id: budget "${r.budget.id}" is defined in the config file; change it there`, status: 409 };
      }
      const mine = storedFor(project);
      if (!mine.has(r.budget.id) && watch.forProject(project).length >= MAX_BUDGETS) {
        return { ok: false, field: 'id', message: `id: the project has ${MAX_BUDGETS} budgets, the limit; delete one first`, status: 409 };
      }
      await store.putAlertRecords('budget', [{ project, id: r.budget.id, updated_at: now, body: r.budget as unknown as Record<string, unknown> }]);
      mine.set(r.budget.id, r.budget);
      dirty.add(project);
      return r;
    },
    async remove(project, id) {
      if (fromConfig.some((c) => c.project === project && c.budget.id === id)) return 'config';
      const mine = storedFor(project);
      if (!mine.has(id)) return 'not_found';
      await store.deleteAlertRecord('budget', project, id);
      mine.delete(id);
      dirty.add(project);
      return 'deleted';
    },
    async status(project, budget, now) {
      const period = periodAt(budget.period, now);
      // The band and the profile look 7 days back; the spend so far, to the period's start.
      const from = Math.min(period.start, Math.floor(now / DAY) * DAY - 7 * DAY);
      const { buckets, profile } = await reader.read(project, budget, from, now);
      const forecast = forecastBudget({ now, period, amountUsd: budget.amountUsd, buckets, profile });
      return { period, share: forecast.spent / budget.amountUsd, forecast };
    },
    channelsOf(project, ruleId) {
      if (!ruleId.startsWith(BUDGET_RULE_PREFIX)) return undefined;
      return watch.forProject(project).find((e) => budgetRuleId(e.budget.id) === ruleId)?.budget.channels;
    },
    async evaluate(project, now, states, alertIdOf) {
      const last = lastEvaluated.get(project);
      if (last !== undefined && !dirty.has(project) && now - last < config.budgetIntervalMs && now >= last) return null;
      lastEvaluated.set(project, now);
      dirty.delete(project);
      const out: { state: AlertState; transition: Transition | null }[] = [];
      const current = new Set<string>();
      for (const { budget } of watch.forProject(project)) {
        const status = await watch.status(project, budget, now);
        for (const kind of kindsOf(budget)) {
          const id = alertIdOf(budgetRuleId(budget.id), kindLabel(kind));
          current.add(id);
          out.push(stepBudgetAlert(states.get(id), { id, project, budget, kind, period: status.period, forecast: status.forecast, now }));
        }
      }
      for (const s of states.values()) {
        if (s.project !== project || !s.rule_id.startsWith(BUDGET_RULE_PREFIX) || current.has(s.id)) continue;
        const ended = endBudgetAlert(s, now);
        if (ended.transition !== null) out.push(ended);
      }
      return out;
    },
  };
  return watch;
}
