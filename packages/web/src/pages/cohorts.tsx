// Cohorts: split traffic by a dimension and compare each cohort's error rate with the rest —
// lift and a two-proportion z-test (Bonferroni-corrected); significantly failing cohorts stand out.

import { qs } from '../api/client';
import type { Series } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import { SelectFilter } from '../components/filters';
import { Panel } from '../components/panel';
import { fmtPercent } from '../format';
import { useRoute } from '../state/route';
import { rangeParams, timeRange } from '../state/time-range';
import { useApi, useLiveTick, type Load } from '../state/use-api';

const DIMENSIONS = ['agent', 'model', 'decision', 'span_type', 'provider'];

export interface CohortRow {
  cohort: string;
  spans: number;
  errors: number;
  rate: number;
  restRate: number;
  lift: number | null;
  p: number;
  failing: boolean;
}

/** Standard normal upper tail (Abramowitz–Stegun 7.1.26 erfc approximation, |error| < 1.5e-7). */
export function normalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

export function cohortRows(counts: Series[], errors: Series[]): CohortRow[] {
  const sum = (s: Series | undefined) => (s ? s.points.reduce((a, p) => a + (p[1] ?? 0), 0) : 0);
  const errBy = new Map(errors.map((s) => [s.group, sum(s)]));
  const cohorts = counts.map((s) => ({ cohort: s.group, spans: sum(s), errors: errBy.get(s.group) ?? 0 })).filter((c) => c.spans > 0);
  const N = cohorts.reduce((a, c) => a + c.spans, 0);
  const E = cohorts.reduce((a, c) => a + c.errors, 0);
  return cohorts.map((c) => {
    const rest = N - c.spans;
    const restErr = E - c.errors;
    const rate = c.errors / c.spans;
    const restRate = rest > 0 ? restErr / rest : 0;
    const pooled = E / N;
    const se = Math.sqrt(pooled * (1 - pooled) * (1 / c.spans + (rest > 0 ? 1 / rest : 0)));
    const z = se > 0 && rest > 0 ? (rate - restRate) / se : 0;
    const p = Math.min(1, normalTail(z) * cohorts.length);
    return { ...c, rate, restRate, lift: restRate > 0 ? rate / restRate : null, p, failing: p < 0.01 && rate > restRate };
  });
}

export function CohortsPage() {
  const route = useRoute();
  const t = timeRange(route);
  const tick = useLiveTick(t.relative);
  const dim = route.params.get('by') ?? 'model';
  const base = { ...rangeParams(t), interval: t.interval, group_by: dim };
  const counts = useApi<{ series: Series[] }>(`/api/timeseries${qs({ ...base, metric: 'count' })}`, tick);
  const errors = useApi<{ series: Series[] }>(`/api/timeseries${qs({ ...base, metric: 'errors' })}`, tick);
  const load: Load<CohortRow[]> =
    counts.status !== 'ok' ? counts : errors.status !== 'ok' ? errors : { status: 'ok', data: cohortRows(counts.data.series, errors.data.series), refreshing: false };
  const columns: Column<CohortRow>[] = [
    { key: 'cohort', label: dim, value: (r) => r.cohort, render: (r) => <span class={r.failing ? 'failing' : ''}>{r.failing && <span class="badge bad">failing</span>} {r.cohort}</span> },
    { key: 'spans', label: 'Spans', value: (r) => r.spans, render: (r) => r.spans.toLocaleString('en-US'), numeric: true },
    { key: 'rate', label: 'Error rate', value: (r) => r.rate, render: (r) => fmtPercent(r.rate), numeric: true },
    { key: 'restRate', label: 'Rest', value: (r) => r.restRate, render: (r) => fmtPercent(r.restRate), numeric: true },
    { key: 'lift', label: 'Lift', value: (r) => r.lift, render: (r) => (r.lift === null ? '—' : `${r.lift.toFixed(2)}×`), numeric: true },
    { key: 'p', label: 'p (corrected)', value: (r) => -r.p, render: (r) => (r.p < 0.001 ? '<0.001' : r.p.toFixed(3)), numeric: true },
  ];
  return (
    <div class="page">
      <h1>Cohorts</h1>
      <form class="filters" aria-label="Cohort attribute" onSubmit={(e) => e.preventDefault()}>
        <SelectFilter name="by" label="Split by" options={DIMENSIONS} />
      </form>
      <Panel title={`Error rate by ${dim}, each cohort against the rest`} load={load} wide isEmpty={(r) => r.length === 0}>
        {(r) => <DataTable rows={r} columns={columns} initialSort="p" label="Cohorts" rowKey={(x) => x.cohort} />}
      </Panel>
    </div>
  );
}
