// Replies of GET/POST/PUT /api/budgets (packages/server/src/http/routes/budgets.ts): a budget as
// configured, with its spend this period, the forecast at the current rate and its 80 % band.

/** A point of the period's cumulative spend (the forecast's points carry their band). */
export interface BudgetPoint {
  at: number;
  spent: number;
  low?: number;
  high?: number;
}

export interface BudgetScope {
  agent?: string;
  model?: string;
  provider?: string;
  /** An end user (span user_id). */
  user?: string;
  /** An attribute key (e.g. "tenant"), with `value`. */
  attribute?: string;
  value?: string;
}

export interface BudgetView {
  id: string;
  name?: string;
  scope: BudgetScope;
  amountUsd: number;
  period: 'day' | 'week' | 'month';
  alertShares: number[];
  forecast: boolean;
  severity: string;
  channels?: string[];
  /** 'config' or 'api'. */
  source: string;
  period_start: number;
  period_end: number;
  spent_usd: number;
  share: number;
  rate_usd_per_day: number;
  projection: {
    projected_usd: number;
    low_usd: number;
    high_usd: number;
    sigma_day_usd: number | null;
    exhaust_at: number | null;
    exhaust_earliest: number | null;
    exhaust_latest: number | null;
  };
  history: BudgetPoint[];
  projection_series: BudgetPoint[];
  /** Pending and firing alerts (those of past periods are in the alert history). */
  alerts: { id: string; kind: string | null; status: string; summary: string | null; fired_at: number | null; resolved_at: number | null }[];
}

export interface BudgetsReply {
  budgets: BudgetView[];
}

export interface BudgetReply {
  budget: BudgetView;
}
