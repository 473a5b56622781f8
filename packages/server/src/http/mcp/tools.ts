// The MCP tools: what a coding agent asks of Sightline while it debugs an agent. Each reads the
// HTTP API as the caller (api.ts) and answers compact text plus structured content (answer.ts).

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { DIMENSIONS, type Span } from '../../model/span.js';
import { METRICS, type Metric } from '../../query/aggregate.js';
import { BAND_METRICS } from '../../query/insights/bucket-scores.js';
import type { CohortReport } from '../../query/insights/cohorts.js';
import type { CorrelationReport } from '../../query/insights/correlations.js';
import type { DecisionReport } from '../../query/insights/decisions.js';
import type { PathReport } from '../../query/insights/paths.js';
import type { RegressionReport } from '../../query/insights/regressions.js';
import type { TokenReport } from '../../query/insights/tokens.js';
import type { DoctorReport } from '../../query/doctor/report-types.js';
import type { Overview } from '../../query/overview.js';
import type { Series } from '../../query/timeseries.js';
import type { TraceSummary } from '../../store/store.js';
import { formatChange, formatCount, formatCountOf, formatMs, formatPct, formatTime, formatTokens, formatUsd } from '@sightline/api';
import { parseDuration } from '../params.js';
import { alertsAnswer, type PublicAlert } from './alerts-view.js';
import { errorAnswer, listingAnswer, textAnswer } from './answer.js';
import type { TelemetryApi } from './api.js';
import { cohortsAnswer, correlationsAnswer, decisionsAnswer, pathsAnswer, regressionsAnswer, tokensAnswer } from './insight-views.js';
import { boundedInterval, seriesAnswer } from './series-view.js';
import { traceAnswer, traceUri } from './trace-view.js';

const range = (fallback: string) =>
  z.string().regex(/^\d+(m|h|d)$/, 'a duration like 30m, 6h or 7d').default(fallback).describe(`How far back from now, e.g. 30m, 6h, 7d (default ${fallback})`);
const agent = z.string().max(256).optional().describe('Only this agent (agent_id)');
const read = { readOnlyHint: true, openWorldHint: false } as const;

/** A query string from the set values. */
function qs(params: Record<string, string | number | boolean | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== false) p.set(k, v === true ? '1' : String(v));
  return p.size === 0 ? '' : `?${p}`;
}

/** Calls the API and renders its answer, or the API's error as a tool error. */
async function via<T>(api: TelemetryApi, path: string, render: (body: T) => CallToolResult): Promise<CallToolResult> {
  const r = await api<T>(path);
  return r.ok ? render(r.body) : errorAnswer(r.status, r.message);
}

function overviewAnswer(o: Overview): CallToolResult {
  const c = o.current;
  const ch = (k: keyof Overview['change']) => (o.change[k] === null ? '' : ` (${formatChange(o.change[k]!)} vs the range before)`);
  return textAnswer(
    [
      `Fleet, ${formatTime(o.from)} – ${formatTime(o.to)}:`,
      `- ${formatCount(c.spans)} spans${ch('spans')}, ${c.spans_per_min.toFixed(1)} spans/min, ${formatCount(c.active_agents)} active agents`,
      `- ${formatCount(c.errors)} errors, error rate ${c.error_rate === null ? 'n/a' : formatPct(c.error_rate)}${ch('error_rate')}`,
      `- latency p50 ${c.latency_p50_ms === null ? 'n/a' : formatMs(c.latency_p50_ms)}, p95 ${c.latency_p95_ms === null ? 'n/a' : formatMs(c.latency_p95_ms)}${ch('latency_p95_ms')}`,
      `- cost ${formatUsd(c.cost_usd)}${ch('cost_usd')} (${formatUsd(c.cost_per_hour)}/h), ${formatTokens(c.tokens)}`,
    ],
    o as unknown as Record<string, unknown>,
  );
}

function tracesAnswer(traces: TraceSummary[], asked: string): CallToolResult {
  return listingAnswer({
    head: [traces.length === 0 ? `No traces match (${asked}).` : `${formatCountOf(traces.length, 'trace')}, newest first (${asked}):`],
    items: traces.map((t) => ({
      lines: [
        `- ${t.trace_id}  ${formatTime(t.start)}  ${t.agent_id}${t.root_name === null ? '' : `  "${t.root_name}"`}  ${formatMs(t.duration_ms)}  ${formatCountOf(t.span_count, 'span')}  ${formatCountOf(t.error_count, 'error')}  ${formatUsd(t.cost_usd)}  ${formatTokens(t.tokens)}${t.decisions.length > 0 ? `  decisions: ${t.decisions.join(' → ')}` : ''}`,
      ],
      data: { ...t, uri: traceUri(t.trace_id) },
    })),
    tail: traces.length > 0 ? ['Open one with get_trace (trace_id), or read sightline://traces/{trace_id}.'] : [],
    noun: 'traces',
    narrow: 'pass agent, decision, errors_only or text, a shorter range, or a smaller limit',
    key: 'traces',
    structured: { query: asked },
  });
}

function doctorAnswer(r: DoctorReport): CallToolResult {
  return listingAnswer({
    head: [
      r.findings.length === 0
        ? `The telemetry doctor found nothing to fix in ${formatCountOf(r.sources.length, 'source')}, ${formatTime(r.from)} – ${formatTime(r.to)}.`
        : `The telemetry doctor, ${formatTime(r.from)} – ${formatTime(r.to)}, ${formatCountOf(r.sources.length, 'source')}, most urgent first:`,
    ],
    items: r.findings.map((f) => ({ lines: [`- [${f.severity}] ${f.text}`], data: f })),
    noun: 'findings',
    narrow: 'ask for a shorter range',
    key: 'findings',
    structured: { from: r.from, to: r.to, sources: r.sources, unpriced_models: r.unpriced_models, orphans: r.orphans.total },
  });
}

export function registerTools(server: McpServer, api: TelemetryApi, clock: () => number = Date.now): void {
  server.registerTool(
    'overview',
    { title: 'Fleet overview', description: 'Spans, errors, latency, cost and tokens of the project over a range, against the range before it. A good first call.', inputSchema: { range: range('1h'), agent }, annotations: read },
    ({ range, agent }) => via<Overview>(api, `/api/overview${qs({ range, agent })}`, overviewAnswer),
  );

  server.registerTool(
    'search_traces',
    {
      title: 'Search traces',
      description: 'Traces newest first, filtered by agent, decision, errors, text in span names, errors, prompts or outputs, latency or cost, over a time range.',
      inputSchema: {
        agent,
        decision: z.string().max(256).optional().describe('Only traces where this decision was made'),
        errors_only: z.boolean().optional().describe('Only traces with at least one failed span'),
        text: z.string().min(1).max(256).optional().describe('Text a span name, error, prompt or output contains (case-insensitive)'),
        range: range('24h'),
        from: z.string().optional().describe('Start, ISO-8601 or epoch ms (instead of range)'),
        to: z.string().optional().describe('End, ISO-8601 or epoch ms (default now)'),
        min_latency_ms: z.number().min(0).optional().describe('Only traces lasting at least this many milliseconds'),
        min_cost_usd: z.number().min(0).optional().describe('Only traces costing at least this many US dollars'),
        limit: z.number().int().min(1).max(200).default(20).describe('At most this many traces (default 20)'),
      },
      annotations: read,
    },
    (a) => {
      const params = { agent: a.agent, decision: a.decision, errors: a.errors_only, text: a.text, min_latency_ms: a.min_latency_ms, min_cost_usd: a.min_cost_usd, limit: a.limit };
      const when = a.from !== undefined ? { from: a.from, to: a.to } : { range: a.range, to: a.to };
      const asked = Object.entries({ ...when, ...params }).filter(([, v]) => v !== undefined && v !== false).map(([k, v]) => `${k}=${String(v)}`).join(', ');
      return via<{ traces: TraceSummary[] }>(api, `/api/traces${qs({ ...when, ...params })}`, (b) => tracesAnswer(b.traces, asked));
    },
  );

  server.registerTool(
    'get_trace',
    {
      title: 'Get a trace',
      description: 'One trace as an indented span tree, with its errors, slowest and costliest spans first; prompts and outputs folded (the resource sightline://traces/{trace_id} has them in full).',
      inputSchema: {
        trace_id: z.string().min(1).max(256),
        at: z.string().optional().describe('Any time near the trace (its start from search_traces) to find it faster'),
      },
      annotations: read,
    },
    ({ trace_id, at }) => via<{ spans: Span[] }>(api, `/api/traces/${encodeURIComponent(trace_id)}${qs({ at })}`, (b) => traceAnswer(trace_id, b.spans)),
  );

  server.registerTool(
    'alerts',
    {
      title: 'Alerts with evidence',
      description: 'Alerts of the project (firing by default) with their evidence: value against baseline and band, samples, example traces and a dashboard link.',
      inputSchema: { status: z.enum(['firing', 'pending', 'resolved', 'all']).default('firing') },
      annotations: read,
    },
    ({ status }) =>
      via<{ alerts: PublicAlert[] }>(api, `/api/alerts${qs({ status: status === 'all' ? undefined : status })}`, (b) => alertsAnswer(b.alerts, status, clock())),
  );

  server.registerTool(
    'doctor',
    {
      title: 'Telemetry doctor',
      description: "What each source's instrumentation leaves out (model, tokens, cost, session, decision), models without a price, unread attributes, orphan spans and clock skew, each with what to set.",
      inputSchema: { range: range('24h') },
      annotations: read,
    },
    ({ range }) => via<DoctorReport>(api, `/api/doctor${qs({ range })}`, doctorAnswer),
  );

  server.registerTool(
    'insight_regressions',
    {
      title: 'Regressions',
      description: 'Buckets where a metric left its baseline band, per group (model by default), strongest first.',
      inputSchema: {
        range: range('24h'),
        metric: z.enum(BAND_METRICS).default('latency_p95'),
        group_by: z.enum(DIMENSIONS).default('model'),
        agent,
      },
      annotations: read,
    },
    ({ range, metric, group_by, agent }) =>
      via<RegressionReport>(api, `/api/insights/regressions${qs({ range, metric, group_by, agent })}`, (r) => regressionsAnswer(r, clock() - parseDuration('range', range), clock())),
  );

  server.registerTool(
    'insight_paths',
    { title: 'Cost by decision path', description: 'Traces grouped by the sequence of decisions they made: count, spend, errors and latency per path.', inputSchema: { range: range('24h'), agent }, annotations: read },
    ({ range, agent }) => via<PathReport>(api, `/api/insights/paths${qs({ range, agent })}`, pathsAnswer),
  );

  server.registerTool(
    'insight_cohorts',
    { title: 'Failing cohorts', description: 'Attribute values (e.g. input_category=billing) whose error rate is significantly above the rest of their agents.', inputSchema: { range: range('24h'), agent }, annotations: read },
    ({ range, agent }) => via<CohortReport>(api, `/api/insights/cohorts${qs({ range, agent })}`, cohortsAnswer),
  );

  server.registerTool(
    'insight_decisions',
    { title: 'Decision distribution', description: 'Per agent, how often each decision was made against its baseline; new decisions and entropy drops.', inputSchema: { range: range('24h'), agent }, annotations: read },
    ({ range, agent }) => via<DecisionReport>(api, `/api/insights/decisions${qs({ range, agent })}`, (r) => decisionsAnswer(r, clock() - parseDuration('range', range), clock())),
  );

  server.registerTool(
    'insight_tokens',
    { title: 'Token efficiency', description: 'Tokens in and out, cache hits and cost per successful trace, per agent or model, against a baseline.', inputSchema: { range: range('24h'), group_by: z.enum(['agent', 'model']).default('agent') }, annotations: read },
    ({ range, group_by }) => via<TokenReport>(api, `/api/insights/tokens${qs({ range, group_by })}`, (r) => tokensAnswer(r, group_by)),
  );

  server.registerTool(
    'insight_correlations',
    {
      title: 'Correlated anomalies',
      description: 'Anomalies (a metric of a model or decision outside its band) and findings (anomalies that moved together), as the dashboard lists them.',
      inputSchema: { range: range('1h'), min_sigma: z.number().min(0).max(100).optional() },
      annotations: read,
    },
    ({ range, min_sigma }) => via<CorrelationReport>(api, `/api/insights/correlations${qs({ range, min_sigma })}`, correlationsAnswer),
  );

  server.registerTool(
    'timeseries',
    {
      title: 'Time series',
      description: `One metric over time, at most 60 points per series (the interval follows from the range), optionally per dimension and filtered.`,
      inputSchema: {
        metric: z.enum(METRICS).default('count'),
        range: range('1h'),
        group_by: z.enum(DIMENSIONS).optional(),
        agent,
        model: z.string().max(256).optional(),
        decision: z.string().max(256).optional(),
        errors_only: z.boolean().optional(),
      },
      annotations: read,
    },
    ({ metric, range, group_by, agent, model, decision, errors_only }) => {
      let rangeMs: number;
      try {
        rangeMs = parseDuration('range', range);
      } catch (err) {
        return errorAnswer(400, (err as Error).message);
      }
      const interval = boundedInterval(rangeMs);
      if (interval === null) return errorAnswer(400, `range: ${range} needs more than 60 daily points; ask for at most 60d`);
      const to = clock();
      const from = to - rangeMs;
      const path = `/api/timeseries${qs({ metric, from, to, interval: `${interval / 60_000}m`, group_by, agent, model, decision, errors: errors_only })}`;
      return via<{ series: Series[] }>(api, path, (b) => seriesAnswer(b.series, metric as Metric, from, to, interval));
    },
  );
}
