// The alert engine's API (/api/alerts, /api/alerts/rules, /silences, /deliveries):
// packages/server/src/http/routes/alerts.ts answers it from packages/server/src/alert.

import type { Metric } from './query.js';
import type { SpanType } from './span.js';

/** The life of one alert (rule × group): ok → pending → firing → resolved. */
export const ALERT_STATES = ['ok', 'pending', 'firing', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATES)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Metrics a rule may watch: the query metrics plus output/input tokens (token efficiency). */
export type AlertMetric = Metric | 'token_efficiency' | 'score_mean';

/** Label values of an alert's group ({agent: "support-1"}); null for a missing value. */
export type Labels = Record<string, string | null>;

/** A finding of the insight engine related to an alert. */
export interface EvidenceFinding {
  id: string;
  title: string;
  url: string;
}

/** What an alert shows so that someone can act on it without opening five tabs. */
export interface Evidence {
  metric: string;
  value: number | null;
  baseline: number | null;
  band: [number, number] | null;
  threshold: number | null;
  sigma: number | null;
  samples: number;
  baseline_samples: number;
  window_ms: number;
  /** Dashboard path showing the metric for this group around the alert. */
  dashboard_url: string;
  example_trace_ids: string[];
  correlated_finding?: EvidenceFinding;
}

/** An alert as GET /api/alerts lists it. */
export interface Alert {
  id: string;
  rule_id: string;
  rule_name: string;
  state: AlertStatus;
  severity: Severity;
  /** The alert's group (same as `labels`). */
  group: Labels;
  value: number | null;
  baseline: number | null;
  threshold: number | null;
  band: [number, number] | null;
  samples: number;
  /** One line with value, baseline and units. */
  summary: string;
  /** When the current state began. */
  since: number;
  started_at: number | null;
  fired_at: number | null;
  resolved_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  evidence: Evidence | null;
}

/** GET /api/alerts */
export interface AlertsReply {
  alerts: Alert[];
}

/** POST /api/alerts/:id/ack */
export interface AlertReply {
  alert: Alert;
}

/** How a value breaches; each threshold is a band edge. */
export type Condition =
  | { type: 'sigma'; k: number; direction: 'above' | 'below'; minDelta: number; minChange: number; maxPValue?: number }
  | { type: 'percent_of_average'; percent: number; direction: 'above' | 'below'; confirmSigma: number }
  | { type: 'above'; value: number }
  | { type: 'below'; value: number }
  | { type: 'new_value'; noveltyMs: number }
  /** score_mean rules: the mean score fell, with one-sided p ≤ maxPValue and by ≥ minDropSd baseline σ. */
  | { type: 'score_drop'; maxPValue: number; minDropSd: number };

export interface RuleFilter {
  agent?: string;
  model?: string;
  decision?: string;
  span_type?: SpanType;
  provider?: string;
  /** Only spans carrying a decision, of any span type. */
  has_decision?: boolean;
}

/** A rule in force, as GET /api/alerts/rules lists it (defaults filled in). */
export interface Rule {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  metric: AlertMetric;
  filter: RuleFilter;
  groupBy: string[];
  windowMs: number;
  baselineMs: number;
  intervalMs: number;
  condition: Condition;
  minSamples: number;
  minBaselineSamples: number;
  forEvaluations: number;
  clearEvaluations: number;
  hysteresis: number;
  severity: Severity;
  ceiling?: number;
  channels?: string[];
  /** Where the rule comes from: "builtin", "config" or "api". */
  source: string;
  /** An API change overrides a builtin or config rule of the same id. */
  overridden: boolean;
}

/** GET /api/alerts/rules */
export interface RulesReply {
  rules: Rule[];
}

/** POST /api/alerts/rules, PATCH /api/alerts/rules/:id */
export interface RuleReply {
  rule: Rule;
}

/** "Don't notify about this rule / these labels until then"; the alert still changes state. */
export interface Silence {
  id: string;
  /** Absent: every rule. */
  rule_id?: string;
  /** Silences one incident (and nothing else). */
  incident_id?: string;
  /** Every listed label must equal the alert's; empty: all groups. */
  matchers: Record<string, string>;
  starts_at: number;
  ends_at: number;
  created_by: string;
  comment: string;
  created_at: number;
}

/** GET /api/alerts/silences */
export interface SilencesReply {
  silences: Silence[];
}

/** POST /api/alerts/silences, POST /api/incidents/:id/silence */
export interface SilenceReply {
  silence: Silence;
}

export type NotificationKind = 'firing' | 'update' | 'renotify' | 'resolved';

/** One notification × channel, recorded before the first attempt. */
export interface Delivery {
  id: string;
  alert_id: string;
  channel: string;
  kind: NotificationKind;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  last_error: string | null;
  sent_at: number | null;
}

/** GET /api/alerts/deliveries */
export interface DeliveriesReply {
  deliveries: Delivery[];
}
