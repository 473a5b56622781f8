// What an incident is: the alerts that fire together for one cause, the scope they share (the
// dimension value that explains them, e.g. model gpt-4o, or one group's labels when no single
// dimension does), who joined and left, and what was notified. Persisted as alert records of kind
// 'incident'; the engine owns them (incident-grouping.ts decides membership, incident-text.ts words).

import type { Labels } from './figures.js';
import type { AlertMetric, Severity } from './rule.js';
import type { AlertStatus, CorrelatedFinding, Evidence } from './state-machine.js';

export interface IncidentMember {
  alert_id: string;
  rule_id: string;
  rule_name: string;
  metric: AlertMetric;
  severity: Severity;
  labels: Labels;
  /** The alert's status when last seen (pending and firing are active; ok and resolved have left). */
  status: AlertStatus;
  value: number | null;
  baseline: number | null;
  samples: number;
  /** When the alert began to breach (it may have been pending before the incident opened). */
  started_at: number | null;
  joined_at: number;
  /** When it left (resolved or cancelled); null while active. */
  left_at: number | null;
  /** The alert's own one line, where it has one (budget alerts): the incident's title. */
  summary?: string;
  /**
   * Its figures at its most deviating evaluation while active: what the incident's words quote, so
   * an incident that resolves does not read "−0.7 %" from its last minutes back near the baseline.
   */
  peak?: MemberFigures;
}

export interface MemberFigures {
  value: number;
  baseline: number;
  samples: number;
}

/** The dimension whose one value explains the breach: groups without it stay inside their baseline. */
export interface IncidentCause {
  dimension: string;
  value: string;
  /** Groups of the lead rule judged with this value (the "12" of "all 12 agents"). */
  groups_judged: number;
}

export interface Incident {
  id: string;
  project: string;
  status: 'open' | 'resolved';
  opened_at: number;
  /** Same as opened_at: acknowledgements apply to an episode by this field (acknowledgements.ts). */
  fired_at: number;
  resolved_at: number | null;
  updated_at: number;
  severity: Severity;
  /** Labels an alert must share to belong: {model: "gpt-4o"}, or one group's labels. */
  scope: Labels;
  cause: IncidentCause | null;
  /** The rule and alert that opened the incident (or widened it to its cause). */
  lead_rule_id: string;
  lead_alert_id: string;
  members: IncidentMember[];
  /** One line: "cost per call of model gpt-4o +100 % ($0.0042 → $0.0084) across all 12 agents since 09:14 UTC". */
  title: string;
  /** Why these alerts are one incident: the cause, or the correlated finding when rules joined. */
  explanation: string;
  correlated_finding: CorrelatedFinding | null;
  /** Evidence of the lead alert (example traces, dashboard link). */
  evidence: Evidence | null;
  /** The opening notification was queued (false while silenced). */
  notified: boolean;
  /** Member alert ids in the last notification: an update goes out when the active members differ. */
  notified_alerts: string[];
  last_notified_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
}

export const isActive = (status: AlertStatus): boolean => status === 'pending' || status === 'firing';

export const activeMembers = (inc: Incident): IncidentMember[] => inc.members.filter((m) => m.left_at === null);
