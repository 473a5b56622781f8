// The `alerts` section of the config file (src/config.ts includes it): channels, custom rules,
// built-in overrides, intervals. Each default says why it is what it is.

import { z } from 'zod';
import { channelSchema } from './notify/channels.js';
import { refineRule, ruleObjectSchema } from './rule.js';
import { budgetObjectSchema } from './budget.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;

export const alertsConfigSchema = z.strictObject({
  /** Baseline alerts are the point of the product: on unless switched off. */
  enabled: z.boolean().default(true),
  /**
   * 30 s: a breach shows within a minute, and a tick costs a few small rollup reads. Up to 5 min
   * suits the built-ins' 10–15 min windows too; their detection figures (README.md) are measured at 5 min.
   */
  intervalMs: z.number().int().min(1_000).max(HOUR).default(30_000),
  /** Spans arrive after they end and SDKs batch for seconds: the last 2 min of rollups are re-read each tick. */
  lateMs: z.number().int().nonnegative().max(HOUR).default(2 * MINUTE),
  /** Still firing after 4 h and not acknowledged: remind once per shift, not once per tick. 0 = never. */
  renotifyMs: z.number().int().nonnegative().default(4 * HOUR),
  /** Base URL for dashboard links in notifications (e.g. https://sightline.example.com); absent: paths only. */
  publicUrl: z.string().url().optional(),
  /** Named channels; rules send to all of them unless they list some. None by default: nothing leaves the machine unasked. */
  channels: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), channelSchema).default({}),
  /** Overrides of built-in rules by id, e.g. { "builtin.cost_per_inference": { "condition": { "percent": 150 } } }. */
  builtin: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  /** Custom rules; `project` defaults to "default". */
  rules: z.array(ruleObjectSchema.extend({ project: z.string().min(1).default('default') }).superRefine(refineRule)).default([]),
  /** Budgets (budget.ts); `project` defaults to "default". More can be created through /api/budgets. */
  budgets: z.array(budgetObjectSchema.extend({ project: z.string().min(1).default('default') })).default([]),
  /**
   * 5 min: spend is judged against a day, a week or a month, so minutes do not matter, and an
   * evaluation of a budget costs a few store reads (hourly rollups; per user or attribute, the newest hour).
   */
  budgetIntervalMs: z.number().int().min(1_000).max(HOUR).default(5 * MINUTE),
  /** How alerts become incidents (incident-grouping.ts). */
  incidents: z
    .strictObject({
      /**
       * 30 min: alerts of different rules that began within this of an incident's opening, on the
       * same scope, are one incident (a cost drift that also slows the model). Same-rule groups
       * with the incident's cause join at any time.
       */
      correlationMs: z.number().int().nonnegative().max(6 * HOUR).default(30 * MINUTE),
      /** Wait this long after opening before the first notification, for more groups to join (Alertmanager's group_wait). */
      groupWaitMs: z.number().int().nonnegative().max(HOUR).default(0),
      /** At most one update per incident this often, when groups joined or left (Alertmanager's group_interval). */
      groupIntervalMs: z.number().int().nonnegative().max(24 * HOUR).default(5 * MINUTE),
    })
    .prefault({}),
  delivery: z
    .strictObject({
      /** 8 attempts with doubling backoff from 10 s span ~20 min: a receiver restart is covered, a dead one gives up. */
      maxAttempts: z.number().int().min(1).max(100).default(8),
      backoffMs: z.number().int().min(100).default(10_000),
      /** Backoff never exceeds 10 min, so a recovered receiver hears soon. */
      maxBackoffMs: z.number().int().min(100).default(10 * MINUTE),
    })
    .prefault({}),
});

export type AlertsConfig = z.infer<typeof alertsConfigSchema>;
export type AlertsConfigInput = z.input<typeof alertsConfigSchema>;
