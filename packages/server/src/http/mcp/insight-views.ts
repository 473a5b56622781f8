// Each insight report as a tool answer: one line per finding, every number with its unit. The
// structured content keeps the API's figures for the findings shown.

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Metric } from '../../query/aggregate.js';
import type { CohortReport } from '../../query/insights/cohorts.js';
import type { CorrelationReport } from '../../query/insights/correlations.js';
import type { DecisionReport } from '../../query/insights/decisions.js';
import type { PathReport } from '../../query/insights/paths.js';
import type { RegressionReport } from '../../query/insights/regressions.js';
import type { TokenReport } from '../../query/insights/tokens.js';
import { formatChange, formatCount, formatCountOf, formatInterval, formatMetric, formatMs, formatPct, formatTime, formatTokens, formatUsd, METRIC_LABEL } from '@sightline/api';
import { listingAnswer } from './answer.js';

const window = (from: number, to: number) => `${formatTime(from)} – ${formatTime(to)}`;
const ratio = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2));
const change = (v: number | null) => (v === null ? '' : ` (${formatChange(v)})`);

export function regressionsAnswer(r: RegressionReport, from: number, to: number): CallToolResult {
  const metric = r.metric as Metric;
  return listingAnswer({
    head: [
      `Regressions of ${METRIC_LABEL[metric]} by ${r.group_by}, ${window(from, to)}, ${formatInterval(r.interval_ms)} buckets, baseline ${r.baseline.kind === 'previous' ? `the previous ${r.baseline.buckets} buckets` : `the same hour on ${r.baseline.days} days before`}:`,
      ...(r.regressions.length === 0 ? ['none: every bucket stayed inside its baseline band.'] : []),
    ],
    items: r.regressions.map((g) => ({
      lines: [
        `- ${r.group_by} ${g.group} at ${formatTime(g.bucket)}: ${formatMetric(metric, g.value)} vs expected ${formatMetric(metric, g.expected)}${change(g.change)}, ${Math.abs(g.sigma).toFixed(1)}σ ${g.direction}${g.worse ? ' (worse)' : ' (better)'}, ${formatCountOf(g.count, 'span')}`,
      ],
      data: g,
    })),
    noun: 'regressions',
    narrow: 'pass agent, a shorter range or a higher min_sigma',
    key: 'regressions',
    structured: { metric: r.metric, group_by: r.group_by, interval_ms: r.interval_ms, baseline: r.baseline, from, to },
  });
}

export function pathsAnswer(r: PathReport): CallToolResult {
  return listingAnswer({
    head: [
      `Cost by decision path, ${window(r.from, r.to)}: ${formatCountOf(r.total.traces, 'trace')}, ${formatUsd(r.total.cost_usd)}, ${formatCountOf(r.total.error_traces, 'trace')} with errors.`,
      ...(r.paths.length === 0 ? ['No traces in this range.'] : []),
    ],
    items: r.paths.map((p) => ({
      lines: [
        `- ${p.path || '(no decision)'}: ${formatCountOf(p.traces, 'trace')} (${formatPct(p.share)}), ${formatUsd(p.cost_usd)} (${formatPct(p.cost_share)} of spend, ${formatUsd(p.mean_cost_usd)} per trace${p.cost_change === null ? '' : `, ${formatChange(p.cost_change)} vs the previous range`}), error rate ${formatPct(p.error_rate)}, p95 ${p.p95_ms === null ? 'n/a' : formatMs(p.p95_ms)}, agents ${p.agents.join(', ')}`,
      ],
      data: p,
    })),
    noun: 'paths',
    narrow: 'pass agent or a shorter range',
    key: 'paths',
    structured: { from: r.from, to: r.to, total: r.total },
  });
}

export function cohortsAnswer(r: CohortReport): CallToolResult {
  return listingAnswer({
    head: [
      `Failing cohorts, ${window(r.from, r.to)}: ${formatCount(r.failing.length)} of ${formatCount(r.tested)} attribute values tested fail more than the rest of their agents.`,
    ],
    items: r.failing.map((c) => ({
      lines: [
        `- ${c.key}=${c.value} (${formatCount(c.n)} ${c.unit}s, agents ${c.agents.join(', ')}): error rate ${formatPct(c.error_rate)} vs ${formatPct(c.rest_error_rate)} for the rest${c.lift === null ? '' : `, ${c.lift.toFixed(1)}× as often`}, q=${c.q < 0.001 ? c.q.toExponential(1) : c.q.toFixed(3)}; mean latency ${formatMs(c.latency_avg_ms)}, ${formatUsd(c.cost_per_unit)} per ${c.unit}`,
      ],
      data: c,
    })),
    noun: 'cohorts',
    narrow: 'pass agent or a shorter range',
    key: 'failing',
    structured: { from: r.from, to: r.to, tested: r.tested },
  });
}

export function decisionsAnswer(r: DecisionReport, from: number, to: number): CallToolResult {
  const head = [`Decisions, ${window(from, to)} (baseline ${window(r.lookback.from, r.lookback.to)}):`];
  head.push(
    r.new_decisions.length === 0
      ? 'New decisions: none.'
      : `New decisions: ${r.new_decisions.map((d) => `${d.agent} chose "${d.decision}" ${formatCount(d.count)}× (first at ${formatTime(d.first_seen)})`).join('; ')}.`,
  );
  if (r.entropy_drops.length > 0) {
    head.push(`Entropy drops (an agent choosing one option far more than before): ${r.entropy_drops.map((d) => `${d.agent} ${d.baseline_bits.toFixed(2)} → ${d.current_bits.toFixed(2)} bits`).join('; ')}.`);
  }
  return listingAnswer({
    head,
    items: r.agents.map((a) => ({
      lines: [
        `- ${a.agent} (entropy ${a.entropy_bits.toFixed(2)} bits${a.entropy_change_bits === null ? '' : `, ${a.entropy_change_bits >= 0 ? '+' : '−'}${Math.abs(a.entropy_change_bits).toFixed(2)} vs baseline`}): ` +
          a.decisions
            .slice(0, 6)
            .map((d) => `${d.decision} ${formatPct(d.share)} (baseline ${formatPct(d.baseline_share)}${d.confidence_avg === null ? '' : `, confidence ${d.confidence_avg.toFixed(2)}`})`)
            .join(', ') +
          (a.decisions.length > 6 ? `, … ${a.decisions.length - 6} more` : ''),
      ],
      data: { agent: a.agent, entropy_bits: a.entropy_bits, baseline_entropy_bits: a.baseline_entropy_bits, decisions: a.decisions },
    })),
    noun: 'agents',
    narrow: 'pass agent',
    key: 'agents',
    structured: { from, to, new_decisions: r.new_decisions, entropy_drops: r.entropy_drops },
  });
}

export function tokensAnswer(r: TokenReport, groupBy: string): CallToolResult {
  const drops = new Set(r.drops.map((d) => d.group));
  return listingAnswer({
    head: [
      `Token efficiency by ${groupBy}, ${window(r.from, r.to)} vs ${window(r.baseline.from, r.baseline.to)}${r.drops.length > 0 ? `; efficiency dropped for ${r.drops.map((d) => d.group).join(', ')}` : ''}:`,
    ],
    items: r.groups.map((g) => {
      const c = g.current;
      const perTrace = c.tokens_per_successful_trace === null ? '' : `, ${formatTokens(c.tokens_per_successful_trace)} and ${formatUsd(c.cost_per_successful_trace ?? 0)} per successful trace${change(g.change.tokens_per_successful_trace)}`;
      return {
        lines: [
          `- ${g.group}${drops.has(g.group) ? ' (dropped)' : ''}: ${formatCount(c.calls)} calls, ${formatTokens(c.tokens_input)} in / ${formatTokens(c.tokens_output)} out, output per input ${ratio(c.output_per_input)}${change(g.change.output_per_input)}, cache hits ${c.cache_hit_rate === null ? 'n/a' : formatPct(c.cache_hit_rate)}, ${formatUsd(c.cost_usd)}${perTrace}`,
        ],
        data: g,
      };
    }),
    noun: 'groups',
    narrow: 'pass a shorter range',
    key: 'groups',
    structured: { from: r.from, to: r.to, baseline: r.baseline, drops: r.drops.map((d) => d.group) },
  });
}

export function correlationsAnswer(r: CorrelationReport): CallToolResult {
  const items = [
    ...r.findings.map((f) => ({ lines: [`- finding: ${f.sentence}`], data: { kind: 'finding', ...f } as Record<string, unknown> })),
    ...r.anomalies.map((a) => ({ lines: [`- anomaly: ${a.sentence}`], data: { kind: 'anomaly', ...a } as Record<string, unknown> })),
  ];
  return listingAnswer({
    head: [
      `Correlated anomalies, ${window(r.from, r.to)} (${formatInterval(r.interval_ms)} buckets, baseline ${window(r.baseline.from, r.baseline.to)}): ${formatCount(r.findings.length)} findings (anomalies that moved together), ${formatCount(r.anomalies.length)} anomalies.`,
      ...(items.length === 0 ? ['Nothing moved outside its baseline band.'] : []),
    ],
    items,
    noun: 'findings and anomalies',
    narrow: 'pass a shorter range or a higher min_sigma',
    key: 'items',
    structured: { from: r.from, to: r.to, interval_ms: r.interval_ms, finding_count: r.findings.length, anomaly_count: r.anomalies.length },
  });
}
