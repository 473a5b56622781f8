// Cost by decision path: traces grouped by their ordered decisions, with spend, latency, errors
// and tokens, each path's change against the previous period, and cost per decision, agent, model.

import type { Dimension } from '../../model/span.js';
import { quantileFromHistogram } from '../../store/latency-sketch.js';
import type { PathRow } from '../../store/store.js';
import type { InsightStore } from '../../store/insight-store.js';
import type { SpanStore } from '../../store/span-store.js';
import { LATENCY_BUCKETS } from '../../store/store.js';
import { firstDataMinute } from '../covered.js';
import { HOUR } from '../read-rollups.js';
import type { CostBreakdown, PathReport, PathStats } from '@sightline/api';

// The reply's types are the API contract's (@sightline/api): one definition for server and dashboard.
export type { CostBreakdown, PathReport, PathStats };

export const PATH_SEPARATOR = ' → ';

export interface PathRequest {
  project: string;
  from: number;
  to: number;
  agent?: string;
  limit?: number;
  /** The clock, for the part of the range that has happened (default the wall clock). */
  now?: number;
}

interface PathAcc {
  agents: Set<string>;
  traces: number;
  errors: number;
  cost: number;
  tokens: number;
  hist: number[];
}

function mergeByPath(rows: readonly PathRow[]): Map<string, PathAcc> {
  const out = new Map<string, PathAcc>();
  for (const r of rows) {
    let acc = out.get(r.path);
    if (!acc) out.set(r.path, (acc = { agents: new Set(), traces: 0, errors: 0, cost: 0, tokens: 0, hist: new Array<number>(LATENCY_BUCKETS).fill(0) }));
    acc.agents.add(r.agent_id);
    acc.traces += r.traces;
    acc.errors += r.error_traces;
    acc.cost += r.cost_usd;
    acc.tokens += r.tokens_input + r.tokens_output;
    for (let i = 0; i < LATENCY_BUCKETS; i++) acc.hist[i]! += r.duration_hist[i] ?? 0;
  }
  return out;
}

/** Cost of traces that made each decision (a trace counts once per distinct decision). */
function costByDecision(paths: Map<string, PathAcc>): CostBreakdown[] {
  const acc = new Map<string, { cost: number; traces: number }>();
  for (const [path, p] of paths) {
    if (path === '(no decision)') continue;
    for (const d of new Set(path.split(PATH_SEPARATOR))) {
      const a = acc.get(d) ?? { cost: 0, traces: 0 };
      a.cost += p.cost;
      a.traces += p.traces;
      acc.set(d, a);
    }
  }
  return [...acc].map(([name, a]) => ({ name, cost_usd: a.cost, count: a.traces, cost_per_unit: a.cost / a.traces })).sort((a, b) => b.cost_usd - a.cost_usd);
}

/** Cost of each agent's traces (count: traces). */
function costByAgent(rows: readonly PathRow[]): CostBreakdown[] {
  const acc = new Map<string, { cost: number; traces: number }>();
  for (const r of rows) {
    const a = acc.get(r.agent_id) ?? { cost: 0, traces: 0 };
    a.cost += r.cost_usd;
    a.traces += r.traces;
    acc.set(r.agent_id, a);
  }
  return [...acc].map(([name, a]) => ({ name, cost_usd: a.cost, count: a.traces, cost_per_unit: a.cost / a.traces })).sort((a, b) => b.cost_usd - a.cost_usd);
}

async function costByDimension(store: InsightStore & SpanStore, req: PathRequest, from: number, to: number, dim: Dimension): Promise<CostBreakdown[]> {
  const rows = await store.rollup({
    project: req.project,
    from,
    to,
    bucketMs: HOUR,
    groupBy: [dim],
    filter: req.agent === undefined ? {} : { agent: req.agent },
    histogram: false,
  });
  const acc = new Map<string, { cost: number; count: number }>();
  for (const r of rows) {
    const name = r.group[0];
    if (name === null || name === undefined) continue;
    const a = acc.get(name) ?? { cost: 0, count: 0 };
    a.cost += r.cost_usd;
    a.count += r.count;
    acc.set(name, a);
  }
  return [...acc].map(([name, a]) => ({ name, cost_usd: a.cost, count: a.count, cost_per_unit: a.cost / a.count })).sort((a, b) => b.cost_usd - a.cost_usd);
}

export async function costByPath(store: InsightStore & SpanStore, req: PathRequest): Promise<PathReport> {
  const from = Math.floor(req.from / HOUR) * HOUR;
  const to = Math.ceil(req.to / HOUR) * HOUR;
  const previous = { from: from - (to - from), to: from };
  const scan = { project: req.project, ...(req.agent !== undefined && { agent: req.agent }) };
  const end = Math.max(from, Math.min(to, req.now ?? Date.now()));
  const [current, before, byModel, first] = await Promise.all([
    store.insightPaths({ ...scan, from, to }),
    store.insightPaths({ ...scan, ...previous }),
    costByDimension(store, req, from, to, 'model'),
    firstDataMinute(store, req.project, previous.from, end, req.agent === undefined ? {} : { agent: req.agent }),
  ]);
  // The current hours have happened up to `end` (the last one is usually running) and hold data
  // from `first`; so do the previous hours. Spend per covered ms on both sides compares equal
  // lengths of time: 65 minutes of this hour against 65 minutes' worth of the hours before.
  const covered = first !== null && Math.max(from, first) < end ? { from: Math.max(from, first), to: end } : null;
  const prevCovered = covered && first !== null && first < from ? { from: Math.max(previous.from, first), to: previous.to } : null;
  const curMs = covered ? covered.to - covered.from : 0;
  const prevMs = prevCovered ? prevCovered.to - prevCovered.from : 0;
  const paths = mergeByPath(current);
  const prev = mergeByPath(before);
  let traces = 0;
  let cost = 0;
  let errors = 0;
  for (const p of paths.values()) {
    traces += p.traces;
    cost += p.cost;
    errors += p.errors;
  }
  const stats: PathStats[] = [...paths].map(([path, p]) => {
    const previousCost = prev.get(path)?.cost ?? 0;
    return {
      path,
      agents: [...p.agents].sort(),
      traces: p.traces,
      share: p.traces / traces,
      cost_usd: p.cost,
      mean_cost_usd: p.cost / p.traces,
      cost_share: cost > 0 ? p.cost / cost : 0,
      p95_ms: quantileFromHistogram(p.hist, 0.95),
      error_rate: p.errors / p.traces,
      tokens: p.tokens,
      previous_cost_usd: previousCost,
      cost_change: previousCost > 0 && curMs > 0 && prevMs > 0 ? p.cost / curMs / (previousCost / prevMs) - 1 : null,
    };
  });
  stats.sort((a, b) => b.cost_usd - a.cost_usd || (a.path < b.path ? -1 : 1));
  return {
    from,
    to,
    previous,
    covered,
    previous_covered: prevCovered,
    total: { traces, cost_usd: cost, error_traces: errors },
    paths: stats.slice(0, req.limit ?? 50),
    by_decision: costByDecision(paths),
    by_agent: costByAgent(current),
    by_model: byModel,
  };
}

