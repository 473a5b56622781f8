// What an alert rule is — metric, filter, grouping, window, condition, gates — and its validation,
// shared by the config file and /api/alerts/rules. Invalid rules are rejected naming the field.

import { z } from 'zod';
import { DIMENSIONS, SPAN_TYPES } from '../model/span.js';
import { METRICS } from '../query/aggregate.js';

/**
 * Dimensions a rule may group by: the rollups' plus `user` (span user_id), which the engine reads
 * from raw spans (Store.userRollups): rules grouped by user watch spend or volume, not quantiles.
 */
export const ALERT_DIMENSIONS = [...DIMENSIONS, 'user'] as const;
export type AlertDimension = (typeof ALERT_DIMENSIONS)[number];

/**
 * Metrics a rule may watch: the query metrics plus output/input tokens (token efficiency), and the
 * mean of a score (scores, not spans: judged per score name by score-alerts.ts with a score_drop condition).
 */
export const ALERT_METRICS = [...METRICS, 'token_efficiency', 'score_mean'] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

/** What a score_mean rule may group and filter by (the score rollup's context of a score), besides the score name. */
export const SCORE_RULE_DIMENSIONS: readonly AlertDimension[] = ['agent', 'model', 'decision'];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const direction = z.enum(['above', 'below']).default('above');

/** How a value breaches. Each threshold is a band edge; leaving a firing alert needs the hysteresis margin too. */
export const conditionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    /** value beyond baseline ± k σ (σ of a window's value, estimated from the baseline). */
    type: z.literal('sigma'),
    k: z.number().positive().max(20),
    direction,
    /** Smallest change worth an alert, in the metric's unit (e.g. 0.1 = 10 points of error rate). */
    minDelta: z.number().nonnegative().default(0),
    /** Smallest relative change worth an alert (0.5 = 50 % above or below the baseline). */
    minChange: z.number().nonnegative().default(0),
    /** error_rate only: the binomial tail bound of the window's errors must be below this. */
    maxPValue: z.number().positive().max(1).optional(),
  }),
  z.strictObject({
    /** value beyond percent % of the baseline's (rolling) average. */
    type: z.literal('percent_of_average'),
    percent: z.number().positive().max(100_000),
    direction,
    /** The change must also be this many σ of a window's value, so noise on few samples does not fire. */
    confirmSigma: z.number().nonnegative().max(20).default(0),
  }),
  z.strictObject({ type: z.literal('above'), value: z.number() }),
  z.strictObject({ type: z.literal('below'), value: z.number() }),
  z.strictObject({
    /** A group (e.g. a decision) seen in the window and never in the baseline window. */
    type: z.literal('new_value'),
    /** How long after its first appearance a value still counts as new. */
    noveltyMs: z.number().int().min(MINUTE).max(7 * DAY).default(HOUR),
  }),
  z.strictObject({
    /**
     * score_mean only: the window's mean score is below the baseline's, significantly (Welch's
     * one-sided p ≤ maxPValue) and by a lot (at least minDropSd of the baseline's per-score σ).
     */
    type: z.literal('score_drop'),
    maxPValue: z.number().positive().max(1).default(1e-4),
    minDropSd: z.number().nonnegative().max(20).default(0.75),
  }),
]);

export type Condition = z.infer<typeof conditionSchema>;

/** The same bound as the query API's filters (http/params.ts). */
const filterValue = z.string().min(1).max(256);

const filterSchema = z
  .strictObject({
    agent: filterValue.optional(),
    model: filterValue.optional(),
    decision: filterValue.optional(),
    span_type: z.enum(SPAN_TYPES).optional(),
    provider: filterValue.optional(),
    /** Only spans carrying a decision, of any span type (the one definition of a decision). */
    has_decision: z.boolean().optional(),
  })
  .default({});

/** A rule's fields; ruleSchema adds the cross-field checks. */
export const ruleObjectSchema = z.strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be 1-64 characters of a-z, 0-9, "_", "." or "-"'),
    name: z.string().min(1).max(200),
    description: z.string().max(2000).default(''),
    enabled: z.boolean().default(true),
    metric: z.enum(ALERT_METRICS),
    filter: filterSchema,
    groupBy: z.array(z.enum(ALERT_DIMENSIONS)).max(ALERT_DIMENSIONS.length).default([]),
    /** The value is computed over [now − window, now). Up to 6 h: the engine caches minute rollups for it. */
    windowMs: z.number().int().min(MINUTE).max(6 * HOUR).default(15 * MINUTE),
    /** How far back the baseline reaches (whole hours before the current one). */
    baselineMs: z.number().int().min(HOUR).max(7 * DAY).default(DAY),
    /** Evaluate at most this often; 0 = every engine tick. */
    intervalMs: z.number().int().nonnegative().default(0),
    condition: conditionSchema,
    /** No alert on three requests: fewer samples in the window count as "no evidence". */
    minSamples: z.number().int().positive().default(20),
    /** The baseline needs this many samples before the group is judged at all. */
    minBaselineSamples: z.number().int().nonnegative().default(100),
    /** Consecutive breaching evaluations before firing (pending until then). */
    forEvaluations: z.number().int().min(1).max(1000).default(2),
    /** Consecutive clear evaluations before a firing alert resolves. */
    clearEvaluations: z.number().int().min(1).max(1000).default(2),
    /** Share of the threshold's distance from the baseline that the value must come back by to clear. */
    hysteresis: z.number().min(0).max(1).default(0.25),
    severity: z.enum(SEVERITIES).default('warning'),
    /**
     * A fixed limit besides the baseline condition: a value above it breaches whatever the
     * baseline says (and without one), e.g. $25 of one user's spend in the window.
     */
    ceiling: z.number().positive().optional(),
    /** Channel names; absent = every configured channel. */
    channels: z.array(z.string().min(1)).optional(),
});

/** Checks that span several fields; shared by ruleSchema and the config file's rule entries. */
export function refineRule(rule: z.infer<typeof ruleObjectSchema>, ctx: z.RefinementCtx): void {
    if (rule.condition.type === 'new_value' && rule.groupBy.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['groupBy'], message: 'a new_value condition needs at least one dimension to watch for new values' });
    }
    if (rule.condition.type === 'sigma' && rule.condition.maxPValue !== undefined && rule.metric !== 'error_rate') {
      ctx.addIssue({ code: 'custom', path: ['condition', 'maxPValue'], message: 'applies only to the error_rate metric' });
    }
    if (rule.groupBy.includes('user') && ['latency_p50', 'latency_p95', 'latency_p99'].includes(rule.metric)) {
      ctx.addIssue({ code: 'custom', path: ['metric'], message: 'a rule grouped by user cannot watch a latency quantile (per-user figures carry no histogram)' });
    }
    if (rule.groupBy.includes('user') && rule.condition.type === 'new_value') {
      ctx.addIssue({ code: 'custom', path: ['condition', 'type'], message: 'new_value does not apply to users (new users are normal)' });
    }
    if ((rule.metric === 'score_mean') !== (rule.condition.type === 'score_drop')) {
      ctx.addIssue({ code: 'custom', path: ['condition', 'type'], message: 'the score_mean metric and the score_drop condition go together' });
    }
    if (rule.metric === 'score_mean') {
      const bad = rule.groupBy.find((d) => !SCORE_RULE_DIMENSIONS.includes(d));
      if (bad !== undefined) ctx.addIssue({ code: 'custom', path: ['groupBy'], message: `a score rule groups by ${SCORE_RULE_DIMENSIONS.join(', ')} (and always by score name), not ${bad}` });
      const f = Object.keys(rule.filter).find((k) => !(SCORE_RULE_DIMENSIONS as readonly string[]).includes(k));
      if (f !== undefined) ctx.addIssue({ code: 'custom', path: ['filter', f], message: `a score rule filters by ${SCORE_RULE_DIMENSIONS.join(', ')} only` });
      if (rule.windowMs % (5 * MINUTE) !== 0 || rule.baselineMs % (5 * MINUTE) !== 0) {
        ctx.addIssue({ code: 'custom', path: ['windowMs'], message: 'a score rule reads 5-minute buckets: window and baseline must be whole multiples of 5 minutes' });
      }
    }
    if (rule.windowMs % MINUTE !== 0) {
      ctx.addIssue({ code: 'custom', path: ['windowMs'], message: 'must be a whole number of minutes' });
    }
}

export const ruleSchema = ruleObjectSchema.superRefine(refineRule);

export type AlertRule = z.infer<typeof ruleSchema>;
export type AlertRuleInput = z.input<typeof ruleSchema>;

export type RuleParse = { ok: true; rule: AlertRule } | { ok: false; field: string; message: string };

/**
 * Checks a rule from the config file or the API; the message names the first bad field.
 * @example parseRule({ id: 'x', name: 'x', metric: 'cost', condition: { type: 'above', value: 5 } })
 */
export function parseRule(input: unknown, at = ''): RuleParse {
  const result = ruleSchema.safeParse(input);
  if (result.success) return { ok: true, rule: result.data };
  const issue = result.error.issues[0]!;
  const field = [at, ...issue.path.map(String)].filter((p) => p !== '').join('.') || 'rule';
  return { ok: false, field, message: `${field}: ${issue.message}` };
}

/** Merges a partial override (config or API) onto a rule and re-validates the result. */
export function overrideRule(base: AlertRule, override: Record<string, unknown>, at = ''): RuleParse {
  const merged: Record<string, unknown> = { ...base, ...override, id: base.id };
  if (override.condition && typeof override.condition === 'object' && !('type' in override.condition)) {
    merged.condition = { ...base.condition, ...override.condition };
  }
  return parseRule(merged, at);
}
