// A budget's alerts, as alert states the engine groups into incidents and notifies like any other:
// one per share of the amount (fires when the period's spend crosses it) and one for the forecast
// (fires when the spend at the current rate exhausts the budget before the period ends, on two
// evaluations in a row: a day's spend varies, and the rate is the last 24 h). Each fires at most once a period and resolves when the
// period rolls over (or the budget is deleted). Pure: previous state + figures → next state.

import { formatPct, formatUsd } from '@sightline/api';
import { PERIOD_ADJECTIVE, subjectOf, type Budget } from './budget.js';
import type { BudgetForecast } from './budget-forecast.js';
import type { Labels } from './figures.js';
import type { AlertState, Transition } from './state-machine.js';

/** Budget alert states carry this rule id prefix: `budget.<budget id>`. */
export const BUDGET_RULE_PREFIX = 'budget.';

export const budgetRuleId = (budgetId: string): string => `${BUDGET_RULE_PREFIX}${budgetId}`;

export type BudgetAlertKind = { type: 'share'; share: number } | { type: 'forecast' };

/** The label that tells a budget's alerts apart: "spent_80", "spent_100", "forecast". */
export const kindLabel = (k: BudgetAlertKind): string => (k.type === 'forecast' ? 'forecast' : `spent_${Math.round(k.share * 100)}`);

export function kindsOf(b: Budget): BudgetAlertKind[] {
  return [...b.alertShares.map((share) => ({ type: 'share' as const, share })), ...(b.forecast ? [{ type: 'forecast' as const }] : [])];
}

/** "21 Dec" */
const dayMonth = (ms: number) => new Date(ms).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

export interface BudgetStepInput {
  id: string;
  project: string;
  budget: Budget;
  kind: BudgetAlertKind;
  period: { start: number; end: number };
  forecast: BudgetForecast;
  now: number;
}

/** The one line a pager shows. */
export function budgetMessage(i: Omit<BudgetStepInput, 'id'>): string {
  const { budget: b, forecast: f, kind } = i;
  const who = subjectOf(b, i.project);
  const its = `its ${formatUsd(b.amountUsd)} ${PERIOD_ADJECTIVE[b.period]} budget`;
  if (kind.type === 'share') {
    return `${who} has spent ${formatPct(f.spent / b.amountUsd)} of ${its} (${formatUsd(f.spent)}, crossing ${formatPct(kind.share)})`;
  }
  const when = f.exhaustAt === null ? 'before the period ends' : `around ${dayMonth(f.exhaustAt)}`;
  // A band narrower than the rounding (steady spend) reads as one figure, not "$509–$510".
  const [low, high] = [formatUsd(f.low), formatUsd(f.high)];
  const band = low === high || f.high - f.low < 0.005 * f.high ? formatUsd((f.low + f.high) / 2) : `${low}–${high}`;
  return `${who} will exhaust ${its} ${when} at the current rate (${formatUsd(f.ratePerDay)} a day; ${band} by the period's end)`;
}

/** Whether the alert's condition holds now. */
export function breaches(kind: BudgetAlertKind, b: Budget, f: BudgetForecast): boolean {
  if (kind.type === 'share') return f.spent >= kind.share * b.amountUsd;
  return f.spent < b.amountUsd && f.exhaustAt !== null;
}

function initial(i: BudgetStepInput, labels: Labels): AlertState {
  return {
    id: i.id,
    project: i.project,
    rule_id: budgetRuleId(i.budget.id),
    rule_name: `Budget ${i.budget.name ?? i.budget.id}`,
    severity: i.budget.severity,
    labels,
    group_key: labels.budget_alert!,
    status: 'ok',
    since: i.now,
    streak: 0,
    baseline: null,
    value: null,
    threshold: null,
    exit_threshold: null,
    band: null,
    samples: 0,
    started_at: null,
    fired_at: null,
    resolved_at: null,
    last_evaluated_at: i.now,
    notified: false,
    last_notified_at: null,
    acknowledged_at: null,
    acknowledged_by: null,
    evidence: null,
  };
}

/**
 * @example stepBudgetAlert(undefined, { id, project, budget, kind: { type: 'share', share: 0.8 }, period, forecast, now })
 *   // spent ≥ 80 % → { state: { status: 'firing', summary: 'tenant acme has spent 80.4% of …' }, transition: 'firing' }
 */
export function stepBudgetAlert(prev: AlertState | undefined, i: BudgetStepInput): { state: AlertState; transition: Transition | null } {
  const labels: Labels = { budget: i.budget.id, budget_alert: kindLabel(i.kind) };
  const s: AlertState = { ...(prev ?? initial(i, labels)), rule_name: `Budget ${i.budget.name ?? i.budget.id}`, severity: i.budget.severity, last_evaluated_at: i.now };
  const f = i.forecast;
  const breach = breaches(i.kind, i.budget, f);
  const threshold = i.kind.type === 'share' ? i.kind.share * i.budget.amountUsd : i.budget.amountUsd;
  const figures = () => {
    s.value = i.kind.type === 'share' ? f.spent : f.projected;
    s.threshold = threshold;
    s.band = i.kind.type === 'forecast' ? [f.low, f.high] : null;
    s.summary = budgetMessage(i);
    s.evidence = {
      metric: 'cost',
      value: s.value,
      baseline: null,
      band: s.band,
      threshold,
      sigma: f.sigmaDay,
      samples: 0,
      baseline_samples: 0,
      window_ms: i.period.end - i.period.start,
      dashboard_url: `/budgets?budget=${encodeURIComponent(i.budget.id)}`,
      example_trace_ids: [],
    };
  };
  const fire = () => {
    figures();
    Object.assign(s, { status: 'firing', since: i.now, streak: 0, fired_at: i.now, resolved_at: null, notified: false, last_notified_at: null, acknowledged_at: null, acknowledged_by: null });
    return { state: s, transition: 'firing' as const };
  };
  switch (s.status) {
    case 'firing':
      // Fired in an earlier period: this one starts afresh.
      if ((s.fired_at ?? 0) < i.period.start) {
        Object.assign(s, { status: 'resolved', since: i.now, streak: 0, resolved_at: i.now });
        return { state: s, transition: 'resolved' };
      }
      return { state: s, transition: null };
    case 'pending':
      if (!breach) {
        Object.assign(s, { status: 'ok', since: i.now, streak: 0, started_at: null });
        return { state: s, transition: 'cancelled' };
      }
      return fire();
    case 'ok':
    case 'resolved':
      // Once a period: a resolved alert fired in this period stays quiet until the next.
      if (!breach || (s.fired_at ?? -Infinity) >= i.period.start) return { state: s, transition: null };
      s.started_at = i.now;
      if (i.kind.type === 'share') return fire();
      figures();
      Object.assign(s, { status: 'pending', since: i.now, streak: 1 });
      return { state: s, transition: 'pending' };
  }
}

/** A budget that no longer exists: its firing alerts resolve, pending ones are cancelled. */
export function endBudgetAlert(prev: AlertState, now: number): { state: AlertState; transition: Transition | null } {
  if (prev.status === 'firing') return { state: { ...prev, status: 'resolved', since: now, streak: 0, resolved_at: now, last_evaluated_at: now }, transition: 'resolved' };
  if (prev.status === 'pending') return { state: { ...prev, status: 'ok', since: now, streak: 0, started_at: null, last_evaluated_at: now }, transition: 'cancelled' };
  return { state: prev, transition: null };
}
