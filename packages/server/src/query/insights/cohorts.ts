// Behavioural cohorts: for each attribute key and value, the cohort against the rest of the same
// agents (so agent kinds with different base rates are not compared with each other), with the
// error-rate lift, a two-proportion z statistic, a one-sided Fisher exact p-value (valid when a
// cohort has only a handful of errors) and Benjamini–Hochberg over all cohorts.

import type { CohortContrastRow } from '../../store/store.js';
import type { InsightStore } from '../../store/insight-store.js';
import { HOUR } from '../read-rollups.js';
import { benjaminiHochberg, fisherExactGreater, twoProportionZTest, wilsonInterval } from './stats.js';
import type { Cohort, CohortReport } from '@sightline/api';

// The reply's types are the API contract's (@sightline/api): one definition for server and dashboard.
export type { Cohort, CohortReport };

export interface CohortRequest {
  project: string;
  from: number;
  to: number;
  /** Keys to split by; default every attribute key and user_id ('model' only when named). */
  keys?: string[];
  agent?: string;
  /** False discovery rate for "fails significantly more"; default 0.05. */
  fdr?: number;
  /** Practical significance: error rate at least this many times the rest's; default 1.25. */
  minLift?: number;
  /** … and at least this much higher in absolute terms; default 0.005 (half a percentage point). */
  minDiff?: number;
  /** Cohorts (and rests) smaller than this many units are not tested; default 30. */
  minUnits?: number;
  limit?: number;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

function compare(r: CohortContrastRow): Cohort {
  const c = r.cohort;
  const rest = r.rest;
  const test = twoProportionZTest(c.errors, c.n, rest.errors, rest.n);
  const ci = wilsonInterval(c.errors, c.n);
  const latency = c.latency_sum / c.n;
  const cost = c.cost_usd / c.n;
  return {
    key: r.key,
    value: r.value,
    unit: r.unit,
    agents: r.agents,
    n: c.n,
    errors: c.errors,
    error_rate: c.errors / c.n,
    error_rate_ci: [ci.low, ci.high],
    rest_n: rest.n,
    rest_error_rate: rest.errors / rest.n,
    lift: ratio(c.errors / c.n, rest.errors / rest.n),
    z: test.z,
    p: fisherExactGreater(c.errors, c.n, rest.errors, rest.n),
    q: 1,
    latency_avg_ms: latency,
    latency_lift: ratio(latency, rest.latency_sum / rest.n),
    cost_per_unit: cost,
    cost_lift: ratio(cost, rest.cost_usd / rest.n),
    confidence_avg: ratio(c.confidence_sum, c.confidence_count),
    rest_confidence_avg: ratio(rest.confidence_sum, rest.confidence_count),
  };
}

export async function analyseCohorts(store: InsightStore, req: CohortRequest): Promise<CohortReport> {
  const from = Math.floor(req.from / HOUR) * HOUR;
  const to = Math.ceil(req.to / HOUR) * HOUR;
  const explicit = req.keys !== undefined && req.keys.length > 0;
  // One row per cohort, already compared with the rest of its agents; cohorts or rests smaller
  // than minUnits are left out by the store.
  const rows = await store.insightCohortContrasts({
    project: req.project,
    from,
    to,
    ...(explicit && { keys: req.keys }),
    ...(req.agent !== undefined && { agent: req.agent }),
    minCount: req.minUnits ?? 30,
  });
  // Models have their own regression analysis; as a cohort key they must be asked for.
  const cohorts = rows.filter((r) => explicit || r.key !== 'model').map(compare);
  const q = benjaminiHochberg(cohorts.map((c) => c.p));
  cohorts.forEach((c, i) => (c.q = q[i]!));
  const fdr = req.fdr ?? 0.05;
  const minLift = req.minLift ?? 1.25;
  const minDiff = req.minDiff ?? 0.005;
  const excess = (c: Cohort) => (c.error_rate - c.rest_error_rate) * c.n;
  const failing = cohorts
    .filter((c) => c.q <= fdr && (c.lift === null || c.lift >= minLift) && c.error_rate - c.rest_error_rate >= minDiff)
    .sort((a, b) => excess(b) - excess(a));
  cohorts.sort((a, b) => a.q - b.q || excess(b) - excess(a));
  return { from, to, tested: cohorts.length, failing, cohorts: cohorts.slice(0, req.limit ?? 100) };
}
