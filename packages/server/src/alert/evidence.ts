// The evidence attached to a firing alert (value, baseline, band, samples, a dashboard link and a
// few example traces) and its one-line summary.

import { formatCountOf, formatMetric, metricName } from '@sightline/api';
import type { SpanStore } from '../store/span-store.js';
import type { AlertRule } from './rule.js';
import type { AlertState, Evidence } from './state-machine.js';

const ERROR_METRICS = new Set(['error_rate', 'errors']);

/** Dashboard path for the traces of this group around the alert (the dashboard's /traces page). */
function dashboardPath(state: AlertState, rule: AlertRule, now: number): string {
  const p = new URLSearchParams({ from: String(now - 4 * rule.windowMs), to: String(now) });
  const agent = state.labels.agent ?? rule.filter.agent;
  const decision = state.labels.decision ?? rule.filter.decision;
  if (agent) p.set('agent', agent);
  if (decision) p.set('decision', decision);
  if (ERROR_METRICS.has(rule.metric)) p.set('errors', '1');
  return `/traces?${p.toString()}`;
}

export async function buildEvidence(store: SpanStore, state: AlertState, rule: AlertRule, now: number): Promise<Evidence> {
  const agent = state.labels.agent ?? rule.filter.agent ?? undefined;
  const decision = state.labels.decision ?? rule.filter.decision ?? undefined;
  const traces = await store.searchTraces({
    project: state.project,
    from: now - rule.windowMs,
    to: now,
    ...(agent ? { agent } : {}),
    ...(decision ? { decision } : {}),
    ...(ERROR_METRICS.has(rule.metric) ? { errors_only: true } : {}),
    limit: 3,
  });
  return {
    metric: rule.metric,
    value: state.value,
    baseline: state.baseline?.mean ?? null,
    band: state.band,
    threshold: state.threshold,
    sigma: state.band ? (state.band[1] - state.band[0]) / 2 / (rule.condition.type === 'sigma' ? rule.condition.k : 2) : null,
    samples: state.samples,
    baseline_samples: state.baseline?.samples ?? 0,
    window_ms: rule.windowMs,
    dashboard_url: dashboardPath(state, rule, now),
    example_trace_ids: traces.map((t) => t.trace_id),
  };
}

/**
 * One line a person reads in a chat message or a pager, every number with its unit:
 * "p95 latency for agent support: p95 latency 52.1 s vs baseline 30.5 s (threshold 45.8 s), 212 samples".
 */
export function alertSummary(s: AlertState, ruleMetric: string): string {
  if (s.summary !== undefined) return s.status === 'resolved' ? `Resolved: ${s.summary}` : s.summary;
  const who = Object.entries(s.labels)
    .map(([k, v]) => `${k} ${v ?? '(none)'}`)
    .join(', ');
  const e = s.evidence;
  const metric = e?.metric ?? ruleMetric;
  const name = metricName(metric);
  const base = e?.baseline ?? s.baseline?.mean ?? null;
  if (s.status === 'resolved') return `${s.rule_name}${who ? ` for ${who}` : ''} is back to normal: ${name} ${formatMetric(metric, s.value)}`;
  const vs = base !== null ? ` vs baseline ${formatMetric(metric, base)}` : '';
  const band = e?.threshold != null ? ` (threshold ${formatMetric(metric, e.threshold)})` : '';
  return `${s.rule_name}${who ? ` for ${who}` : ''}: ${name} ${formatMetric(metric, e?.value ?? s.value)}${vs}${band}, ${formatCountOf(e?.samples ?? s.samples, 'sample')}`;
}
