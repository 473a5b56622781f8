// The incidents of every project, kept by the evaluating node: after each project's rules are
// evaluated it regroups the breaching alerts (incident-grouping.ts), words them (incident-text.ts)
// and decides which notification each incident needs now: one on opening, an update when groups
// joined or left (at most one per groupIntervalMs), a reminder every renotifyMs while open and not
// acknowledged, one on resolution. Silenced incidents change and are recorded but stay quiet.

import { createHash } from 'node:crypto';
import { BUDGET_RULE_PREFIX } from './budget-alerts.js';
import type { AlertsConfig } from './config.js';
import { groupIncidents, type RuleView } from './incident-grouping.js';
import { activeMembers, type Incident } from './incident.js';
import { describeIncident } from './incident-text.js';
import type { NotificationKind } from './notify/notification.js';
import type { AlertRule } from './rule.js';
import { activeSilence, type Silence } from './silences.js';
import type { AlertState } from './state-machine.js';

export interface IncidentStep {
  /** Incidents to persist (changed or notified). */
  changed: Incident[];
  notify: { incident: Incident; kind: NotificationKind; joined: string[]; left: string[] }[];
  /** History: opened, resolved (and the notifications' kinds). */
  events: { incident: Incident; kind: string }[];
}

/** A budget's crossing stays true until its period ends: one notification says it, no reminders. */
const isBudget = (inc: Incident): boolean => inc.lead_rule_id.startsWith(BUDGET_RULE_PREFIX);

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

export function incidentIdOf(project: string, leadAlertId: string, openedAt: number): string {
  return `inc-${createHash('sha256').update(`${project}\u0000${leadAlertId}\u0000${openedAt}`).digest('hex').slice(0, 16)}`;
}

/** Silenced: an incident silence covers it, or alert silences cover every firing member. */
export function incidentSilenced(inc: Incident, states: ReadonlyMap<string, AlertState>, silences: readonly Silence[], now: number): boolean {
  if (silences.some((s) => s.incident_id === inc.id && now >= s.starts_at && now < s.ends_at)) return true;
  const firing = activeMembers(inc).filter((m) => m.status === 'firing');
  return firing.length > 0 && firing.every((m) => {
    const s = states.get(m.alert_id);
    return s !== undefined && activeSilence(silences, s, now) !== undefined;
  });
}

export function createIncidentBook(config: AlertsConfig) {
  const incidents = new Map<string, Incident>();
  /** Each rule's groups at its last evaluation, per project (rules not due this tick keep theirs). */
  const views = new Map<string, Map<string, RuleView>>();

  return {
    incidents,
    replace(all: Incident[]): void {
      incidents.clear();
      for (const i of all) incidents.set(i.id, i);
    },
    setView(project: string, view: RuleView): void {
      let m = views.get(project);
      if (m === undefined) views.set(project, (m = new Map()));
      m.set(view.rule.id, view);
    },
    /** Keeps views of the rules in force only (a deleted rule's groups would skew explanations). */
    retainViews(project: string, ruleIds: ReadonlySet<string>): void {
      const m = views.get(project);
      if (m) for (const id of m.keys()) if (!ruleIds.has(id)) m.delete(id);
    },
    step(project: string, now: number, states: ReadonlyMap<string, AlertState>, silences: readonly Silence[], ruleOf: (id: string) => AlertRule | undefined): IncidentStep {
      const open = [...incidents.values()].filter((i) => i.project === project && i.status === 'open');
      const g = groupIncidents({
        project,
        now,
        correlationMs: config.incidents.correlationMs,
        incidents: open,
        states,
        views: views.get(project) ?? new Map(),
        newId: (lead) => incidentIdOf(project, lead.id, now),
      });
      const out: IncidentStep = { changed: [], notify: [], events: [] };
      const touched = new Set<Incident>(g.changed);
      for (const inc of g.opened) incidents.set(inc.id, inc);
      for (const inc of g.changed) {
        // The lead alert's evidence and any member's correlated finding.
        const lead = states.get(inc.lead_alert_id);
        if (lead?.evidence) inc.evidence = lead.evidence;
        const finding = activeMembers(inc).map((m) => states.get(m.alert_id)?.evidence?.correlated_finding).find((f) => f !== undefined);
        if (finding) inc.correlated_finding = finding;
        // A resolved incident keeps the words of its last open minute (its members are back to normal).
        if (inc.status === 'open') describeIncident(inc, ruleOf(inc.lead_rule_id)?.groupBy ?? [], now);
      }
      for (const inc of g.opened) out.events.push({ incident: inc, kind: 'incident_opened' });
      for (const inc of g.resolved) {
        out.events.push({ incident: inc, kind: 'incident_resolved' });
        if (inc.notified) out.notify.push({ incident: inc, kind: 'resolved', joined: [], left: inc.notified_alerts });
      }
      for (const inc of [...incidents.values()]) {
        if (inc.project !== project || inc.status !== 'open') continue;
        if (incidentSilenced(inc, states, silences, now)) continue;
        const active = activeMembers(inc).map((m) => m.alert_id);
        const firing = activeMembers(inc).some((m) => m.status === 'firing');
        const joined = active.filter((id) => !inc.notified_alerts.includes(id));
        const left = inc.notified_alerts.filter((id) => !active.includes(id));
        let kind: NotificationKind | null = null;
        if (!inc.notified) {
          if (firing && now - inc.opened_at >= config.incidents.groupWaitMs) kind = 'firing';
        } else if (!sameSet(active, inc.notified_alerts) && now - (inc.last_notified_at ?? 0) >= config.incidents.groupIntervalMs) {
          kind = 'update';
        } else if (config.renotifyMs > 0 && inc.acknowledged_at === null && !isBudget(inc) && now - (inc.last_notified_at ?? now) >= config.renotifyMs) {
          kind = 'renotify';
        }
        if (kind === null) continue;
        out.notify.push({ incident: inc, kind, joined: kind === 'firing' ? [] : joined, left: kind === 'firing' ? [] : left });
        Object.assign(inc, { notified: true, notified_alerts: active, last_notified_at: now });
        if (kind !== 'firing') out.events.push({ incident: inc, kind: `incident_${kind}` });
        touched.add(inc);
      }
      out.changed = [...touched];
      return out;
    },
  };
}

export type IncidentBook = ReturnType<typeof createIncidentBook>;
