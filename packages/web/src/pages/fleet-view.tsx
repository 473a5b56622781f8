// KPIs and the main charts for the whole fleet or one agent (the overview and the agent page
// share it): spans/min, error rate, p95, cost/hour, tokens/min, active agents, each against the
// previous period; error rate and p95 over time with their baseline band (from the insight
// engine's /api/insights/regressions, one group at a time: the band is per group); cost per hour by model.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { qs } from '../api/client';
import type { Overview, Point, Series } from '@sightline/api';
import { Kpi } from '../components/kpi';
import { Panel } from '../components/panel';
import { TimeChart } from '../components/time-chart';
import type { TimeRange } from '../state/time-range';
import { rangeParams } from '../state/time-range';
import { useApi, useSeries, type Load } from '../state/use-api';
import { bandedSeries, defaultGroup, useRegressions } from './insights-api';
import type { Unit } from '../format';

function only(load: Load<Series[]>): Point[] | null {
  return load.status === 'ok' ? (load.data[0]?.points ?? []) : null;
}

/**
 * The time a bucket has had data for: its width, or for the newest bucket still filling, the part
 * up to now. Totals divided by it give rates that do not dip at the chart's right edge.
 */
export function coveredMs(bucket: number, intervalMs: number, now: number): number {
  return Math.max(1_000, Math.min(intervalMs, now - bucket));
}

/** Per-minute rate from per-bucket totals, so sparklines read in the KPI's unit. */
function perMinute(points: Point[] | null, intervalMs: number, now = Date.now()): Point[] | null {
  return points && points.map(([t, v]) => [t, v === null ? null : v / (coveredMs(t, intervalMs, now) / 60_000)]);
}

/** Active agents per bucket: agents with at least one span. */
function activeAgents(load: Load<Series[]>): Point[] | null {
  if (load.status !== 'ok' || load.data.length === 0) return null;
  return load.data[0]!.points.map(([t], i) => [t, load.data.filter((s) => (s.points[i]?.[1] ?? 0) > 0).length]);
}

export function perHour(series: Series[], intervalMs: number, now = Date.now()): Series[] {
  return series.map((s) => ({ group: s.group, points: s.points.map(([t, v]) => [t, v === null ? null : (v * 3_600_000) / coveredMs(t, intervalMs, now)]) }));
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
  const loads = [overview, count, errorRate, p95, costByModel, tokens];
  const [bandsSettled, setBandsSettled] = useState(0);
  const settled = () => setBandsSettled((n) => n + 1);
  const done = loads.every((l) => l.status !== 'loading') && bandsSettled >= 2;
  useEffect(() => {
    if (done) onComplete?.();
  }, [done]);

  // Rates of the running bucket are over the time it had covered when its answer came: taken at
  // each render instead, every other panel's answer redrew the cost chart with a new last value.
  const now = useMemo(() => Date.now(), [costByModel]);
  const costTotal: Point[] | null =
    costByModel.status === 'ok' && costByModel.data.length > 0
      ? costByModel.data[0]!.points.map(([ts], i) => [ts, (costByModel.data.reduce((a, s) => a + (s.points[i]?.[1] ?? 0), 0) * 3_600_000) / coveredMs(ts, t.intervalMs, now)])
      : null;

  return (
    <>
      <Panel title="Key indicators" load={overview} wide id="kpis">
        {(o) => (
          <div class="kpis">
            <Kpi id="spans_per_min" label="Spans / min" value={o.current.spans_per_min} change={o.change.spans_per_min} previous={o.previous_covered ? o.previous.spans_per_min : undefined} unit="count" upIsGood trend={perMinute(only(count), t.intervalMs)} />
            <Kpi id="error_rate" label="Error rate" value={o.current.error_rate} change={o.change.error_rate} previous={o.previous_covered ? o.previous.error_rate : undefined} unit="rate" upIsGood={false} trend={only(errorRate)} />
            <Kpi id="latency_p95_ms" label="p95 latency" value={o.current.latency_p95_ms} change={o.change.latency_p95_ms} previous={o.previous_covered ? o.previous.latency_p95_ms : undefined} unit="ms" upIsGood={false} trend={only(p95)} />
            <Kpi id="cost_per_hour" label="Cost / hour" value={o.current.cost_per_hour} change={o.change.cost_per_hour} previous={o.previous_covered ? o.previous.cost_per_hour : undefined} unit="usd" upIsGood={false} trend={costTotal} />
            <Kpi id="tokens_per_min" label="Tokens / min" value={o.current.tokens_per_min} change={o.change.tokens_per_min} previous={o.previous_covered ? o.previous.tokens_per_min : undefined} unit="count" upIsGood trend={perMinute(only(tokens), t.intervalMs)} />
            {!agent && <Kpi id="active_agents" label="Active agents" value={o.current.active_agents} change={o.change.active_agents} previous={o.previous_covered ? o.previous.active_agents : undefined} unit="count" upIsGood trend={activeAgents(agents)} />}
          </div>
        )}
      </Panel>
      <BandPanel title="Error rate" metric="error_rate" unit="rate" yLabel="error rate" dims={['agent', 'decision', 'model']} t={t} tick={tick} agent={agent} onSettled={settled} />
      <BandPanel title="p95 latency" metric="latency_p95" unit="ms" yLabel="p95 latency" dims={['model', 'agent', 'decision']} t={t} tick={tick} agent={agent} onSettled={settled} />
      <Panel title="Cost per hour by model" load={costByModel} isEmpty={allNull} wide>
        {(s) => <TimeChart title="Cost per hour by model" series={perHour(s, t.intervalMs, now)} unit="usd" yLabel="cost per hour" stacked intervalMs={t.intervalMs} />}
      </Panel>
    </>
  );
}

const DIM_LABEL: Record<string, string> = { agent: 'agent', model: 'model', decision: 'decision' };

/**
 * A metric of one group against its baseline band, as the insight engine scores it: the line,
 * the expected range (shaded) and the buckets above / below it (dots). On an agent's page the
 * group is that agent; on the fleet overview the user picks the dimension and the group, and the
 * worst regression's group is shown first.
 */
function BandPanel(props: { title: string; metric: string; unit: Unit; yLabel: string; dims: string[]; t: TimeRange; tick: number; agent: string | null; onSettled: () => void }) {
  const { title, metric, unit, yLabel, dims, t, tick, agent } = props;
  const [dim, setDim] = useState(dims[0]!);
  const [picked, setPicked] = useState<string | null>(null);
  const groupBy = agent ? 'agent' : dim;
  const load = useRegressions(metric, groupBy, t, agent, tick);
  const settled = load.status !== 'loading';
  useEffect(() => {
    if (settled) props.onSettled();
  }, [settled]);
  return (
    <Panel title={title} load={load} isEmpty={(r) => r.series.length === 0} empty="No spans in this range.">
      {(r) => {
        const group = picked !== null && r.series.some((s) => s.group === picked) ? picked : defaultGroup(r)!;
        const b = bandedSeries(r, group)!;
        const worse = r.regressions.filter((x) => x.worse && x.group === group).length;
        return (
          <div class="band-chart" data-band-group={group} data-band-dim={groupBy}>
            <div class="band-controls">
              {!agent && (
                <label class="filter">
                  by
                  <select aria-label={`${title}: dimension`} value={dim} onChange={(e) => (setDim((e.target as HTMLSelectElement).value), setPicked(null))}>
                    {dims.map((d) => (
                      <option key={d} value={d}>
                        {DIM_LABEL[d] ?? d}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              {!agent && (
                <label class="filter">
                  {DIM_LABEL[groupBy] ?? groupBy}
                  <select aria-label={`${title}: group`} value={group} onChange={(e) => setPicked((e.target as HTMLSelectElement).value)}>
                    {r.series.map((s) => (
                      <option key={s.group} value={s.group}>
                        {s.group}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              <span class="muted small">
                shaded: expected range from the baseline
                {b.outOfBand > 0 ? ` · ${b.outOfBand} bucket${b.outOfBand === 1 ? '' : 's'} outside it${worse ? `, ${worse} significantly worse` : ''}` : ' · all inside'}
              </span>
            </div>
            <TimeChart title={title} series={b.series} unit={unit} yLabel={yLabel} band={b.band} marks={b.marks} intervalMs={Math.max(300_000, t.intervalMs)} />
          </div>
        );
      }}
    </Panel>
  );
}
