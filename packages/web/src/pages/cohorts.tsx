// Cohorts: pick an attribute key (input_category, prompt_version, user_id, …) and see each value
// as a lift chart with its interval and a sentence per failing cohort; the alert incidents of the
// range are listed with why a cohort may not show them. Each value is
// against the rest of the same agents — error rate with its 95% interval, lift, Fisher p and the
// Benjamini–Hochberg q — from the insight engine (/api/insights/cohorts). Failing cohorts (q ≤ FDR,
// material lift) are listed first and highlighted.

import { qs } from '../api/client';
import { DataTable, type Column } from '../components/data-table';
import { Panel } from '../components/panel';
import { fmtMs, fmtPercent, fmtUsd } from '../format';
import { setParams, useRoute } from '../state/route';
import { rangeParams, timeRange } from '../state/time-range';
import { useApi, useLiveTick } from '../state/use-api';
import type { Cohort, CohortReport, IncidentsReply } from '@sightline/api';
import { cohortSentence, LiftChart } from './cohort-lift';

export const fmtP = (p: number) => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));
const fmtLift = (v: number | null) => (v === null ? '—' : `${v.toFixed(2)}×`);
const idOf = (c: Cohort) => `${c.key}=${c.value}`;

/** Keys in the reply: the failing ones first, then by name. */
export function keysOf(r: CohortReport): string[] {
  const failing = new Set(r.failing.map((c) => c.key));
  return [...new Set(r.cohorts.map((c) => c.key))].sort((a, b) => Number(failing.has(b)) - Number(failing.has(a)) || (a < b ? -1 : 1));
}

function FailingList({ r }: { r: CohortReport }) {
  if (r.failing.length === 0) return <div class="state empty">No cohort fails significantly more than the rest ({r.tested} tested).</div>;
  return (
    <ul class="alerts">
      {r.failing.map((c) => (
        <li key={idOf(c)} data-failing-cohort={idOf(c)}>
          <span class="badge bad">failing</span>{' '}
          <a href={`?${new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(location.search)), key: c.key }).toString()}`} onClick={(e) => (e.preventDefault(), setParams({ key: c.key }))}>
            <strong>
              {c.key} = {c.value}
            </strong>
          </a>
          <div data-cohort-sentence>{cohortSentence(c)}</div>
        </li>
      ))}
    </ul>
  );
}

/** Incidents open at any time in [from, to), newest first. */
export function inRange(r: IncidentsReply, from: number, to: number): IncidentsReply['incidents'] {
  return r.incidents.filter((i) => i.opened_at < to && (i.resolved_at === null || i.resolved_at >= from)).sort((a, b) => b.opened_at - a.opened_at);
}

/** Dimensions that are span columns, not attributes: cohorts never split by them. */
const NOT_COHORT = new Set(['decision', 'agent', 'span_type', 'provider']);

/**
 * Why an incident may have no failing cohort: cohorts compare attribute values (input_category,
 * prompt_version, user_id, model) over whole hours; an incident about a decision or an agent is a
 * dimension they do not split by, and one of a few minutes is diluted in its hour.
 */
export function incidentNote(i: IncidentsReply['incidents'][number]): string {
  const dims = Object.keys(i.cause ? { [i.cause.dimension]: i.cause.value } : i.scope);
  const outside = dims.filter((d) => NOT_COHORT.has(d));
  if (outside.length > 0) return `It is about ${outside.map((d) => `${d.replace('_', ' ')} ${(i.cause?.dimension === d ? i.cause.value : i.scope[d]) ?? '(none)'}`).join(' × ')}, which cohorts do not split by (they compare attribute values); see Decisions and Alerts.`;
  return 'Cohorts compare attribute values over whole hours: an incident of a few minutes is diluted in its hour.';
}

function IncidentNotes({ incidents }: { incidents: IncidentsReply['incidents'] }) {
  return (
    <ul class="alerts">
      {incidents.slice(0, 10).map((i) => (
        <li key={i.id} data-cohort-incident={i.id}>
          <span class={`badge ${i.status === 'open' ? 'bad' : ''}`}>{i.status}</span> <a href={`/alerts`}>{i.title}</a>
          <div class="muted small">{incidentNote(i)}</div>
        </li>
      ))}
    </ul>
  );
}

export function CohortsPage() {
  const route = useRoute();
  const t = timeRange(route);
  const tick = useLiveTick(t.relative);
  const load = useApi<CohortReport>(`/api/insights/cohorts${qs({ ...rangeParams(t), limit: 1000 })}`, tick);
  const incidents = useApi<IncidentsReply>('/api/incidents', tick);
  const keys = load.status === 'ok' ? keysOf(load.data) : [];
  const asked = route.params.get('key');
  const key = asked && keys.includes(asked) ? asked : (keys[0] ?? null);
  const failing = new Set(load.status === 'ok' ? load.data.failing.map(idOf) : []);
  const columns: Column<Cohort>[] = [
    {
      key: 'value',
      label: key ?? 'value',
      value: (r) => r.value,
      render: (r) => (
        <span class={failing.has(idOf(r)) ? 'failing' : ''} data-cohort={idOf(r)} data-failing={failing.has(idOf(r)) ? '1' : '0'}>
          {failing.has(idOf(r)) && <span class="badge bad">failing</span>} {r.value}
        </span>
      ),
    },
    { key: 'n', label: 'Units', value: (r) => r.n, render: (r) => `${r.n.toLocaleString('en-US')} ${r.unit}s`, numeric: true },
    { key: 'error_rate', label: 'Error rate (95% CI)', value: (r) => r.error_rate, render: (r) => `${fmtPercent(r.error_rate)} (${fmtPercent(r.error_rate_ci[0])}–${fmtPercent(r.error_rate_ci[1])})`, numeric: true },
    { key: 'rest', label: 'Rest', value: (r) => r.rest_error_rate, render: (r) => `${fmtPercent(r.rest_error_rate)} of ${r.rest_n.toLocaleString('en-US')}`, numeric: true },
    { key: 'lift', label: 'Lift', value: (r) => r.lift, render: (r) => fmtLift(r.lift), numeric: true },
    { key: 'p', label: 'p', value: (r) => -r.p, render: (r) => fmtP(r.p), numeric: true },
    { key: 'q', label: 'q (BH)', value: (r) => -r.q, render: (r) => fmtP(r.q), numeric: true },
    { key: 'latency', label: 'Latency', value: (r) => r.latency_avg_ms, render: (r) => `${fmtMs(r.latency_avg_ms)} (${fmtLift(r.latency_lift)})`, numeric: true },
    { key: 'cost', label: 'Cost / unit', value: (r) => r.cost_per_unit, render: (r) => `${fmtUsd(r.cost_per_unit)} (${fmtLift(r.cost_lift)})`, numeric: true },
  ];
  return (
    <div class="page">
      <h1>Cohorts</h1>
      <div class="grid">
        <Panel title="Failing cohorts" load={load} wide>
          {(r) => <FailingList r={r} />}
        </Panel>
        <Panel title="Incidents in this range" load={incidents} wide isEmpty={(x) => inRange(x, t.from, t.to).length === 0} empty="No alert incident was open in this range.">
          {(x) => <IncidentNotes incidents={inRange(x, t.from, t.to)} />}
        </Panel>
        <Panel title={key ? `Error rate by ${key}, each value against the rest of the same agents` : 'Cohorts'} load={load} wide isEmpty={(r) => r.cohorts.length === 0} empty="No attribute in this range has enough traffic to compare.">
          {(r) => (
            <>
              <form class="filters cohort-key" aria-label="Cohort attribute" onSubmit={(e) => e.preventDefault()}>
                <label class="filter">
                  Attribute
                  <select name="key" value={key ?? ''} onChange={(e) => setParams({ key: (e.target as HTMLSelectElement).value || null })}>
                    {keys.map((k) => (
                      <option key={k} value={k}>
                        {k}
                        {r.failing.some((c) => c.key === k) ? ' (failing)' : ''}
                      </option>
                    ))}
                  </select>
                </label>
                <span class="muted small">
                  {r.tested} cohorts tested across all keys; p: one-sided Fisher exact; q: Benjamini–Hochberg adjusted. Values past the per-hour cap are “(other)” and not tested.
                </span>
              </form>
              <LiftChart cohorts={r.cohorts.filter((c) => c.key === key).sort((a, b) => Number(failing.has(idOf(b))) - Number(failing.has(idOf(a))) || (b.lift ?? 0) - (a.lift ?? 0))} failing={failing} />
              <DataTable rows={r.cohorts.filter((c) => c.key === key)} columns={columns} initialSort="q" label="Cohorts" rowKey={idOf} />
            </>
          )}
        </Panel>
      </div>
    </div>
  );
}
