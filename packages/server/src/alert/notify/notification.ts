// What every channel receives: one incident's opening, update (groups joined or left),
// re-notification or resolution, with the lead alert's evidence. The top-level alert fields are
// the incident's lead alert (the first to fire), so receivers written for single alerts keep working.

import type { Labels } from '../figures.js';
import type { AlertStatus, Evidence } from '../state-machine.js';
import type { Severity } from '../rule.js';

export type NotificationKind = 'firing' | 'update' | 'renotify' | 'resolved';

/** One member alert as a notification lists it. */
export interface NotifiedAlert {
  alert_id: string;
  rule_id: string;
  rule_name: string;
  labels: Labels;
  status: AlertStatus;
  /** The value and its baseline, with units ("$0.0084", "1.90 s"). */
  value: string;
  baseline: string;
}

export interface IncidentPart {
  id: string;
  title: string;
  explanation: string;
  /** Labels the members share, e.g. {model: "gpt-4o"}. */
  scope: Labels;
  /** The explaining dimension and value, when one explains the breach. */
  cause: { dimension: string; value: string; groups_judged: number } | null;
  opened_at: number;
  /** Active member alerts. */
  alerts: NotifiedAlert[];
  /** Alert ids that joined / left since the last notification. */
  joined: string[];
  left: string[];
  /** The scope last notified, when it changed (an incident widened to its cause). */
  previous_scope?: Labels;
}

export interface AlertNotification {
  kind: NotificationKind;
  alert_id: string;
  project: string;
  rule_id: string;
  rule_name: string;
  severity: Severity;
  status: AlertStatus;
  labels: Labels;
  /** One line a human can read in a chat message or a pager. */
  summary: string;
  fired_at: number;
  resolved_at: number | null;
  /** When the notification was created (engine clock). */
  at: number;
  evidence: Evidence | null;
  /** Absolute dashboard link when `alerts.publicUrl` is set, else the path. */
  url: string;
  incident_id: string;
  incident: IncidentPart;
}

export type DeliveryOutcome = { status: 'ok' } | { status: 'retryable'; error: string } | { status: 'rejected'; error: string };

/** Sends with a timeout and maps the response to an outcome: 5xx, 429 and network errors are retryable. */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<DeliveryOutcome> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text().catch(() => '');
    if (res.ok) return { status: 'ok' };
    const error = `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    return res.status >= 500 || res.status === 429 || res.status === 408 ? { status: 'retryable', error } : { status: 'rejected', error };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const error = e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`;
    return { status: 'retryable', error };
  }
}
