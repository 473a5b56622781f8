// The life of one alert (rule × group): ok → pending → firing → resolved. Pure: given the previous
// state and this evaluation's verdict, the next state and the transition, if any.

import type { BaselineStats, Labels } from './figures.js';
import type { Verdict } from './judge.js';
import type { AlertRule, Severity } from './rule.js';

export type AlertStatus = 'ok' | 'pending' | 'firing' | 'resolved';
export type Transition = 'pending' | 'firing' | 'resolved' | 'cancelled';

/** A finding of the Insight engine related to this alert (filled when /api/insights exists). */
export interface CorrelatedFinding {
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
  correlated_finding?: CorrelatedFinding;
}

export interface AlertState {
  /** Stable per project × rule × group. */
  id: string;
  project: string;
  rule_id: string;
  rule_name: string;
  severity: Severity;
  labels: Labels;
  group_key: string;
  status: AlertStatus;
  /** When the current status began. */
  since: number;
  /** Consecutive breaching (pending) or clear (firing) evaluations. */
  streak: number;
  /** Baseline frozen when the alert went pending, so a long incident does not become its own baseline. */
  baseline: BaselineStats | null;
  value: number | null;
  threshold: number | null;
  exit_threshold: number | null;
  band: [number, number] | null;
  samples: number;
  started_at: number | null;
  fired_at: number | null;
  resolved_at: number | null;
  last_evaluated_at: number;
  /** The firing notification was queued (false while silenced). */
  notified: boolean;
  last_notified_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  evidence: Evidence | null;
  /** The alert in one line, where its rule words it itself (budget alerts: budget-alerts.ts). */
  summary?: string;
}

export interface StepInput {
  id: string;
  project: string;
  rule: AlertRule;
  labels: Labels;
  groupKey: string;
  verdict: Verdict;
  /** The baseline the verdict was judged against. */
  baseline: BaselineStats | null;
  now: number;
}

export function initialState(i: StepInput): AlertState {
  return {
    id: i.id,
    project: i.project,
    rule_id: i.rule.id,
    rule_name: i.rule.name,
    severity: i.rule.severity,
    labels: i.labels,
    group_key: i.groupKey,
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
 * Next state after one evaluation.
 * @example step(undefined, input) // breach with forEvaluations 2 → { status: 'pending', transition: 'pending' }
 */
export function step(prev: AlertState | undefined, i: StepInput): { state: AlertState; transition: Transition | null } {
  const s: AlertState = { ...(prev ?? initialState(i)), rule_name: i.rule.name, severity: i.rule.severity, last_evaluated_at: i.now };
  const v = i.verdict;
  s.value = v.value;
  s.samples = v.samples;
  if (s.status !== 'firing') {
    s.threshold = v.threshold;
    s.exit_threshold = v.exitThreshold;
    s.band = v.band;
  }
  const fire = (): { state: AlertState; transition: Transition } => {
    Object.assign(s, { status: 'firing', since: i.now, streak: 0, fired_at: i.now, resolved_at: null, notified: false, last_notified_at: null });
    Object.assign(s, { acknowledged_at: null, acknowledged_by: null });
    return { state: s, transition: 'firing' };
  };
  switch (s.status) {
    case 'ok':
    case 'resolved': {
      if (!v.breach) return { state: s, transition: null };
      Object.assign(s, { started_at: i.now, baseline: i.baseline, streak: 1 });
      if (i.rule.forEvaluations <= 1) return fire();
      Object.assign(s, { status: 'pending', since: i.now });
      return { state: s, transition: 'pending' };
    }
    case 'pending': {
      if (!v.breach) {
        Object.assign(s, { status: 'ok', since: i.now, streak: 0, baseline: null, started_at: null });
        return { state: s, transition: 'cancelled' };
      }
      s.streak += 1;
      return s.streak >= i.rule.forEvaluations ? fire() : { state: s, transition: null };
    }
    case 'firing': {
      s.streak = v.clear ? s.streak + 1 : 0;
      if (s.streak < i.rule.clearEvaluations) return { state: s, transition: null };
      Object.assign(s, { status: 'resolved', since: i.now, streak: 0, resolved_at: i.now, baseline: null });
      return { state: s, transition: 'resolved' };
    }
  }
}
