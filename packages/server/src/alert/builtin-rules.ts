// The rules every project gets out of the box (the per-user spend rule is off until switched on): departures from each agent's own baseline (spans, and scores),
// not static thresholds. Each is tunable or switchable off (config `alerts.builtin.<id>` or
// PUT /api/alerts/rules/<id>); the numbers below are the defaults the benchmark measured.

import type { AlertRule } from './rule.js';
import { ruleSchema } from './rule.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export const BUILTIN_RULES: readonly AlertRule[] = [
  ruleSchema.parse({
    id: 'builtin.error_rate',
    name: 'Error rate above baseline',
    description: "A decision's error rate exceeds the agent's baseline for it by more than 2 σ (per agent × decision).",
    metric: 'error_rate',
    // Any span carrying a decision, of any type: an llm_call with decision_made is a decision.
    filter: { has_decision: true },
    groupBy: ['agent', 'decision'],
    windowMs: 15 * MINUTE,
    baselineMs: DAY,
    // 2 σ is the band; the 10-point floor and the binomial tail bound keep ~100 agent × decision
    // groups evaluated every 30 s from raising noise alerts (at most one a week, see the benchmark).
    condition: { type: 'sigma', k: 2, minDelta: 0.1, maxPValue: 1e-4 },
    // The tail bound, not the sample count, keeps noise out (3 errors in 5 from a 2 % baseline do
    // not pass it). At 8, an agent's decision taken ~0.4 times a minute rarely filled the 15 min
    // window, so a 90 % spike on it went unjudged for 40 min (the benchmark's 06:00 refund spike).
    minSamples: 5,
    minBaselineSamples: 100,
    severity: 'critical',
  }),
  ruleSchema.parse({
    id: 'builtin.cost_per_inference',
    name: 'Cost per inference above rolling average',
    description: 'Cost per LLM call above 120 % of its rolling 24 h average (per agent × model).',
    metric: 'cost_per_call',
    filter: { span_type: 'llm_call' },
    groupBy: ['agent', 'model'],
    windowMs: 15 * MINUTE,
    baselineMs: DAY,
    // Token counts vary call to call (lognormal); 4 σ confirmation keeps small windows from firing on it.
    condition: { type: 'percent_of_average', percent: 120, confirmSigma: 4 },
    // One lognormal outlier stays in a 15-min window for 15 min; 30 calls dilute it enough.
    minSamples: 30,
    minBaselineSamples: 200,
    severity: 'warning',
  }),
  ruleSchema.parse({
    id: 'builtin.new_decision',
    name: 'New decision type',
    description: 'An agent makes a decision never seen in its 7-day baseline: possible model or prompt drift.',
    metric: 'count',
    filter: { has_decision: true },
    groupBy: ['agent', 'decision'],
    windowMs: 15 * MINUTE,
    baselineMs: 7 * DAY,
    condition: { type: 'new_value', noveltyMs: HOUR },
    minSamples: 3,
    // A fresh install has no history: everything would be "new".
    minBaselineSamples: 200,
    forEvaluations: 1,
    severity: 'warning',
  }),
  ruleSchema.parse({
    id: 'builtin.token_efficiency',
    name: 'Token efficiency drop',
    description: "Output tokens per input token fall below 70 % of the agent's baseline (per agent).",
    metric: 'token_efficiency',
    filter: { span_type: 'llm_call' },
    groupBy: ['agent'],
    windowMs: 15 * MINUTE,
    baselineMs: DAY,
    condition: { type: 'percent_of_average', percent: 70, direction: 'below', confirmSigma: 4 },
    minSamples: 30,
    minBaselineSamples: 300,
    severity: 'warning',
  }),
  ruleSchema.parse({
    id: 'builtin.latency_p95',
    name: 'Latency p95 regression',
    description: "A model's p95 latency rises beyond its baseline band (+3 σ and at least +50 %), per model.",
    metric: 'latency_p95',
    filter: { span_type: 'llm_call' },
    groupBy: ['model'],
    windowMs: 10 * MINUTE,
    baselineMs: DAY,
    condition: { type: 'sigma', k: 3, minChange: 0.5 },
    minSamples: 50,
    minBaselineSamples: 500,
    severity: 'warning',
  }),
  ruleSchema.parse({
    id: 'builtin.user_spend',
    name: 'Spend per user above their baseline or a ceiling',
    description: "One end user's LLM spend over the last hour is above 300 % of their own hourly average (7-day baseline) or above a fixed $25: abuse or a runaway loop (per user_id).",
    // Off by default: not every deployment sets user_id, and the ceiling is a business decision.
    enabled: false,
    metric: 'cost',
    groupBy: ['user'],
    windowMs: HOUR,
    baselineMs: 7 * DAY,
    // 4 σ of the user's hourly spend: a user who varies a lot needs a bigger jump.
    condition: { type: 'percent_of_average', percent: 300, confirmSigma: 4 },
    ceiling: 25,
    minSamples: 5,
    // About a day of a light user's calls before "their baseline" means anything; the ceiling holds before.
    minBaselineSamples: 50,
    severity: 'warning',
  }),
  ruleSchema.parse({
    id: 'builtin.score_below_baseline',
    name: 'Score below baseline',
    description: "A score's mean over the last 30 min falls below the agent's mean of the day before: significantly (one-sided Welch p ≤ 1e-4) and by at least 0.75 of the baseline's per-score σ (per agent × score name).",
    metric: 'score_mean',
    groupBy: ['agent'],
    windowMs: 30 * MINUTE,
    baselineMs: DAY,
    // Measured by bench/score-drop-bench.ts (10 agent × score groups at 3 scores a minute, a
    // simulated week): at 0.5 σ the hourly drift of a mean (user mix, topics) raised 19 false
    // alerts a week; at 0.75 σ none, while every drop of 0.75 σ and more was found.
    condition: { type: 'score_drop', maxPValue: 1e-4, minDropSd: 0.75 },
    minSamples: 20,
    minBaselineSamples: 100,
    // The test is on 30 min of scores already: one breaching evaluation is enough.
    forEvaluations: 1,
    clearEvaluations: 2,
    // Its rollup has 5-minute buckets: judging more often repeats the same verdict.
    intervalMs: 5 * MINUTE,
    severity: 'warning',
  }),
];

export const BUILTIN_IDS = new Set(BUILTIN_RULES.map((r) => r.id));
