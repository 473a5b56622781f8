// Agents: a sortable table (traffic, error rate, p95, cost, last seen, health) and a page per
// agent with the fleet charts filtered to it, its decision distribution, its scores (quality and
// their means over time, quality-panel.tsx) and recent traces.

import type { AgentTableReply } from '@sightline/api';
import { qs } from '../api/client';
import type { Overview, Series, TraceSummary } from '@sightline/api';
import { DataTable, type Column } from '../components/data-table';
import { Panel } from '../components/panel';
import { fmtAgo, fmtMs, fmtPercent, fmtUsd, fmtValue } from '../format';
import { hrefWith, useRoute } from '../state/route';
import { rangeParams, timeRange, type TimeRange } from '../state/time-range';
import { useApi, useLiveTick, useSeries, type Load } from '../state/use-api';
import { FleetView } from './fleet-view';
import { QualityPanel, ScoreTrend } from './quality-panel';
import { TraceTable } from './traces';

interface AgentRow {
  agent: string;
  spans: number;
  error_rate: number | null;
  p95: number | null;
  cost: number;
  last_seen: number | null;
}

type Health = 'good' | 'warn' | 'bad' | 'idle';

/** Red: errors at twice the fleet's rate (and over 5%); amber: 1.5×; grey: silent for 5 minutes. */
export function health(r: AgentRow, fleetErrorRate: number, now = Date.now()): Health {
  if (r.last_seen === null || now - r.last_seen > 5 * 60_000) return 'idle';
  const e = r.error_rate ?? 0;
  if (e > 0.05 && e > 2 * fleetErrorRate) return 'bad';
  if (e > 0.02 && e > 1.5 * fleetErrorRate) return 'warn';
  return 'good';
}


/** The table's rows in one grouped query (/api/agents), not one overview per agent. */
function useAgentRows(t: TimeRange, tick: number): Load<AgentRow[]> {
  const load = useApi<AgentTableReply>(`/api/agents${qs(rangeParams(t))}`, tick);
  if (load.status !== 'ok') return load;
  return { ...load, data: load.data.agents.map((a) => ({ agent: a.agent, spans: a.spans, error_rate: a.error_rate, p95: a.latency_p95_ms, cost: a.cost_usd, last_seen: a.last_seen })) };
}

export function AgentsPage() {
  const route = useRoute();
  const t = timeRange(route);
  const tick = useLiveTick(t.relative);
  const fleet = useApi<Overview>(`/api/overview${qs(rangeParams(t))}`, tick);
  const load = useAgentRows(t, tick);
  const fleetRate = fleet.status === 'ok' ? (fleet.data.current.error_rate ?? 0) : 0;
  const columns: Column<AgentRow>[] = [
    {
      key: 'health',
      label: 'Health',
      value: (r) => ['idle', 'good', 'warn', 'bad'].indexOf(health(r, fleetRate)),
      render: (r) => {
        const h = health(r, fleetRate);
        return (
          <span class={`health ${h}`} title={h}>
            <span class="dot" aria-hidden="true" /> <span class="sr-only">{h}</span>
          </span>
        );
      },
    },
    { key: 'agent', label: 'Agent', value: (r) => r.agent, render: (r) => <a href={hrefWith(`/agents/${encodeURIComponent(r.agent)}`)}>{r.agent}</a> },
    { key: 'spans', label: 'Spans', value: (r) => r.spans, render: (r) => r.spans.toLocaleString('en-US'), numeric: true },
    { key: 'error_rate', label: 'Error rate', value: (r) => r.error_rate, render: (r) => fmtValue(r.error_rate, 'rate'), numeric: true },
    { key: 'p95', label: 'p95 latency', value: (r) => r.p95, render: (r) => (r.p95 === null ? '—' : fmtMs(r.p95)), numeric: true },
    { key: 'cost', label: 'Cost', value: (r) => r.cost, render: (r) => fmtUsd(r.cost), numeric: true },
    { key: 'last_seen', label: 'Last seen', value: (r) => r.last_seen, render: (r) => (r.last_seen === null ? '—' : fmtAgo(r.last_seen)), numeric: true },
  ];
  return (
    <div class="page">
      <h1>Agents</h1>
      <Panel title={`Agents (fleet error rate ${fmtPercent(fleetRate)})`} load={load} wide isEmpty={(r) => r.length === 0} empty="No agent sent spans in this time range.">
        {(r) => <DataTable rows={r} columns={columns} initialSort="spans" label="Agents" rowKey={(x) => x.agent} />}
      </Panel>
    </div>
  );
}

export function DecisionBars({ series }: { series: Series[] }) {
  const totals = series.map((s) => ({ decision: s.group, n: s.points.reduce((a, p) => a + (p[1] ?? 0), 0) })).filter((d) => d.n > 0);
  const sum = totals.reduce((a, d) => a + d.n, 0) || 1;
  totals.sort((a, b) => b.n - a.n);
  return (
    <ul class="bars" aria-label="Decision distribution">
      {totals.map((d) => (
        <li key={d.decision} data-decision={d.decision} data-count={d.n}>
          <span class="bar-label">{d.decision}</span>
          <span class="bar-track">
            <span class="bar-fill" style={{ width: `${(d.n / sum) * 100}%` }} />
          </span>
          <span class="bar-value">
            {fmtPercent(d.n / sum)} <span class="muted">({d.n.toLocaleString('en-US')})</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

export function AgentPage({ agent }: { agent: string }) {
  const route = useRoute();
  const t = timeRange(route);
  const tick = useLiveTick(t.relative);
  const decisions = useSeries({ metric: 'count', group_by: 'decision', agent, has_decision: true }, t, tick);
  const traces = useApi<{ traces: TraceSummary[] }>(`/api/traces${qs({ ...rangeParams(t), agent, limit: 20 })}`, tick);
  return (
    <div class="page">
      <p>
        <a href={hrefWith('/agents')}>← Agents</a>
      </p>
      <h1>
        Agent <code>{agent}</code>
      </h1>
      <div class="grid">
        <FleetView t={t} tick={tick} agent={agent} />
        <Panel title="Decision distribution" load={decisions} isEmpty={(s) => s.every((x) => x.points.every((p) => !p[1]))} empty="This agent made no decisions in this range.">
          {(s) => <DecisionBars series={s} />}
        </Panel>
        <QualityPanel t={t} tick={tick} agent={agent} />
        <ScoreTrend t={t} tick={tick} agent={agent} />
        <Panel title="Recent traces" load={traces} wide isEmpty={(r) => r.traces.length === 0}>
          {(r) => <TraceTable traces={r.traces} />}
        </Panel>
      </div>
    </div>
  );
}
