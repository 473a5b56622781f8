// Decisions: share of each decision over time, entropy per agent (falling = stuck on one
// choice), decisions new in this range, mean confidence per decision, and cost by decision path.

import { qs } from '../api/client';
import type { Series, TraceSummary } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import { Panel } from '../components/panel';
import { TimeChart } from '../components/time-chart';
import { fmtDateTime, fmtMs, fmtPercent, fmtUsd } from '../format';
import { useRoute } from '../state/route';
import { rangeParams, timeRange } from '../state/time-range';
import { useApi, useLiveTick, useSeries, type Load } from '../state/use-api';

/** Each decision's share of all decisions per bucket (null where a bucket has none). */
export function shares(series: Series[]): Series[] {
  const n = series[0]?.points.length ?? 0;
  const totals = Array.from({ length: n }, (_, i) => series.reduce((a, s) => a + (s.points[i]?.[1] ?? 0), 0));
  return series.map((s) => ({ group: s.group, points: s.points.map(([t, v], i) => [t, totals[i] ? (v ?? 0) / totals[i]! : null]) }));
}

/** Shannon entropy (bits) of each agent's decision mix per bucket, from "agent | decision" series. */
export function entropyByAgent(series: Series[]): Series[] {
  const byAgent = new Map<string, Series[]>();
  for (const s of series) {
    const agent = s.group.split(' | ')[0]!;
    byAgent.set(agent, [...(byAgent.get(agent) ?? []), s]);
  }
  const out: Series[] = [];
  for (const [agent, list] of byAgent) {
    const points = list[0]!.points.map(([t], i) => {
      const counts = list.map((s) => s.points[i]?.[1] ?? 0);
      const total = counts.reduce((a, c) => a + c, 0);
      if (total === 0) return [t, null] as [number, number | null];
      return [t, -counts.reduce((a, c) => (c > 0 ? a + (c / total) * Math.log2(c / total) : a), 0)] as [number, number | null];
    });
    out.push({ group: agent, points });
  }
  return out.sort((a, b) => (a.group < b.group ? -1 : 1));
}

interface PathRow {
  path: string;
  traces: number;
  cost: number;
  meanCost: number;
  errorRate: number;
  p95: number;
}

/** Cost by decision path over a sample of traces (until the insight engine's exact endpoint exists). */
export function pathsFromTraces(traces: TraceSummary[]): PathRow[] {
  const groups = new Map<string, TraceSummary[]>();
  for (const t of traces) {
    const path = t.decisions.length ? t.decisions.join(' → ') : '(no decision)';
    groups.set(path, [...(groups.get(path) ?? []), t]);
  }
  return [...groups].map(([path, ts]) => {
    const durations = ts.map((t) => t.duration_ms).sort((a, b) => a - b);
    const cost = ts.reduce((a, t) => a + t.cost_usd, 0);
    return {
      path,
      traces: ts.length,
      cost,
      meanCost: cost / ts.length,
      errorRate: ts.filter((t) => t.error_count > 0).length / ts.length,
      p95: durations[Math.min(durations.length - 1, Math.ceil(0.95 * durations.length) - 1)]!,
    };
  });
}

const nonEmpty = (s: Series[]) => s.some((x) => x.points.some((p) => (p[1] ?? 0) > 0));

function NewDecisions({ load, from }: { load: Load<Series[]>; from: number }) {
  if (load.status !== 'ok') return null;
  const fresh = load.data
    .map((s) => ({ decision: s.group, first: s.points.find((p) => (p[1] ?? 0) > 0)?.[0] ?? null }))
    .filter((d) => d.first !== null && d.first >= from);
  if (fresh.length === 0) return <div class="state empty">No decision appeared for the first time in this range (compared with the previous period).</div>;
  return (
    <ul class="new-decisions">
      {fresh.map((d) => (
        <li key={d.decision} data-new-decision={d.decision}>
          <strong>{d.decision}</strong> first seen {fmtDateTime(d.first!)}
        </li>
      ))}
    </ul>
  );
}

export function DecisionsPage() {
  const route = useRoute();
  const t = timeRange(route);
  const tick = useLiveTick(t.relative);
  const decisionFilter = { span_type: 'decision' };
  const byDecision = useSeries({ metric: 'count', group_by: 'decision', ...decisionFilter }, t, tick);
  const byAgent = useSeries({ metric: 'count', group_by: 'agent,decision', ...decisionFilter }, t, tick);
  const confidence = useSeries({ metric: 'confidence_avg', group_by: 'decision', ...decisionFilter }, t, tick);
  const span = t.to - t.from;
  const history = useApi<{ series: Series[] }>(`/api/timeseries${qs({ metric: 'count', group_by: 'decision', span_type: 'decision', from: Math.floor(t.from - span), to: Math.floor(t.to), interval: t.interval })}`);
  const historyLoad: Load<Series[]> = history.status === 'ok' ? { status: 'ok', data: history.data.series, refreshing: false } : history;
  const traces = useApi<{ traces: TraceSummary[] }>(`/api/traces${qs({ ...rangeParams(t), limit: 1000 })}`, tick);
  const columns: Column<PathRow>[] = [
    { key: 'path', label: 'Decision path', value: (r) => r.path },
    { key: 'traces', label: 'Traces', value: (r) => r.traces, numeric: true },
    { key: 'cost', label: 'Total cost', value: (r) => r.cost, render: (r) => fmtUsd(r.cost), numeric: true },
    { key: 'meanCost', label: 'Mean cost', value: (r) => r.meanCost, render: (r) => fmtUsd(r.meanCost), numeric: true },
    { key: 'errorRate', label: 'Error rate', value: (r) => r.errorRate, render: (r) => fmtPercent(r.errorRate), numeric: true },
    { key: 'p95', label: 'p95 duration', value: (r) => r.p95, render: (r) => fmtMs(r.p95), numeric: true },
  ];
  return (
    <div class="page">
      <h1>Decisions</h1>
      <div class="grid">
        <Panel title="Decision share over time" load={byDecision} isEmpty={(s) => !nonEmpty(s)} wide>
          {(s) => <TimeChart title="Decision share over time" series={shares(s)} unit="percent" yLabel="share of decisions (%)" stacked />}
        </Panel>
        <Panel title="Decision entropy per agent" load={byAgent} isEmpty={(s) => !nonEmpty(s)}>
          {(s) => <TimeChart title="Decision entropy per agent" series={entropyByAgent(s)} unit="ratio" yLabel="entropy (bits)" />}
        </Panel>
        <Panel title="Mean confidence per decision" load={confidence} isEmpty={(s) => s.every((x) => x.points.every((p) => p[1] === null))}>
          {(s) => <TimeChart title="Mean confidence per decision" series={s} unit="ratio" yLabel="confidence (0–1)" />}
        </Panel>
        <Panel title="New decisions" load={historyLoad}>
          {() => <NewDecisions load={historyLoad} from={t.from} />}
        </Panel>
        <Panel title="Cost by decision path" load={traces} wide isEmpty={(r) => r.traces.length === 0}>
          {(r) => (
            <>
              <p class="muted small">From the {r.traces.length.toLocaleString('en-US')} most recent traces in this range.</p>
              <DataTable rows={pathsFromTraces(r.traces)} columns={columns} initialSort="cost" label="Decision paths" rowKey={(x) => x.path} />
            </>
          )}
        </Panel>
      </div>
    </div>
  );
}
