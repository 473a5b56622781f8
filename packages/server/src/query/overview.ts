// Fleet KPIs for a range, next to the previous range of equal length.

import type { SpanFilter } from '../store/store.js';
import type { SpanStore } from '../store/span-store.js';
import { addFigures, emptyFigures, type Figures } from '../store/figures.js';
import { metricValue } from './aggregate.js';
import { readRollupsExact } from './read-rollups.js';

export interface Kpis {
  spans: number;
  spans_per_min: number;
  errors: number;
  error_rate: number | null;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  cost_usd: number;
  cost_per_hour: number;
  tokens: number;
  tokens_per_min: number;
  active_agents: number;
}

export interface Overview {
  from: number;
  to: number;
  current: Kpis;
  previous: Kpis;
  /** Relative change current/previous − 1 per KPI; null where the previous value is 0 or null. */
  change: Record<keyof Kpis, number | null>;
}

async function kpis(store: SpanStore, project: string, from: number, to: number, filter: SpanFilter): Promise<Kpis> {
  // Totals with the latency histogram, and agents without it: the histogram is 64 columns, so
  // reading it per agent would multiply the rows that cross from the store for one figure.
  // Collapsed: one row per group (and per edge or hour part of the range), not one per hour.
  const [rows, byAgent] = await Promise.all([
    readRollupsExact(store, { project, from, to, groupBy: [], filter, collapse: true }),
    readRollupsExact(store, { project, from, to, groupBy: ['agent'], filter, histogram: false, collapse: true }),
  ]);
  const total: Figures = emptyFigures();
  for (const r of rows) addFigures(total, r);
  const agents = new Set(byAgent.filter((r) => r.count > 0).map((r) => r.group[0] ?? ''));
  const minutes = (to - from) / 60_000;
  const tokens = total.tokens_input + total.tokens_output;
  return {
    spans: total.count,
    spans_per_min: total.count / minutes,
    errors: total.errors,
    error_rate: metricValue('error_rate', total),
    latency_p50_ms: metricValue('latency_p50', total),
    latency_p95_ms: metricValue('latency_p95', total),
    cost_usd: total.cost_usd,
    cost_per_hour: total.cost_usd / (minutes / 60),
    tokens,
    tokens_per_min: tokens / minutes,
    active_agents: agents.size,
  };
}

/** KPIs of the spans matching `filter` (the whole fleet by default); the dashboard's agent page passes `{ agent }`. */
export async function overview(store: SpanStore, project: string, from: number, to: number, filter: SpanFilter = {}): Promise<Overview> {
  const [current, previous] = await Promise.all([
    kpis(store, project, from, to, filter),
    kpis(store, project, from - (to - from), from, filter),
  ]);
  const change = {} as Record<keyof Kpis, number | null>;
  for (const k of Object.keys(current) as (keyof Kpis)[]) {
    const p = previous[k];
    const c = current[k];
    change[k] = p === null || c === null || p === 0 ? null : c / p - 1;
  }
  return { from, to, current, previous, change };
}
