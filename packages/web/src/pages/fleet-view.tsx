// KPIs and the main charts for the whole fleet or one agent (the overview and the agent page
// share it): spans/min, error rate, p95, cost/hour, tokens/min, active agents, each against the
// previous period; error rate and p95 over time with their baseline band; cost per hour by model.

import { useEffect } from 'preact/hooks';
import { qs } from '../api/client';
import type { Overview, Point, Series } from '../api/types';
import { Kpi } from '../components/kpi';
import { Panel } from '../components/panel';
import { TimeChart } from '../components/time-chart';
import type { TimeRange } from '../state/time-range';
import { rangeParams } from '../state/time-range';
import { useApi, useSeries, type Load } from '../state/use-api';
import { useBaseline } from './insights-api';

function only(load: Load<Series[]>): Point[] | null {
  return load.status === 'ok' ? (load.data[0]?.points ?? []) : null;
}

/** Per-minute rate from per-bucket totals, so sparklines read in the KPI's unit. */
function perMinute(points: Point[] | null, intervalMs: number): Point[] | null {
  return points && points.map(([t, v]) => [t, v === null ? null : v / (intervalMs / 60_000)]);
}

/** Active agents per bucket: agents with at least one span. */
function activeAgents(load: Load<Series[]>): Point[] | null {
  if (load.status !== 'ok' || load.data.length === 0) return null;
  return load.data[0]!.points.map(([t], i) => [t, load.data.filter((s) => (s.points[i]?.[1] ?? 0) > 0).length]);
}

export function perHour(series: Series[], intervalMs: number): Series[] {
  const f = 3_600_000 / intervalMs;
  return series.map((s) => ({ group: s.group, points: s.points.map(([t, v]) => [t, v === null ? null : v * f]) }));
}

const allNull = (s: Series[]) => s.every((x) => x.points.every((p) => p[1] === null || p[1] === 0));

export function FleetView({ t, tick, agent = null, onComplete }: { t: TimeRange; tick: number; agent?: string | null; onComplete?: () => void }) {
  const overview = useApi<Overview>(`/api/overview${qs({ ...rangeParams(t), agent })}`, tick);
  const count = useSeries({ metric: 'count', agent }, t, tick);
  const errorRate = useSeries({ metric: 'error_rate', agent }, t, tick);
  const p95 = useSeries({ metric: 'latency_p95', agent }, t, tick);
  const costByModel = useSeries({ metric: 'cost', group_by: 'model', agent }, t, tick);
  const tokens = useSeries({ metric: 'tokens', agent }, t, tick);
  const agents = useSeries(agent ? null : { metric: 'count', group_by: 'agent' }, t, tick);
  const errBand = useBaseline('error_rate', t, agent, tick);
  const p95Band = useBaseline('latency_p95', t, agent, tick);

  const loads = [overview, count, errorRate, p95, costByModel, tokens];
  const done = loads.every((l) => l.status !== 'loading');
  useEffect(() => {
    if (done) onComplete?.();
  }, [done]);

  const costTotal: Point[] | null =
    costByModel.status === 'ok' && costByModel.data.length > 0
      ? costByModel.data[0]!.points.map(([ts], i) => [ts, costByModel.data.reduce((a, s) => a + (s.points[i]?.[1] ?? 0), 0) * (3_600_000 / t.intervalMs)])
      : null;

  return (
    <>
      <Panel title="Key indicators" load={overview} wide id="kpis">
        {(o) => (
          <div class="kpis">
            <Kpi id="spans_per_min" label="Spans / min" value={o.current.spans_per_min} change={o.change.spans_per_min} unit="count" upIsGood trend={perMinute(only(count), t.intervalMs)} />
            <Kpi id="error_rate" label="Error rate" value={o.current.error_rate} change={o.change.error_rate} unit="rate" upIsGood={false} trend={only(errorRate)} />
            <Kpi id="latency_p95_ms" label="p95 latency" value={o.current.latency_p95_ms} change={o.change.latency_p95_ms} unit="ms" upIsGood={false} trend={only(p95)} />
            <Kpi id="cost_per_hour" label="Cost / hour" value={o.current.cost_per_hour} change={o.change.cost_per_hour} unit="usd" upIsGood={false} trend={costTotal} />
            <Kpi id="tokens_per_min" label="Tokens / min" value={o.current.tokens_per_min} change={o.change.tokens_per_min} unit="count" upIsGood trend={perMinute(only(tokens), t.intervalMs)} />
            {!agent && <Kpi id="active_agents" label="Active agents" value={o.current.active_agents} change={o.change.active_agents} unit="count" upIsGood trend={activeAgents(agents)} />}
          </div>
        )}
      </Panel>
      <Panel title="Error rate" load={errorRate} isEmpty={allNull} actions={<BandNote band={errBand} />}>
        {(s) => <TimeChart title="Error rate" series={s} unit="rate" yLabel="errors / spans (%)" band={errBand.band} />}
      </Panel>
      <Panel title="p95 latency" load={p95} isEmpty={allNull} actions={<BandNote band={p95Band} />}>
        {(s) => <TimeChart title="p95 latency" series={s} unit="ms" yLabel="latency (ms)" band={p95Band.band} />}
      </Panel>
      <Panel title="Cost per hour by model" load={costByModel} isEmpty={allNull} wide>
        {(s) => <TimeChart title="Cost per hour by model" series={perHour(s, t.intervalMs)} unit="usd" yLabel="USD / hour" stacked />}
      </Panel>
    </>
  );
}

function BandNote({ band }: { band: ReturnType<typeof useBaseline> }) {
  if (band.status === 'ok') return <span class="muted small">shaded: expected range (baseline)</span>;
  if (band.status === 'unavailable') return <span class="muted small">baseline band: not available on this server</span>;
  return null;
}
