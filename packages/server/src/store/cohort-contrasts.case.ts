// Reference for Store.insightCohortContrasts, used by the insight conformance suite
// (insight.case.ts): the contrasts computed in plain TypeScript from per-agent cohort rows (which
// the suite itself computes from the spans), and a matcher with exact counts.

import { expect } from 'vitest';
import { cmp } from './insight-reference.case.js';
import { COHORT_SUMS, type CohortContrastRow, type CohortRow, type CohortSide } from './store.js';

type Sums = Record<(typeof COHORT_SUMS)[number], number>;

const zero = (): Sums => Object.fromEntries(COHORT_SUMS.map((c) => [c, 0])) as Sums;

function side(s: Sums, unit: 'trace' | 'span'): CohortSide {
  const t = unit === 'trace';
  return {
    n: t ? s.traces : s.spans,
    errors: t ? s.trace_errors : s.span_errors,
    latency_sum: t ? s.trace_latency_sum : s.span_latency_sum,
    cost_usd: s.cost_usd,
    confidence_sum: s.confidence_sum,
    confidence_count: s.confidence_count,
  };
}

/**
 * Contrasts from CohortRows of every value (minCount 0: per agent × value, plus each agent's
 * total with value null): per value, the agents with at least one unit of it, the cohort's sums
 * and the rest = those agents' totals minus the cohort; '(other)' and small sides left out.
 */
export function expectedContrasts(rows: readonly CohortRow[], minCount: number): CohortContrastRow[] {
  const totals = new Map<string, Sums>();
  const traced = new Set<string>();
  for (const r of rows) {
    if (r.value !== null) continue;
    totals.set(JSON.stringify([r.agent_id, r.key]), r);
    if (r.traces > 0) traced.add(r.key);
  }
  const out = new Map<string, CohortContrastRow>();
  for (const r of rows) {
    if (r.value === null || r.value === '(other)') continue;
    const unit = traced.has(r.key) ? 'trace' : 'span';
    const mine = side(r, unit);
    if (mine.n === 0) continue;
    const all = side(totals.get(JSON.stringify([r.agent_id, r.key]))!, unit);
    const id = JSON.stringify([r.key, r.value]);
    const c = out.get(id) ?? { key: r.key, value: r.value, unit, agents: [], cohort: side(zero(), unit), rest: side(zero(), unit) };
    c.agents.push(r.agent_id);
    for (const f of Object.keys(mine) as (keyof CohortSide)[]) {
      c.cohort[f] += mine[f];
      c.rest[f] += all[f] - mine[f];
    }
    out.set(id, c);
  }
  return [...out.values()]
    .filter((c) => c.cohort.n >= minCount && c.rest.n >= minCount)
    .map((c) => ({ ...c, agents: c.agents.sort(cmp) }))
    .sort((a, b) => cmp(a.key, b.key) || cmp(a.value, b.value));
}

const FLOATS = new Set<keyof CohortSide>(['latency_sum', 'cost_usd', 'confidence_sum']);

/** Same cohorts in the same order, same agents and units; counts exact, float sums to 1e-9 of the key's scale. */
export function expectContrastsMatch(rows: readonly CohortContrastRow[], expected: readonly CohortContrastRow[]): void {
  const ids = (rs: readonly CohortContrastRow[]) => rs.map((r) => `${r.key}|${r.value}|${r.unit}|${r.agents.join(',')}`);
  expect(ids(rows)).toEqual(ids(expected));
  rows.forEach((r, i) => {
    const e = expected[i]!;
    for (const f of Object.keys(e.cohort) as (keyof CohortSide)[]) {
      // The rest is a difference of sums, so its rounding error scales with the agents' totals.
      const scale = Math.max(1, Math.abs(e.cohort[f]) + Math.abs(e.rest[f]));
      for (const s of ['cohort', 'rest'] as const) {
        if (FLOATS.has(f)) expect(Math.abs(r[s][f] - e[s][f]), `${ids([r])[0]} ${s}.${f}`).toBeLessThanOrEqual(1e-9 * scale);
        else expect(r[s][f], `${ids([r])[0]} ${s}.${f}`).toBe(e[s][f]);
      }
    }
  });
}
