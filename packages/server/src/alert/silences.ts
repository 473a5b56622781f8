// Silences: "don't notify about this rule / these labels until then". A silenced alert still
// changes state and is recorded; only its notifications wait until the silence ends.

import type { Labels } from './figures.js';

export interface Silence {
  id: string;
  project: string;
  /** Absent: every rule. */
  rule_id?: string;
  /** Silences one incident (and nothing else): POST /api/incidents/:id/silence. */
  incident_id?: string;
  /** Every listed label must equal the alert's (e.g. {agent: "support-1"}); empty: all groups. */
  matchers: Record<string, string>;
  starts_at: number;
  ends_at: number;
  created_by: string;
  comment: string;
  created_at: number;
}

export interface Silenceable {
  project: string;
  rule_id: string;
  labels: Labels;
}

export function silenceMatches(s: Silence, alert: Silenceable, now: number): boolean {
  if (s.project !== alert.project || now < s.starts_at || now >= s.ends_at || s.incident_id !== undefined) return false;
  if (s.rule_id !== undefined && s.rule_id !== alert.rule_id) return false;
  return Object.entries(s.matchers).every(([k, v]) => alert.labels[k] === v);
}

/** The first active silence covering the alert, if any. */
export function activeSilence(silences: readonly Silence[], alert: Silenceable, now: number): Silence | undefined {
  return silences.find((s) => silenceMatches(s, alert, now));
}
