// The words of an incident: a title an on-call engineer reads on a pager ("cost per call of
// gpt-4o +100% ($0.0042 → $0.0084) across all 12 agents since 09:14 UTC") and the explanation of
// why these alerts are one incident. Every number has its unit and a rounding fit for reading.

import { activeMembers, type Incident, type IncidentMember } from './incident.js';
import { formatClock, formatMetric, formatMetricChange, metricName } from '@sightline/api';
import type { AlertMetric } from './rule.js';

const PLURAL: Record<string, string> = { agent: 'agents', model: 'models', decision: 'decisions', span_type: 'span types', provider: 'providers', user: 'users' };

/**
 * Sample-weighted value and baseline of members (the figure of the whole affected set), each at its
 * peak: the incident is worded by how far it went, not by its last minutes back near the baseline.
 */
function pooled(members: readonly IncidentMember[]): { value: number; baseline: number } | null {
  let n = 0;
  let v = 0;
  let b = 0;
  for (const m of members) {
    const f = m.peak ?? (m.value === null || m.baseline === null ? null : { value: m.value, baseline: m.baseline, samples: m.samples });
    if (f === null) continue;
    const w = Math.max(1, f.samples);
    n += w;
    v += f.value * w;
    b += f.baseline * w;
  }
  return n === 0 ? null : { value: v / n, baseline: b / n };
}

function subjectOf(scope: Record<string, string | null>): string {
  return Object.entries(scope)
    .map(([d, v]) => (d === 'decision' ? `decision ${v ?? '(none)'}` : d === 'span_type' ? `${v ?? '(none)'} spans` : (v ?? `(no ${d})`)))
    .join(' × ');
}

/** What one rule's members amount to: "cost per call of gpt-4o +100% ($0.0042 → $0.0084)". */
export function describeRule(metric: AlertMetric, scope: Record<string, string | null>, members: readonly IncidentMember[]): string {
  const subject = `${metricName(metric)} of ${subjectOf(scope)}`;
  const p = pooled(members);
  if (p === null) {
    const v = members.find((m) => m.value !== null)?.value;
    return v === undefined ? subject : `${subject} at ${formatMetric(metric, v)}`;
  }
  return `${subject} ${formatMetricChange(metric, p.value, p.baseline)} (${formatMetric(metric, p.baseline)} → ${formatMetric(metric, p.value)})`;
}

/** Sets `title` and `explanation` from the incident's members. */
export function describeIncident(inc: Incident, groupBy: readonly string[], now: number): void {
  const active = activeMembers(inc);
  const shown = active.length > 0 ? active : inc.members;
  const lead = shown.filter((m) => m.rule_id === inc.lead_rule_id);
  const leadMembers = lead.length > 0 ? lead : shown.filter((m) => m.rule_id === shown[0]?.rule_id);
  const metric = leadMembers[0]?.metric ?? 'count';
  // An alert that words itself (a budget's): its line is the title.
  const own = leadMembers.find((m) => m.summary !== undefined)?.summary;
  if (own !== undefined) {
    inc.title = own;
    inc.explanation = '';
    return;
  }
  const since = Math.min(...inc.members.map((m) => m.started_at ?? m.joined_at));
  let across = '';
  if (inc.cause) {
    const others = groupBy.filter((d) => d !== inc.cause!.dimension);
    const noun = others.length === 1 ? (PLURAL[others[0]!] ?? `${others[0]}s`) : 'groups';
    const n = leadMembers.length;
    across = n >= inc.cause.groups_judged ? ` across all ${n} ${noun}` : ` across ${n} of ${inc.cause.groups_judged} ${noun}`;
  }
  const scope = inc.cause ? { [inc.cause.dimension]: inc.cause.value } : inc.scope;
  inc.title = `${describeRule(metric, scope, leadMembers)}${across} since ${formatClock(since, now)}`;

  const parts: string[] = [];
  if (inc.cause) {
    const others = groupBy.filter((d) => d !== inc.cause!.dimension);
    const dimWord = inc.cause.dimension.replace('_', ' ');
    parts.push(
      `${dimWord} ${inc.cause.value} explains it: ${leadMembers.length} of ${inc.cause.groups_judged} groups with it breach, while the same ${others.map((o) => PLURAL[o] ?? o).join(' × ')} with other ${PLURAL[inc.cause.dimension] ?? dimWord} stay inside their baselines`,
    );
  }
  const otherRules = [...new Set(shown.map((m) => m.rule_id))].filter((r) => r !== inc.lead_rule_id);
  if (otherRules.length > 0) {
    const also = otherRules.map((r) => {
      const ms = shown.filter((m) => m.rule_id === r);
      const common = Object.fromEntries(Object.entries(ms[0]!.labels).filter(([d, v]) => ms.every((m) => m.labels[d] === v)));
      return describeRule(ms[0]!.metric, common, ms);
    });
    parts.push(`also ${also.join('; ')}`);
    if (inc.correlated_finding) parts.push(`correlated finding: ${inc.correlated_finding.title}`);
  }
  inc.explanation = parts.length > 0 ? `${parts.join('. ')}.` : inc.correlated_finding ? `correlated finding: ${inc.correlated_finding.title}.` : '';
}
