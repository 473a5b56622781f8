// Incidents (GET /api/incidents): alerts that fire together for one cause, grouped by
// packages/server/src/alert/incidents.ts and answered by http/routes/incidents.ts.

import type { AlertMetric, AlertStatus, Evidence, EvidenceFinding, Labels, Severity } from './alerts.js';

/** A member alert, with its current state folded in while the engine still knows it. */
export interface IncidentMember {
  alert_id: string;
  rule_id: string;
  rule_name: string;
  metric: AlertMetric;
  severity: Severity;
  labels: Labels;
  /** The alert's status when last seen. */
  status: AlertStatus;
  value: number | null;
  baseline: number | null;
  samples: number;
  started_at: number | null;
  joined_at: number;
  /** When it left (resolved or cancelled); null while active. */
  left_at: number | null;
  /** Its figures at its most deviating evaluation while active (what the incident's title quotes). */
  peak?: { value: number; baseline: number; samples: number };
  active: boolean;
  /** Current state of the alert, when the engine still holds it. */
  state?: AlertStatus;
  threshold?: number | null;
  evidence?: Evidence | null;
}

/** The dimension whose one value explains the breach. */
export interface IncidentCause {
  dimension: string;
  value: string;
  /** Groups of the lead rule judged with this value (the "12" of "all 12 agents"). */
  groups_judged: number;
}

export interface Incident {
  id: string;
  status: 'open' | 'resolved';
  severity: Severity;
  /** One line with figures and units. */
  title: string;
  /** Why these alerts are one incident. */
  explanation: string;
  opened_at: number;
  resolved_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  /** Labels an alert must share to belong: {model: "gpt-4o"}, or one group's labels. */
  scope: Labels;
  cause: IncidentCause | null;
  correlated_finding: EvidenceFinding | null;
  evidence: Evidence | null;
  alerts: IncidentMember[];
}

/** GET /api/incidents */
export interface IncidentsReply {
  incidents: Incident[];
}

/** GET /api/incidents/:id, POST …/acknowledge */
export interface IncidentReply {
  incident: Incident;
}
