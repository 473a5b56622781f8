// Behavioural cohorts: for each attribute key and value, the cohort against the rest of the same
// agents (so agent kinds with different base rates are not compared with each other), with the
// error-rate lift, a two-proportion z statistic, a one-sided Fisher exact p-value (valid when a
// cohort has only a handful of errors) and Benjamini–Hochberg over all cohorts.

import type { CohortRow, Store } from '../../store/store.js';
import { HOUR } from '../read-rollups.js';
import { benjaminiHochberg, fisherExactGreater, twoProportionZTest, wilsonInterval } from './stats.js';

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

interface Sums {
  n: number;
  errors: number;
  latency: number;
  cost: number;
  confidence_sum: number;
  confidence_count: number;
}

export interface Cohort {
  key: string;
  value: string;
  /** 'trace' when the key is on root spans (each trace counts once), else 'span'. */
  unit: 'trace' | 'span';
  agents: string[];
  n: number;
  errors: number;
  error_rate: number;
  error_rate_ci: [number, number];
  rest_n: number;
  rest_error_rate: number;
  /** error_rate / rest_error_rate (null when the rest has no errors). */
  lift: number | null;
  z: number;
  /** One-sided Fisher exact p-value for "fails more than the rest", and its BH-adjusted value. */
  p: number;
  q: number;
  latency_avg_ms: number;
  latency_lift: number | null;
  cost_per_unit: number;
  cost_lift: number | null;
  confidence_avg: number | null;
  rest_confidence_avg: number | null;
}

export interface CohortReport {
  from: number;
  to: number;
  tested: number;
  /** Cohorts that fail significantly (after BH) and materially more than the rest, worst first. */
  failing: Cohort[];
  cohorts: Cohort[];
}

const empty = (): Sums => ({ n: 0, errors: 0, latency: 0, cost: 0, confidence_sum: 0, confidence_count: 0 });

function add(s: Sums, r: CohortRow, unit: 'trace' | 'span'): void {
  s.n += unit === 'trace' ? r.traces : r.spans;
  s.errors += unit === 'trace' ? r.trace_errors : r.span_errors;
  s.latency += unit === 'trace' ? r.trace_latency_sum : r.span_latency_sum;
  s.cost += r.cost_usd;
  s.confidence_sum += r.confidence_sum;
  s.confidence_count += r.confidence_count;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

export async function analyseCohorts(store: Store, req: CohortRequest): Promise<CohortReport> {
  const from = Math.floor(req.from / HOUR) * HOUR;
  const to = Math.ceil(req.to / HOUR) * HOUR;
  const rows = await store.insightCohorts({
    project: req.project,
    from,
    to,
    ...(req.keys !== undefined && req.keys.length > 0 && { keys: req.keys }),
    ...(req.agent !== undefined && { agent: req.agent }),
    // Values too small to test stay out of the answer; their units still count in each key's totals.
    minCount: req.minUnits ?? 30,
  });
  const byKey = new Map<string, CohortRow[]>();
  const explicit = req.keys !== undefined && req.keys.length > 0;
  for (const r of rows) {
    // Models have their own regression analysis; as a cohort key they must be asked for.
    if (!explicit && r.key === 'model') continue;
    const list = byKey.get(r.key) ?? [];
    list.push(r);
    byKey.set(r.key, list);
  }
  const minUnits = req.minUnits ?? 30;
  const cohorts: Cohort[] = [];
  for (const [key, list] of byKey) {
    const unit = list.some((r) => r.traces > 0) ? 'trace' : 'span';
    // Per agent: totals of each value and of the whole key.
    const perAgent = new Map<string, Sums>();
    const perValue = new Map<string, Map<string, Sums>>();
    for (const r of list) {
      if (r.value === null) {
        const a = perAgent.get(r.agent_id) ?? empty();
        add(a, r, unit);
        perAgent.set(r.agent_id, a);
        continue;
      }
      const values = perValue.get(r.value) ?? new Map<string, Sums>();
      const v = values.get(r.agent_id) ?? empty();
      add(v, r, unit);
      values.set(r.agent_id, v);
      perValue.set(r.value, values);
    }
    for (const [value, agents] of perValue) {
      if (value === '(other)') continue;
      const c = empty();
      const rest = empty();
      const names: string[] = [];
      for (const [agent, s] of agents) {
        if (s.n === 0) continue;
        names.push(agent);
        const all = perAgent.get(agent)!;
        for (const k of Object.keys(c) as (keyof Sums)[]) {
          c[k] += s[k];
          rest[k] += all[k] - s[k];
        }
      }
      if (c.n < minUnits || rest.n < minUnits) continue;
      const test = twoProportionZTest(c.errors, c.n, rest.errors, rest.n);
      const ci = wilsonInterval(c.errors, c.n);
      const latency = c.latency / c.n;
      const cost = c.cost / c.n;
      cohorts.push({
        key,
        value,
        unit,
        agents: names.sort(),
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
        latency_lift: ratio(latency, rest.latency / rest.n),
        cost_per_unit: cost,
        cost_lift: ratio(cost, rest.cost / rest.n),
        confidence_avg: ratio(c.confidence_sum, c.confidence_count),
        rest_confidence_avg: ratio(rest.confidence_sum, rest.confidence_count),
      });
    }
  }
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
