// Fleet overview: KPIs, error rate and p95 with baseline bands, cost by model, firing alerts,
// the insight engine's top correlated findings, and quality (scores: quality-panel.tsx). Marks "overview-complete" for the benchmark.

import { useRef } from 'preact/hooks';
import { qs } from '../api/client';
import type { AlertsReply, Overview, TraceSummary } from '@sightline/api';
import { Panel } from '../components/panel';
import { useRoute } from '../state/route';
import { rangeParams, timeRange } from '../state/time-range';
import { SLOW_REFRESH_MS } from '../state/live-ticks';
import { useApi, useLiveTick } from '../state/use-api';
import { AlertList } from './alerts';
import { FirstRun } from './first-run';
import { FleetView } from './fleet-view';
import { FindingList, type FindingsReply } from './findings';
import { QualityPanel } from './quality-panel';

export function OverviewPage() {
  const route = useRoute();
  const t = timeRange(route);
  const tick = useLiveTick(t.relative);
  const fleet = useApi<Overview>(`/api/overview${qs(rangeParams(t))}`, tick);
  // Only when this range and the one before are empty: look for any span at all (first run).
  const quiet = fleet.status === 'ok' && fleet.data.current.spans === 0 && fleet.data.previous.spans === 0;
  const anyData = useApi<{ traces: TraceSummary[] }>(quiet ? '/api/traces?range=30d&limit=1' : null);
  const alerts = useApi<AlertsReply>(`/api/alerts${qs({ status: 'firing' })}`, tick, { everyMs: SLOW_REFRESH_MS });
  const findings = useApi<FindingsReply>(`/api/insights/correlations${qs({ ...rangeParams(t), interval: t.intervalMs >= 300_000 ? t.interval : '5m', limit: 5 })}`, tick, { everyMs: SLOW_REFRESH_MS });
  const marked = useRef(false);
  const complete = () => {
    if (marked.current) return;
    marked.current = true;
    performance.mark('overview-complete');
    document.body.dataset.overviewComplete = '1';
  };
  return (
    <div class="page">
      <h1>Fleet overview</h1>
      {quiet && anyData.status === 'ok' && anyData.data.traces.length === 0 && <FirstRun />}
      <div class="grid">
        <FleetView t={t} tick={tick} onComplete={complete} />
        <Panel title="Firing alerts" load={alerts} isEmpty={(a) => a.alerts.length === 0} empty="Nothing is firing.">
          {(a) => <AlertList alerts={a.alerts} />}
        </Panel>
        <Panel title="Top correlated findings" load={findings} isEmpty={(f) => f.findings.length === 0 && f.anomalies.length === 0} empty="No correlated anomalies in this range.">
          {(f) =>
            f.findings.length > 0 ? (
              <FindingList findings={f.findings} />
            ) : (
              <>
                <p class="muted small">No two anomalies overlap; the strongest single anomalies:</p>
                <ol class="findings anomalies">
                  {f.anomalies.slice(0, 5).map((a, i) => (
                    <li key={i}>{a.sentence}</li>
                  ))}
                </ol>
              </>
            )
          }
        </Panel>
        <QualityPanel t={t} tick={tick} />
      </div>
    </div>
  );
}
