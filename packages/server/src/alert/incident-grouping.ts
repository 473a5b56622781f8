// Which incident each breaching alert belongs to. Pure: given a project's open incidents, its
// pending and firing alerts and each rule's last verdicts, it updates memberships, opens incidents
// and resolves those whose members all left.
//
// 1. An alert joins an open incident whose scope it shares: on every dimension both have, the same
//    value (an alert of the lead rule with model gpt-4o joins the "model gpt-4o" incident at any
//    time; an alert of another rule only within `correlationMs` of the opening, "the same minutes").
// 2. A rule's remaining breaching groups that share one value of one dimension open one incident
//    when that dimension explains the breach: at least two groups, at least half of the groups
//    judged with that value breach, and the groups that differ only in that dimension (the same
//    agents on other models) stay inside their baseline (at most one in four of them breaches, for
//    an unrelated cause that hits one of them at the same time).
// 3. Any other firing alert opens an incident scoped to its own labels; pending alerts wait.

import type { Labels } from './figures.js';
import { activeMembers, isActive, type Incident, type IncidentMember, type MemberFigures } from './incident.js';
import type { AlertMetric, AlertRule, Severity } from './rule.js';
import type { AlertState } from './state-machine.js';

/** A group the rule judged at its last evaluation. */
export interface GroupView {
  labels: Labels;
  breach: boolean;
  /** It had enough samples and baseline to be judged (so "inside its baseline" means something). */
  judged: boolean;
}

export interface RuleView {
  rule: AlertRule;
  groups: readonly GroupView[];
}

export interface GroupingInput {
  project: string;
  now: number;
  correlationMs: number;
  /** Open incidents of the project; changed in place. */
  incidents: Incident[];
  /** Every alert state of the project (active ones are grouped; the others leave their incidents). */
  states: ReadonlyMap<string, AlertState>;
  views: ReadonlyMap<string, RuleView>;
  newId: (alert: AlertState) => string;
}

export interface GroupingResult {
  opened: Incident[];
  /** Open incidents whose membership or figures changed (opened ones included). */
  changed: Set<Incident>;
  resolved: Incident[];
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export function memberOf(s: AlertState, rule: AlertRule | undefined, now: number): IncidentMember {
  const m: IncidentMember = {
    alert_id: s.id,
    rule_id: s.rule_id,
    rule_name: s.rule_name,
    metric: rule?.metric ?? (s.evidence?.metric as AlertMetric | undefined) ?? 'count',
    severity: s.severity,
    labels: s.labels,
    status: s.status,
    value: s.value,
    baseline: s.baseline?.mean ?? s.evidence?.baseline ?? null,
    samples: s.samples,
    started_at: s.started_at,
    joined_at: now,
    left_at: isActive(s.status) ? null : now,
    ...(s.summary !== undefined ? { summary: s.summary } : {}),
  };
  notePeak(m, s);
  return m;
}

function figuresOf(s: AlertState): MemberFigures | null {
  const baseline = s.baseline?.mean ?? s.evidence?.baseline ?? null;
  return s.value === null || baseline === null ? null : { value: s.value, baseline, samples: s.samples };
}

/** How far the figures are from their baseline: relative, or absolute against a zero baseline. */
const deviation = (f: MemberFigures): number => Math.abs(f.value - f.baseline) / (f.baseline === 0 ? 1 : Math.abs(f.baseline));

/** Keeps the member's most deviating figures while its alert is active. */
function notePeak(m: IncidentMember, s: AlertState): void {
  const now = isActive(s.status) ? figuresOf(s) : null;
  if (now !== null && (m.peak === undefined || deviation(now) > deviation(m.peak))) m.peak = now;
}

/** Shares the scope: at least one dimension in common, and the same value on every one. */
function sharesScope(scope: Labels, labels: Labels): boolean {
  const common = Object.keys(scope).filter((d) => d in labels);
  return common.length > 0 && common.every((d) => labels[d] === scope[d]);
}

function fits(inc: Incident, s: AlertState, now: number, correlationMs: number): boolean {
  if (inc.members.some((m) => m.alert_id === s.id)) return true;
  if (!sharesScope(inc.scope, s.labels)) return false;
  if (s.rule_id === inc.lead_rule_id) return true;
  const began = s.started_at ?? now;
  return Math.abs(began - inc.opened_at) <= correlationMs;
}

function refreshSeverity(inc: Incident): void {
  const active = activeMembers(inc);
  const pool = active.length > 0 ? active : inc.members;
  inc.severity = pool.reduce<Severity>((a, m) => (SEVERITY_RANK[m.severity] > SEVERITY_RANK[a] ? m.severity : a), 'info');
}

function join(inc: Incident, s: AlertState, rule: AlertRule | undefined, now: number): boolean {
  const m = inc.members.find((x) => x.alert_id === s.id);
  if (m === undefined) {
    inc.members.push(memberOf(s, rule, now));
    return true;
  }
  const rejoined = m.left_at !== null;
  const moved = m.status !== s.status || m.value !== s.value || m.samples !== s.samples;
  Object.assign(m, { status: s.status, value: s.value, samples: s.samples, left_at: null });
  if (s.summary !== undefined) m.summary = s.summary;
  if (rejoined) Object.assign(m, { joined_at: now, started_at: s.started_at, baseline: s.baseline?.mean ?? m.baseline });
  notePeak(m, s);
  return rejoined || moved;
}

interface Explanation {
  dimension: string;
  value: string;
  alerts: AlertState[];
  judged: number;
}

/** The dimension value that explains most of the rule's breaching groups, if one does. */
function explain(view: RuleView, pool: readonly AlertState[]): Explanation | null {
  const dims = view.rule.groupBy;
  if (dims.length < 2) return null;
  let best: Explanation | null = null;
  for (const d of dims) {
    const values = new Set(pool.map((s) => s.labels[d]).filter((v): v is string => typeof v === 'string'));
    for (const v of values) {
      const alerts = pool.filter((s) => s.labels[d] === v);
      if (alerts.length < 2) continue;
      const judged = Math.max(alerts.length, view.groups.filter((g) => g.judged && g.labels[d] === v).length);
      if (alerts.length * 2 < judged) continue;
      // The same other-dimension values (e.g. the same agents) with another value of d must be quiet.
      const others = dims.filter((o) => o !== d);
      const tuples = new Set(alerts.map((s) => JSON.stringify(others.map((o) => s.labels[o] ?? null))));
      const contrast = view.groups.filter((g) => g.judged && g.labels[d] !== v && tuples.has(JSON.stringify(others.map((o) => g.labels[o] ?? null))));
      // "Quiet" allows one in four to breach: another cause may be hitting one of those agents too.
      if (contrast.filter((g) => g.breach).length * 4 > contrast.length) continue;
      if (best === null || alerts.length > best.alerts.length || (alerts.length === best.alerts.length && judged < best.judged)) {
        best = { dimension: d, value: v, alerts, judged };
      }
    }
  }
  return best;
}

function openIncident(input: GroupingInput, lead: AlertState, scope: Labels, members: AlertState[]): Incident {
  const { now, views } = input;
  const inc: Incident = {
    id: input.newId(lead),
    project: input.project,
    status: 'open',
    opened_at: now,
    fired_at: now,
    resolved_at: null,
    updated_at: now,
    severity: lead.severity,
    scope,
    cause: null,
    lead_rule_id: lead.rule_id,
    lead_alert_id: lead.id,
    members: members.map((s) => memberOf(s, views.get(s.rule_id)?.rule, now)),
    title: '',
    explanation: '',
    correlated_finding: null,
    evidence: lead.evidence,
    notified: false,
    notified_alerts: [],
    last_notified_at: null,
    acknowledged_at: null,
    acknowledged_by: null,
  };
  refreshSeverity(inc);
  return inc;
}

/**
 * @example
 *   const r = groupIncidents({ project, now, correlationMs: 30 * 60_000, incidents, states, views, newId });
 *   r.opened // incidents to notify; r.changed: to persist; r.resolved: to notify as resolved
 */
export function groupIncidents(input: GroupingInput): GroupingResult {
  const { now, correlationMs, incidents, states, views } = input;
  const opened: Incident[] = [];
  const changed = new Set<Incident>();
  const resolved: Incident[] = [];
  const active = [...states.values()].filter((s) => s.project === input.project && isActive(s.status));
  // Firing before pending, then oldest first: the lead of a new incident is its first firing alert.
  active.sort((a, b) => Number(b.status === 'firing') - Number(a.status === 'firing') || (a.fired_at ?? a.since) - (b.fired_at ?? b.since) || a.id.localeCompare(b.id));
  const activeIds = new Set(active.map((s) => s.id));
  const placed = new Set<string>();

  // Members whose alert stopped breaching leave.
  for (const inc of incidents) {
    for (const m of inc.members) {
      if (m.left_at !== null || activeIds.has(m.alert_id)) continue;
      const s = states.get(m.alert_id);
      Object.assign(m, { left_at: now, status: s?.status ?? 'ok', value: s?.value ?? m.value, samples: s?.samples ?? m.samples });
      changed.add(inc);
    }
  }

  const tryJoin = (s: AlertState, pool: readonly Incident[]): boolean => {
    const inc = pool.find((i) => fits(i, s, now, correlationMs));
    if (inc === undefined) return false;
    if (join(inc, s, views.get(s.rule_id)?.rule, now)) changed.add(inc);
    placed.add(s.id);
    return true;
  };
  // 1. Existing incidents, oldest first (an alert already a member stays where it is).
  const byAge = () => [...incidents, ...opened].sort((a, b) => a.opened_at - b.opened_at);
  for (const s of active) {
    const home = incidents.find((i) => i.members.some((m) => m.alert_id === s.id && m.left_at === null));
    if (home) {
      if (join(home, s, views.get(s.rule_id)?.rule, now)) changed.add(home);
      placed.add(s.id);
    }
  }
  for (const s of active) if (!placed.has(s.id)) tryJoin(s, byAge());

  // 2. Per rule, the dimension that explains its breaching groups. An incident of this rule opened
  // for a single group moments ago is widened to the cause rather than left beside it.
  for (const view of views.values()) {
    // Another rule's incident opened this tick on the same scope takes these alerts first.
    for (const s of active) if (s.rule_id === view.rule.id && !placed.has(s.id)) tryJoin(s, opened);
    for (;;) {
      const pool = active.filter((s) => s.rule_id === view.rule.id && !placed.has(s.id));
      const widenable = incidents.filter(
        (i) => i.status === 'open' && i.cause === null && i.lead_rule_id === view.rule.id && now - i.opened_at <= correlationMs && activeMembers(i).filter((m) => m.rule_id === view.rule.id).length === 1,
      );
      const widenAlerts = widenable.flatMap((i) => active.filter((s) => s.id === i.lead_alert_id));
      if (pool.length === 0) break;
      const x = explain(view, [...pool, ...widenAlerts]);
      if (x === null) break;
      const newcomers = x.alerts.filter((s) => pool.includes(s));
      if (newcomers.length === 0) break;
      const cause = { dimension: x.dimension, value: x.value, groups_judged: x.judged };
      const host = widenable.find((i) => x.alerts.some((s) => s.id === i.lead_alert_id));
      if (host !== undefined) {
        Object.assign(host, { scope: { [x.dimension]: x.value }, cause });
        for (const s of newcomers) join(host, s, view.rule, now);
        refreshSeverity(host);
        changed.add(host);
      } else {
        if (!newcomers.some((s) => s.status === 'firing')) {
          for (const s of newcomers) placed.add(s.id);
          continue;
        }
        const inc = openIncident(input, newcomers[0]!, { [x.dimension]: x.value }, newcomers);
        inc.cause = cause;
        opened.push(inc);
        changed.add(inc);
      }
      for (const s of newcomers) placed.add(s.id);
    }
  }
  // Pending alerts skipped above (no firing one among them) are grouped again next time.
  for (const s of active) if (s.status === 'pending' && placed.has(s.id) && !isMemberAnywhere(s.id, incidents, opened)) placed.delete(s.id);

  // 3. The rest: join what now exists, else a firing alert opens its own incident.
  for (const s of active) {
    if (placed.has(s.id) || tryJoin(s, byAge())) continue;
    if (s.status !== 'firing') continue;
    const inc = openIncident(input, s, { ...s.labels }, [s]);
    opened.push(inc);
    changed.add(inc);
    placed.add(s.id);
  }

  for (const inc of [...incidents, ...opened]) {
    if (!changed.has(inc)) continue;
    refreshSeverity(inc);
    inc.updated_at = now;
    if (inc.status === 'open' && activeMembers(inc).length === 0) {
      Object.assign(inc, { status: 'resolved', resolved_at: now });
      resolved.push(inc);
    }
  }
  return { opened, changed, resolved };
}

function isMemberAnywhere(alertId: string, ...lists: Incident[][]): boolean {
  return lists.some((l) => l.some((i) => i.members.some((m) => m.alert_id === alertId && m.left_at === null)));
}
