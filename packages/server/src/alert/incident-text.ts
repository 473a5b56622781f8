// The words of an incident: a title an on-call engineer reads on a pager ("cost per call of
// gpt-4o +100 % ($0.0042 → $0.0084) across all 12 agents since 09:14 UTC") and the explanation of
// why these alerts are one incident. Every number has its unit and a rounding fit for reading.

import { activeMembers, type Incident, type IncidentMember } from './incident.js';
import type { AlertMetric } from './rule.js';

const LABEL: Record<AlertMetric, string> = {
  count: 'count',
  errors: 'errors',
  error_rate: 'error rate',
  latency_avg: 'mean latency',
  latency_p50: 'p50 latency',
  latency_p95: 'p95 latency',
  latency_p99: 'p99 latency',
  cost: 'cost',
  cost_per_call: 'cost per call',
  tokens: 'tokens',
  tokens_input: 'input tokens',
  tokens_output: 'output tokens',
  tokens_per_call: 'tokens per call',
  confidence_avg: 'mean confidence',
  token_efficiency: 'output tokens per input token',
};

const PLURAL: Record<string, string> = { agent: 'agents', model: 'models', decision: 'decisions', span_type: 'span types', provider: 'providers', user: 'users' };

export const metricLabel = (m: AlertMetric): string => LABEL[m];

/** Whole dollars from $100, cents from $0.10, two significant digits below. */
export function formatUsd(v: number): string {
  const a = Math.abs(v);
  if (a >= 100) return `$${Math.round(v).toLocaleString('en-US')}`;
  if (a >= 0.1) return `$${v.toFixed(2)}`;
  if (a === 0) return '$0';
  return `$${Number(v.toPrecision(2))}`;
}

const int = (v: number) => Math.round(v).toLocaleString('en-US');

/** A value of `metric` with its unit. */
export function formatMetric(metric: AlertMetric, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  switch (metric) {
    case 'error_rate': {
      const p = v * 100;
      return `${p < 10 ? p.toFixed(1) : Math.round(p)} %`;
    }
    case 'latency_avg':
    case 'latency_p50':
    case 'latency_p95':
    case 'latency_p99':
      return v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(v < 10_000 ? 2 : 1)} s`;
    case 'cost':
    case 'cost_per_call':
      return formatUsd(v);
    case 'tokens':
    case 'tokens_input':
    case 'tokens_output':
    case 'tokens_per_call':
      return `${int(v)} tokens`;
    case 'count':
      return `${int(v)} spans`;
    case 'errors':
      return `${int(v)} errors`;
    case 'token_efficiency':
    case 'confidence_avg':
      return v.toFixed(2);
  }
}

/** "+100 %", "−35 %", or for rates "+78 points". */
export function formatChange(metric: AlertMetric, value: number, base: number): string {
  const sign = (x: number) => (x >= 0 ? '+' : '−');
  if (metric === 'error_rate') {
    const pts = (value - base) * 100;
    return `${sign(pts)}${Math.abs(pts) < 10 ? Math.abs(pts).toFixed(1) : Math.round(Math.abs(pts))} points`;
  }
  if (base === 0) return 'from 0';
  const r = (value / base - 1) * 100;
  return `${sign(r)}${Math.abs(r) < 10 ? Math.abs(r).toFixed(1) : Math.round(Math.abs(r))} %`;
}

/** "09:14 UTC", with the date when it is not the day of `ref`. */
export function formatClock(ms: number, ref: number): string {
  const a = new Date(ms).toISOString();
  const sameDay = a.slice(0, 10) === new Date(ref).toISOString().slice(0, 10);
  return `${sameDay ? '' : `${a.slice(0, 10)} `}${a.slice(11, 16)} UTC`;
}

/** Sample-weighted value and baseline of members (the figure of the whole affected set). */
function pooled(members: readonly IncidentMember[]): { value: number; baseline: number } | null {
  let n = 0;
  let v = 0;
  let b = 0;
  for (const m of members) {
    if (m.value === null || m.baseline === null) continue;
    const w = Math.max(1, m.samples);
    n += w;
    v += m.value * w;
    b += m.baseline * w;
  }
  return n === 0 ? null : { value: v / n, baseline: b / n };
}

function subjectOf(scope: Record<string, string | null>): string {
  return Object.entries(scope)
    .map(([d, v]) => (d === 'decision' ? `decision ${v ?? '(none)'}` : d === 'span_type' ? `${v ?? '(none)'} spans` : (v ?? `(no ${d})`)))
    .join(' × ');
}

/** What one rule's members amount to: "cost per call of gpt-4o +100 % ($0.0042 → $0.0084)". */
export function describeRule(metric: AlertMetric, scope: Record<string, string | null>, members: readonly IncidentMember[]): string {
  const subject = `${LABEL[metric]} of ${subjectOf(scope)}`;
  const p = pooled(members);
  if (p === null) {
    const v = members.find((m) => m.value !== null)?.value;
    return v === undefined ? subject : `${subject} at ${formatMetric(metric, v)}`;
  }
  return `${subject} ${formatChange(metric, p.value, p.baseline)} (${formatMetric(metric, p.baseline)} → ${formatMetric(metric, p.value)})`;
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
