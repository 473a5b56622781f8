// Quality: the scores of the range (the fleet's on the overview, one agent's on its page). Per
// score name its mean (booleans: the share of yes) or its categories, its count, its change against
// the previous covered period, and the drift sentence of /api/insights/scores (against the 7 days
// before). The agent page adds each name's mean over time.

import type { ScoreInsightReply, ScoreNameSummary, ScoreRollupReply, ScoreSummaryReply } from '@sightline/api';
import { formatChange, formatCountOf, formatScoreChange, formatScoreMean, formatShareOf } from '@sightline/api';
import { qs } from '../api/client';
import { Panel } from '../components/panel';
import { TimeChart } from '../components/time-chart';
import { SLOW_REFRESH_MS } from '../state/live-ticks';
import { rangeParams, type TimeRange } from '../state/time-range';
import { useApi } from '../state/use-api';
import { meanSeries } from './score-series';

/** "yes 67% · no 33%", most frequent first. */
function distribution(labels: Record<string, number>): string {
  const total = Object.values(labels).reduce((a, n) => a + n, 0);
  return Object.entries(labels)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([label, n]) => `${label} ${formatShareOf(n, total)}`)
    .join(' · ');
}

function figure(n: ScoreNameSummary): string {
  return n.kind === 'category' ? distribution(n.current.labels) || 'n/a' : formatScoreMean(n.kind, n.current.mean);
}

function change(n: ScoreNameSummary): string {
  if (n.previous === null) return 'no previous period';
  if (n.mean_change !== null) return `${formatScoreChange(n.kind, n.mean_change)} (was ${formatScoreMean(n.kind, n.previous.mean)}, ${formatCountOf(n.previous.count, 'score')})`;
  if (n.current.count === 0) return `no scores (was ${formatCountOf(n.previous.count, 'score')})`;
  return `${formatChange(n.current.count / n.previous.count - 1)} scores (was ${distribution(n.previous.labels) || formatCountOf(n.previous.count, 'score')})`;
}

function DriftSentence({ t, tick, name, agent }: { t: TimeRange; tick: number; name: string; agent?: string }) {
  const load = useApi<ScoreInsightReply>(`/api/insights/scores${qs({ ...rangeParams(t), name, agent })}`, tick, { everyMs: SLOW_REFRESH_MS });
  if (load.status === 'ok') return <span data-drift={name}>{load.data.summary}</span>;
  if (load.status === 'error') return <span class="muted">could not compare: {load.error.message}</span>;
  return <span class="muted">…</span>;
}

function QualityTable({ names, t, tick, agent }: { names: ScoreNameSummary[]; t: TimeRange; tick: number; agent?: string }) {
  return (
    <div class="table-wrap">
      <table aria-label="Quality">
        <thead>
          <tr>
            <th>Score</th>
            <th class="num">Mean or share</th>
            <th class="num">Scores</th>
            <th>Change vs previous period</th>
            <th>Against the 7 days before</th>
          </tr>
        </thead>
        <tbody>
          {names.map((n) => (
            <tr key={n.name} data-score-name={n.name}>
              <td>
                {n.name} <span class="muted small">{n.kind}</span>
              </td>
              <td class="num">{figure(n)}</td>
              <td class="num">{formatCountOf(n.current.count, 'score')}</td>
              <td>{change(n)}</td>
              <td class="drift">{n.kind === 'category' ? <span class="muted">categories have no mean</span> : <DriftSentence t={t} tick={tick} name={n.name} {...(agent !== undefined && { agent })} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function QualityPanel({ t, tick, agent }: { t: TimeRange; tick: number; agent?: string }) {
  const load = useApi<ScoreSummaryReply>(`/api/scores/summary${qs({ ...rangeParams(t), agent })}`, tick, { everyMs: SLOW_REFRESH_MS });
  return (
    <Panel title="Quality" load={load} wide isEmpty={(r) => r.names.length === 0} empty={`No score judges ${agent === undefined ? 'a trace' : "this agent's traces"} in this time range. Send scores with POST /v1/scores, the SDKs' score() and feedback(), or GenAI evaluation events.`}>
      {(r) => <QualityTable names={r.names} t={t} tick={tick} {...(agent !== undefined && { agent })} />}
    </Panel>
  );
}

export function ScoreTrend({ t, tick, agent }: { t: TimeRange; tick: number; agent: string }) {
  const bucket = t.intervalMs >= 60_000 ? t.interval : '1m';
  const load = useApi<ScoreRollupReply>(`/api/scores/rollup${qs({ ...rangeParams(t), agent, group_by: 'name', bucket })}`, tick, { everyMs: SLOW_REFRESH_MS });
  return (
    <Panel title="Scores over time" load={load} wide isEmpty={(r) => meanSeries(r).length === 0} empty="No numeric score judges this agent's traces in this time range.">
      {(r) => <TimeChart title="Mean score per bucket by name" series={meanSeries(r)} unit="ratio" yLabel="mean score" intervalMs={r.bucket_ms} />}
    </Panel>
  );
}
