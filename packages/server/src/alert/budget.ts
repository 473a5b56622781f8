// What a budget is: an amount of spend (USD) per day, week or month for a project, an agent, a
// model, a provider, an end user or any attribute value (e.g. tenant acme), the shares of it that
// alert when spend crosses them, and whether a forecast that exhausts it before the period ends
// alerts too. Shared by the config file (`alerts.budgets`) and /api/budgets; invalid budgets are
// rejected naming the field.

import { z } from 'zod';
import { SEVERITIES } from './rule.js';

export const BUDGET_PERIODS = ['day', 'week', 'month'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** The same bound as the query API's filters (http/params.ts). */
const scopeValue = z.string().min(1).max(256);

/** What the budget covers: nothing set = the whole project; else exactly one of these. */
export const budgetScopeSchema = z
  .strictObject({
    agent: scopeValue.optional(),
    model: scopeValue.optional(),
    provider: scopeValue.optional(),
    /** An end user (span user_id). */
    user: scopeValue.optional(),
    /** An attribute key (e.g. "tenant"), with `value`: spend of the spans carrying key = value. */
    attribute: z.string().min(1).max(64).optional(),
    value: z.string().min(1).max(64).optional(),
  })
  .superRefine((s, ctx) => {
    const set = (['agent', 'model', 'provider', 'user', 'attribute'] as const).filter((k) => s[k] !== undefined);
    if (set.length > 1) ctx.addIssue({ code: 'custom', message: `set one of agent, model, provider, user, attribute (got ${set.join(' and ')})` });
    if (s.attribute !== undefined && s.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: 'an attribute budget needs the value it covers (e.g. {"attribute": "tenant", "value": "acme"})' });
    if (s.value !== undefined && s.attribute === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: 'applies only with "attribute"' });
  });

export type BudgetScope = z.infer<typeof budgetScopeSchema>;

export const budgetObjectSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be 1-64 characters of a-z, 0-9, "_", "." or "-"'),
  name: z.string().min(1).max(200).optional(),
  scope: budgetScopeSchema.default({}),
  /** The budget in USD for each period. */
  amountUsd: z.number().positive().max(1e9),
  /** Calendar periods in UTC: a day, an ISO week (from Monday 00:00), a month. */
  period: z.enum(BUDGET_PERIODS),
  /** Shares of the amount that alert when spend crosses them, once per period each. */
  alertShares: z
    .array(z.number().positive().max(10))
    .max(10)
    .default([0.8, 1])
    .refine((xs) => new Set(xs).size === xs.length, 'must not repeat a share'),
  /** Alert when spend at the current rate exhausts the budget before the period ends. */
  forecast: z.boolean().default(true),
  severity: z.enum(SEVERITIES).default('warning'),
  /** Channel names; absent = every configured channel. */
  channels: z.array(z.string().min(1)).optional(),
});

export type Budget = z.infer<typeof budgetObjectSchema>;

export type BudgetParse = { ok: true; budget: Budget } | { ok: false; field: string; message: string };

/**
 * Checks a budget from the config file or the API; the message names the first bad field.
 * @example parseBudget({ id: 'acme', scope: { attribute: 'tenant', value: 'acme' }, amountUsd: 500, period: 'month' })
 */
export function parseBudget(input: unknown, at = ''): BudgetParse {
  const result = budgetObjectSchema.safeParse(input);
  if (result.success) return { ok: true, budget: result.data };
  const issue = result.error.issues[0]!;
  const field = [at, ...issue.path.map(String)].filter((p) => p !== '').join('.') || 'budget';
  return { ok: false, field, message: `${field}: ${issue.message}` };
}

/** "tenant acme", "agent support", "user u-17", "project default". */
export function subjectOf(b: Budget, project: string): string {
  const s = b.scope;
  if (s.attribute !== undefined) return `${s.attribute} ${s.value!}`;
  for (const k of ['agent', 'model', 'provider', 'user'] as const) if (s[k] !== undefined) return `${k} ${s[k]}`;
  return `project ${project}`;
}

const DAY = 86_400_000;

/** The UTC calendar period holding `at`: [start, end). */
export function periodAt(period: BudgetPeriod, at: number): { start: number; end: number } {
  const d = new Date(at);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'day') return { start: day, end: day + DAY };
  if (period === 'week') {
    const start = day - ((d.getUTCDay() + 6) % 7) * DAY;
    return { start, end: start + 7 * DAY };
  }
  return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}

export const PERIOD_ADJECTIVE: Record<BudgetPeriod, string> = { day: 'daily', week: 'weekly', month: 'monthly' };
