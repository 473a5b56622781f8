// Decisions: each agent's top decisions and "other" over time, entropy per agent (falling = stuck on one choice)
// with the agents whose entropy dropped, decisions new in this range, confidence per decision with
// its trend, and cost by decision path. Everything comes from the insight
// engine (/api/insights/decisions and /api/insights/paths); nothing is recomputed here.

import { qs } from '../api/client';
import { DataTable, type Column } from '../components/data-table';
import { Panel } from '../components/panel';
import { TimeChart } from '../components/time-chart';
import { fmtChange, fmtDateTime, fmtInterval, fmtMs, fmtPercent, fmtUsd } from '../format';
import { useRoute } from '../state/route';
import { rangeParams, timeRange } from '../state/time-range';
import { useApi, useLiveTick } from '../state/use-api';
import type { DecisionReport, DecisionStats, PathReport, PathStats } from '@sightline/api';
import { DecisionMix } from './decision-mix';
import { entropySeries } from './insights-api';

const fmtNum = (v: number | null, digits = 2) => (v === null ? '—' : v.toFixed(digits));
const fmtSigned = (v: number | null, digits = 3) => (v === null ? '—' : (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(digits));

function NewDecisions({ report }: { report: DecisionReport }) {
  if (report.new_decisions.length === 0)
    return <div class="state empty">No decision was made for the first time in this range (looking back to {fmtDateTime(report.lookback.from)}).</div>;
  return (
    <ul class="new-decisions">
      {report.new_decisions.map((d) => (
        <li key={`${d.agent}|${d.decision}`} data-new-decision={d.decision} data-agent={d.agent} data-count={d.count}>
          <strong>{d.decision}</strong> by {d.agent}: first seen {fmtDateTime(d.first_seen)}, {d.count.toLocaleString('en-US')} times
        </li>
      ))}
    </ul>
  );
}

function EntropyDrops({ report }: { report: DecisionReport }) {
  if (report.entropy_drops.length === 0) return <p class="muted small">No agent's decision entropy fell by 0.5 bit or more against its baseline.</p>;
  return (
    <ul class="alerts">
      {report.entropy_drops.map((d) => (
        <li key={d.agent} data-entropy-drop={d.agent}>
          <span class="badge bad">entropy drop</span> <strong>{d.agent}</strong> {d.baseline_bits.toFixed(2)} → {d.current_bits.toFixed(2)} bits ({fmtSigned(d.change_bits, 2)})
          {d.lowest && <span class="muted small"> · lowest {d.lowest.bits.toFixed(2)} bits at {fmtDateTime(d.lowest.bucket)}</span>}
        </li>
      ))}
    </ul>
  );
}

interface ConfidenceRow extends DecisionStats {
  agent: string;
}

function confidenceRows(report: DecisionReport): ConfidenceRow[] {
  return report.agents.flatMap((a) => a.decisions.map((d) => ({ ...d, agent: a.agent })));
}

/** How the cost change column compares, in words: equal covered lengths, or plainly no previous period. */
export function pathsComparison(r: PathReport): string {
  if (r.covered === null) return '';
  if (r.previous_covered === null) return `Cost change: there is no previous period (the data begins ${fmtDateTime(r.covered.from)}).`;
  return `Cost change: spend per hour over the ${fmtInterval(r.covered.to - r.covered.from)} with data, against the ${fmtInterval(r.previous_covered.to - r.previous_covered.from)} with data before ${fmtDateTime(r.from)}.`;
}

export function DecisionsPage() {
  const route = useRoute();
  const t = timeRange(route);
  const tick = useLiveTick(t.relative);
  const decisions = useApi<DecisionReport>(`/api/insights/decisions${qs({ ...rangeParams(t), interval: t.interval })}`, tick);
  const paths = useApi<PathReport>(`/api/insights/paths${qs({ ...rangeParams(t), limit: 50 })}`, tick);
  const pathColumns: Column<PathStats>[] = [
    { key: 'path', label: 'Decision path', value: (r) => r.path },
    { key: 'traces', label: 'Traces', value: (r) => r.traces, render: (r) => r.traces.toLocaleString('en-US'), numeric: true },
    { key: 'share', label: 'Share', value: (r) => r.share, render: (r) => fmtPercent(r.share), numeric: true },
    { key: 'cost', label: 'Cost', value: (r) => r.cost_usd, render: (r) => fmtUsd(r.cost_usd), numeric: true },
    { key: 'cost_share', label: 'Cost share', value: (r) => r.cost_share, render: (r) => fmtPercent(r.cost_share), numeric: true },
    { key: 'mean', label: 'Mean / trace', value: (r) => r.mean_cost_usd, render: (r) => fmtUsd(r.mean_cost_usd), numeric: true },
    { key: 'error_rate', label: 'Error rate', value: (r) => r.error_rate, render: (r) => fmtPercent(r.error_rate), numeric: true },
    { key: 'p95', label: 'p95 duration', value: (r) => r.p95_ms, render: (r) => (r.p95_ms === null ? '—' : fmtMs(r.p95_ms)), numeric: true },
    {
      key: 'change',
      label: 'Cost change',
      value: (r) => r.cost_change,
      render: (r) => (r.cost_change === null ? <span class="muted">{r.previous_cost_usd > 0 ? '—' : paths.status === 'ok' && paths.data.previous_covered === null ? 'no previous period' : 'new'}</span> : <span class={r.cost_change > 0.2 ? 'failing' : ''}>{fmtChange(r.cost_change)}</span>),
      numeric: true,
    },
  ];
  const confColumns: Column<ConfidenceRow>[] = [
    { key: 'agent', label: 'Agent', value: (r) => r.agent },
    { key: 'decision', label: 'Decision', value: (r) => r.decision },
    { key: 'count', label: 'Count', value: (r) => r.count, render: (r) => r.count.toLocaleString('en-US'), numeric: true },
    { key: 'share', label: 'Share', value: (r) => r.share, render: (r) => `${fmtPercent(r.share)} (was ${fmtPercent(r.baseline_share)})`, numeric: true },
    { key: 'confidence', label: 'Confidence', value: (r) => r.confidence_avg, render: (r) => fmtNum(r.confidence_avg), numeric: true },
    { key: 'baseline', label: 'Baseline', value: (r) => r.baseline_confidence_avg, render: (r) => fmtNum(r.baseline_confidence_avg), numeric: true },
    {
      key: 'trend',
      label: 'Trend / hour',
      value: (r) => r.confidence_trend_per_hour,
      render: (r) => <span class={(r.confidence_trend_per_hour ?? 0) < -0.05 ? 'failing' : ''}>{fmtSigned(r.confidence_trend_per_hour)}</span>,
      numeric: true,
    },
  ];
  return (
    <div class="page">
      <h1>Decisions</h1>
      <div class="grid">
        <Panel title="Decisions per agent" load={decisions} isEmpty={(r) => r.agents.length === 0} wide>
          {(r) => <DecisionMix report={r} intervalMs={r.interval_ms} />}
        </Panel>
        <Panel title="Decision entropy per agent" load={decisions} isEmpty={(r) => r.agents.length === 0}>
          {(r) => (
            <>
              <EntropyDrops report={r} />
              <TimeChart title="Decision entropy per agent" series={entropySeries(r)} unit="ratio" yLabel="entropy (bits)" intervalMs={r.interval_ms} />
            </>
          )}
        </Panel>
        <Panel title="New decisions" load={decisions}>
          {(r) => <NewDecisions report={r} />}
        </Panel>
        <Panel title="Confidence per decision" load={decisions} wide isEmpty={(r) => r.agents.length === 0}>
          {(r) => (
            <>
              <p class="muted small">Mean confidence in this range against the lookback window; trend = least-squares slope of the bucket means, per hour.</p>
              <DataTable rows={confidenceRows(r)} columns={confColumns} initialSort="count" label="Confidence per decision" rowKey={(x) => `${x.agent}|${x.decision}`} />
            </>
          )}
        </Panel>
        <Panel title="Cost by decision path" load={paths} wide isEmpty={(r) => r.paths.length === 0}>
          {(r) => (
            <>
              <p class="muted small">
                {r.total.traces.toLocaleString('en-US')} traces, {fmtUsd(r.total.cost_usd)} in {fmtDateTime(r.from)} – {fmtDateTime(r.to)} (whole hours; a trace counts in the hour it started).{' '}
                <span data-paths-comparison>{pathsComparison(r)}</span>
              </p>
              <DataTable rows={r.paths} columns={pathColumns} initialSort="cost" label="Decision paths" rowKey={(x) => x.path} />
            </>
          )}
        </Panel>
      </div>
    </div>
  );
}
