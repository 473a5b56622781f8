// `sightline query <insight> [--range 24h] [--agent A] [--json]`: the Insight engine's findings
// (GET /api/insights/<insight>) as tables whose headers name what is measured and whose cells
// carry their units, or the server's JSON as is.

import type { CohortReport } from '../query/insights/cohorts.js';
import type { CorrelationReport } from '../query/insights/correlations.js';
import type { DecisionReport } from '../query/insights/decisions.js';
import type { PathReport } from '../query/insights/paths.js';
import type { RegressionReport } from '../query/insights/regressions.js';
import type { TokenReport } from '../query/insights/tokens.js';
import { describeWindow } from '../query/insights/sentences.js';
import { formatChange, formatCount, formatInterval, formatMetric, formatMs, formatPct, formatTokens, formatUsd, METRIC_LABEL } from '@sightline/api';
import { SightlineError } from '../model/errors.js';
import { clientOf } from './client.js';
import type { Flags } from './flags.js';
import { colorEnabled, painter, table, type Paint } from './term.js';

/** A table's title line (what is measured, over what) and its header and rows; or what was empty. */
interface Section {
  title: string;
  header: string[];
  rows: string[][];
  empty: string;
}

const time = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
const orDash = <T>(v: T | null | undefined, f: (x: T) => string) => (v === null || v === undefined ? '-' : f(v));

function regressions(r: RegressionReport): Section[] {
  const label = METRIC_LABEL[r.metric];
  const baseline = r.baseline.kind === 'previous' ? `the previous ${r.baseline.buckets} buckets` : `the same hour on ${r.baseline.days} days before`;
  return [{
    title: `regressions of ${label} by ${r.group_by}, ${formatInterval(r.interval_ms)} buckets against ${baseline} (times UTC)`,
    header: [r.group_by, 'bucket', 'direction', label.replace(/ \(.*\)$/, ''), 'expected', 'change', 'σ', 'spans'],
    rows: r.regressions.map((g) => [
      g.group, time(g.bucket), `${g.direction}${g.worse ? ' (worse)' : ''}`, formatMetric(r.metric, g.value), formatMetric(r.metric, g.expected),
      orDash(g.change, formatChange), Math.abs(g.sigma).toFixed(1), formatCount(g.count),
    ]),
    empty: 'no regressions: every bucket stayed inside its baseline band',
  }];
}

function paths(r: PathReport): Section[] {
  return [{
    title: `cost by decision path: ${formatCount(r.total.traces)} traces, ${formatUsd(r.total.cost_usd)}, ${formatCount(r.total.error_traces)} with errors`,
    header: ['decision path', 'traces', 'share', 'cost (USD)', 'per trace (USD)', 'error rate', 'p95 latency', 'cost change'],
    rows: r.paths.map((p) => [
      p.path || '(no decision)', formatCount(p.traces), formatPct(p.share), formatUsd(p.cost_usd), formatUsd(p.mean_cost_usd), formatPct(p.error_rate),
      orDash(p.p95_ms, formatMs), orDash(p.cost_change, formatChange),
    ]),
    empty: 'no traces',
  }];
}

function cohorts(r: CohortReport): Section[] {
  return [{
    title: `failing cohorts: ${formatCount(r.failing.length)} of ${formatCount(r.tested)} attribute values fail more than the rest of their agents`,
    header: ['cohort', 'unit', 'n', 'error rate', 'rest', 'lift', 'q', 'mean latency', 'cost per unit'],
    rows: r.failing.map((c) => [
      `${c.key}=${c.value}`, c.unit, formatCount(c.n), formatPct(c.error_rate), formatPct(c.rest_error_rate), orDash(c.lift, (l) => `${l.toFixed(1)}×`),
      c.q < 0.001 ? c.q.toExponential(1) : c.q.toFixed(3), formatMs(c.latency_avg_ms), formatUsd(c.cost_per_unit),
    ]),
    empty: 'no failing cohorts',
  }];
}

function decisions(r: DecisionReport): Section[] {
  return [{
    title: 'new decisions (never made in the baseline; times UTC)',
    header: ['agent', 'decision', 'first seen', 'count'],
    rows: r.new_decisions.map((d) => [d.agent, d.decision, time(d.first_seen), formatCount(d.count)]),
    empty: 'no new decisions',
  }];
}

function tokens(r: TokenReport): Section[] {
  const drops = new Set(r.drops.map((d) => d.group));
  return [{
    title: `token efficiency against ${describeWindow(r.baseline.from, r.baseline.to)}`,
    header: ['group', 'calls', 'input', 'output', 'output per input', 'change', 'cache hits', 'cost (USD)', 'tokens per ok trace'],
    rows: r.groups.map((g) => [
      `${g.group}${drops.has(g.group) ? ' (dropped)' : ''}`, formatCount(g.current.calls), formatTokens(g.current.tokens_input), formatTokens(g.current.tokens_output),
      orDash(g.current.output_per_input, (v) => v.toFixed(2)), orDash(g.change.output_per_input, formatChange), orDash(g.current.cache_hit_rate, formatPct),
      formatUsd(g.current.cost_usd), orDash(g.current.tokens_per_successful_trace, formatTokens),
    ]),
    empty: 'no LLM calls',
  }];
}

/** Findings and the anomalies they are made of, as the dashboard's overview lists them. */
function correlations(r: CorrelationReport): Section[] {
  return [
    {
      title: `correlated findings (anomalies that moved together), ${formatInterval(r.interval_ms)} buckets`,
      header: ['finding', 'window (UTC)', 'score'],
      rows: r.findings.map((f) => [f.sentence, describeWindow(f.from, f.to).replace(' UTC', ''), f.score.toFixed(1)]),
      empty: 'no correlated findings',
    },
    {
      title: `anomalies against ${describeWindow(r.baseline.from, r.baseline.to)}`,
      header: ['anomaly', 'peak σ'],
      rows: r.anomalies.map((a) => [a.sentence, a.peak_sigma.toFixed(1)]),
      empty: 'no anomalies',
    },
  ];
}

/** Each insight: its endpoint and how its answer is shown. */
const INSIGHTS: Record<string, { endpoint: string; sections: (body: never) => Section[] }> = {
  regressions: { endpoint: 'regressions', sections: regressions },
  paths: { endpoint: 'paths', sections: paths },
  cohorts: { endpoint: 'cohorts', sections: cohorts },
  decisions: { endpoint: 'decisions', sections: decisions },
  tokens: { endpoint: 'tokens', sections: tokens },
  correlations: { endpoint: 'correlations', sections: correlations },
};
/** Other names people use for the same insights. */
const ALIASES: Record<string, string> = { 'new-decisions': 'decisions', 'failing-cohorts': 'cohorts' };

export const INSIGHT_NAMES = [...Object.keys(INSIGHTS), ...Object.keys(ALIASES)];

export function insightText(insight: string, body: unknown, range: string, paint: Paint): string {
  const view = INSIGHTS[ALIASES[insight] ?? insight]!;
  return view
    .sections(body as never)
    .map((s) => (s.rows.length === 0 ? `${s.empty} over the last ${range}` : `${paint('dim', `${s.title}:`)}\n${table(s.header, s.rows, paint, 96)}`))
    .join('\n\n');
}

export async function runQuery(rest: string[], flags: Flags, env: NodeJS.ProcessEnv): Promise<number> {
  const [insight] = rest;
  const known = insight === undefined ? undefined : INSIGHTS[ALIASES[insight] ?? insight];
  if (known === undefined) {
    const what = insight === undefined ? 'name an insight' : `"${insight}" is not an insight`;
    throw new SightlineError('CONFIG_INVALID', `query: ${what}; choose one of ${INSIGHT_NAMES.join(', ')} (e.g. sightline query regressions --range 24h)`);
  }
  const client = clientOf(flags, env);
  const range = flags.range ?? '24h';
  const params = new URLSearchParams({ range });
  if (flags.agent !== undefined) params.set('agent', flags.agent);
  const body = await client.json(`/api/insights/${known.endpoint}?${params}`);
  if (flags.json) console.log(JSON.stringify(body));
  else console.log(insightText(insight!, body, range, painter(colorEnabled(process.stdout, env))));
  return 0;
}
