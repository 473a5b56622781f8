// Fleet KPIs for a range, next to the previous period of equal covered length. Rates (per minute,
// per hour) are over the time that has data: a 7-day view of a project that began 6 hours ago
// divides by 6 hours, not 7 days, and compares them with the 6 hours before (none: no previous
// period), so a fresh deployment never reads as a collapse.

import type { SpanFilter } from '../store/store.js';
import type { SpanStore } from '../store/span-store.js';
import { addFigures, emptyFigures, type Figures } from '../store/figures.js';
import { metricValue } from './aggregate.js';
import { coveredPeriods, type Covered } from './covered.js';
import { MINUTE, readRollupsExact } from './read-rollups.js';

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
  /** The time the current figures are over; null when the range has no span. */
  covered: Covered | null;
  /** The period the change compares with: as long as `covered`, right before it; null when no span lies in it. */
  previous_covered: Covered | null;
  current: Kpis;
  previous: Kpis;
  /**
   * Relative change per KPI, of totals as rates over covered time (so equal lengths are compared);
   * null where there is no previous period or its value is 0 or null.
   */
  change: Record<keyof Kpis, number | null>;
}

async function kpis(store: SpanStore, project: string, from: number, to: number, filter: SpanFilter, coveredMs: number): Promise<Kpis> {
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
  const minutes = Math.max(coveredMs, MINUTE) / MINUTE;
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

/** Totals compare as rates over their covered time; rates and percentiles as they are. */
const TOTALS = new Set<keyof Kpis>(['spans', 'errors', 'cost_usd', 'tokens']);

/**
 * KPIs of the spans matching `filter` (the whole fleet by default; the dashboard's agent page
 * passes `{ agent }`), over the covered part of [from, min(to, now)).
 */
export async function overview(store: SpanStore, project: string, from: number, to: number, filter: SpanFilter = {}, now = Date.now()): Promise<Overview> {
  const { covered, previous: previousCovered, start, end, length } = await coveredPeriods(store, project, from, to, now, filter);
  const prevFrom = start - length;
  const [current, previous] = await Promise.all([
    kpis(store, project, start, end, filter, length),
    kpis(store, project, prevFrom, start, filter, previousCovered ? previousCovered.to - previousCovered.from : length),
  ]);
  const change = {} as Record<keyof Kpis, number | null>;
  const perMs = (k: keyof Kpis, x: Kpis, c: Covered | null) => (TOTALS.has(k) && c ? (x[k] as number) / (c.to - c.from) : x[k]);
  for (const k of Object.keys(current) as (keyof Kpis)[]) {
    const p = previousCovered ? perMs(k, previous, previousCovered) : null;
    const c = perMs(k, current, covered);
    change[k] = p === null || c === null || p === 0 ? null : c / p - 1;
  }
  return { from, to, covered, previous_covered: previousCovered, current, previous, change };
}
