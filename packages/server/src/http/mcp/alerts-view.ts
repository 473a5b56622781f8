// Alerts as a tool answer: what fires, since when, and the evidence (value against baseline and
// band, samples, example traces to open next), every value in its metric's unit.

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { AlertState } from '../../alert/state-machine.js';
import { formatCount, formatMetric, formatMs, formatTime } from '@sightline/api';
import { listingAnswer } from './answer.js';

export type PublicAlert = AlertState & { summary: string };

function evidenceLines(a: PublicAlert, now: number): string[] {
  const e = a.evidence;
  const metric = e?.metric ?? 'value';
  const since = a.fired_at ?? a.started_at ?? a.since;
  const lines = [`  since ${formatTime(since)} (${formatMs(Math.max(0, now - since))} ago), last evaluated ${formatTime(a.last_evaluated_at)}`];
  if (e) {
    const band = e.band ? `, expected band ${formatMetric(metric, e.band[0])} – ${formatMetric(metric, e.band[1])}` : '';
    const threshold = e.threshold === null ? '' : `, threshold ${formatMetric(metric, e.threshold)}`;
    lines.push(
      `  evidence: ${metric} ${formatMetric(metric, e.value)} vs baseline ${formatMetric(metric, e.baseline)}${band}${threshold}; ${formatCount(e.samples)} samples in the last ${formatMs(e.window_ms)} (baseline ${formatCount(e.baseline_samples)})`,
    );
    if (e.example_trace_ids.length > 0) lines.push(`  example traces (get_trace): ${e.example_trace_ids.join(', ')}`);
    lines.push(`  dashboard: ${e.dashboard_url}`);
  } else {
    lines.push(`  value ${formatMetric(metric, a.value)}, ${formatCount(a.samples)} samples`);
  }
  if (a.acknowledged_at !== null) lines.push(`  acknowledged ${formatTime(a.acknowledged_at)}${a.acknowledged_by ? ` by ${a.acknowledged_by}` : ''}`);
  return lines;
}

export function alertsAnswer(alerts: PublicAlert[], status: string, now: number): CallToolResult {
  const order = { critical: 0, warning: 1, info: 2 } as Record<string, number>;
  const sorted = [...alerts].sort((a, b) => (order[a.severity] ?? 3) - (order[b.severity] ?? 3) || b.since - a.since);
  const labels = (a: PublicAlert) => Object.entries(a.labels).map(([k, v]) => `${k} ${v ?? '(none)'}`).join(', ');
  return listingAnswer({
    head: [
      sorted.length === 0
        ? `No ${status === 'all' ? '' : `${status} `}alerts in this project.`
        : `${formatCount(sorted.length)} ${status === 'all' ? '' : `${status} `}alert${sorted.length === 1 ? '' : 's'}:`,
    ],
    items: sorted.map((a) => ({
      lines: [`- [${a.severity}] ${a.rule_name}${labels(a) ? ` for ${labels(a)}` : ''} (${a.status}, rule ${a.rule_id}, alert ${a.id})`, ...evidenceLines(a, now)],
      data: {
        id: a.id, rule_id: a.rule_id, rule_name: a.rule_name, severity: a.severity, status: a.status, labels: a.labels,
        since: a.since, fired_at: a.fired_at, value: a.value, summary: a.summary, evidence: a.evidence, acknowledged_at: a.acknowledged_at,
      },
    })),
    noun: 'alerts',
    narrow: 'ask for status "firing" only',
    key: 'alerts',
    structured: { status },
  });
}
