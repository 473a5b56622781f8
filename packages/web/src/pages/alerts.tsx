// Alerts: incidents first (alerts grouped by cause, member alerts folded inside, incidents.tsx),
// then firing, pending and resolved alerts with their evidence (value, baseline, band, samples,
// a chart of the metric for the alert's group), the rules in force (switch off / on, silence),
// silences and notification deliveries. Served by the alert engine under /api/alerts. Reading
// needs the read scope; changing anything needs an admin key, and a read key is told so.

import { useState } from 'preact/hooks';
import { ApiError, qs, sendJson } from '../api/client';
import type { Alert, AlertsReply, Delivery, IncidentsReply, Rule, Series, Silence } from '@sightline/api';
import { Panel } from '../components/panel';
import { TimeChart } from '../components/time-chart';
import { fmtDateTime, fmtMs, METRIC_UNIT, fmtValue, type Unit } from '../format';
import { pickInterval } from '../state/time-range';
import { useApi, useLiveTick } from '../state/use-api';
import { IncidentCard } from './incidents';
import { conditionText } from './alert-condition';

const unitOf = (metric: string): Unit => (metric === 'token_efficiency' ? 'ratio' : (METRIC_UNIT[metric] ?? 'count'));

function groupText(g: Alert['group'] | undefined): string {
  if (!g) return '';
  return Object.entries(g)
    .map(([k, v]) => `${k}=${v ?? '(none)'}`)
    .join(', ');
}

function windowText(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`;
}

/** Compact list (overview): state, rule, group and the one-line summary with value vs baseline. */
export function AlertList({ alerts }: { alerts: Alert[] }) {
  return (
    <ul class="alerts">
      {alerts.map((a) => (
        <li key={a.id} class={`alert ${a.state}`} data-alert={a.id}>
          <span class={`badge ${a.state === 'resolved' ? 'good' : 'bad'}`}>{a.state}</span> <strong>{a.rule_name}</strong> <span class="muted">{groupText(a.group)}</span>
          <div class="muted small">{a.summary}</div>
        </li>
      ))}
    </ul>
  );
}

/** The metric of the alert's group around the alert, from /api/timeseries, with the band and threshold as lines. */
function EvidenceChart({ alert, rule }: { alert: Alert; rule: Rule | undefined }) {
  const e = alert.evidence;
  const metric = e?.metric ?? rule?.metric;
  const windowMs = e?.window_ms ?? rule?.windowMs ?? 900_000;
  const supported = metric !== undefined && METRIC_UNIT[metric] !== undefined;
  const start = alert.started_at ?? alert.since;
  const end = alert.resolved_at ? alert.resolved_at + windowMs : Date.now();
  const from = Math.floor((start - 4 * windowMs) / 60_000) * 60_000;
  const to = Math.ceil(end / 60_000) * 60_000;
  const { interval, intervalMs } = pickInterval(to - from, 40);
  const filter: Record<string, string | boolean | null | undefined> = { ...(rule?.filter ?? {}) };
  for (const [k, v] of Object.entries(alert.group ?? {})) if (v !== null) filter[k] = v;
  const url = supported ? `/api/timeseries${qs({ metric, from, to, interval, agent: filter.agent, model: filter.model, decision: filter.decision, span_type: filter.span_type, provider: filter.provider })}` : null;
  const load = useApi<{ series: Series[] }>(url);
  if (!supported) return <p class="muted small">No chart: {metric ?? 'this metric'} has no time series.</p>;
  if (load.status !== 'ok') return <p class="muted small">{load.status === 'loading' ? 'Loading the chart…' : `Chart unavailable: ${load.error.message}`}</p>;
  const points = load.data.series[0]?.points ?? [];
  const band = e?.band ?? alert.band;
  const flat = (v: number | null | undefined) => points.map(([t]) => [t, v ?? null] as [number, number | null]);
  const series: Series[] = [{ group: metric!, points }];
  const threshold = e?.threshold ?? alert.threshold;
  if (threshold !== null && threshold !== undefined) series.push({ group: 'threshold', points: flat(threshold) });
  return (
    <TimeChart
      title={`Evidence ${alert.id}`}
      series={series}
      unit={unitOf(metric!)}
      yLabel={metric!.replace(/_/g, ' ')}
      band={band ? { lower: flat(band[0]), upper: flat(band[1]) } : null}
      height={160}
      intervalMs={intervalMs}
    />
  );
}

function EvidenceFacts({ alert }: { alert: Alert }) {
  const e = alert.evidence;
  const unit = unitOf(e?.metric ?? 'count');
  const band = e?.band ?? alert.band;
  const facts: [string, string, string][] = [
    ['value', 'Value', fmtValue(e?.value ?? alert.value, unit)],
    ['baseline', 'Baseline', fmtValue(e?.baseline ?? alert.baseline, unit)],
    // Clamped for bands stored before the server clamped them: no metric here is below 0, no rate above 100%.
    ['band', 'Band', band ? `${fmtValue(Math.max(0, band[0]), unit)} – ${fmtValue(unit === 'rate' ? Math.min(1, band[1]) : band[1], unit)}` : '—'],
    ['threshold', 'Threshold', fmtValue(e?.threshold ?? alert.threshold, unit)],
    ['samples', 'Samples', String(e?.samples ?? alert.samples)],
    ['baseline_samples', 'Baseline samples', e ? String(e.baseline_samples) : '—'],
    ['window', 'Window', e ? fmtMs(e.window_ms) : '—'],
  ];
  return (
    <dl class="evidence">
      {facts.map(([k, label, v]) => (
        <div key={k} data-fact={k}>
          <dt>{label}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function AlertCard({ alert, rule, act }: { alert: Alert; rule: Rule | undefined; act: (what: string, p: () => Promise<unknown>) => void }) {
  const e = alert.evidence;
  return (
    <li class={`alert ${alert.state}`} data-alert={alert.id} data-state={alert.state}>
      <div>
        <span class={`badge ${alert.state === 'resolved' ? 'good' : 'bad'}`}>{alert.state}</span> <span class="badge">{alert.severity}</span> <strong>{alert.rule_name}</strong>{' '}
        <span class="muted">{groupText(alert.group)}</span>
      </div>
      <div class="small">{alert.summary}</div>
      <EvidenceFacts alert={alert} />
      <div class="muted small">
        {alert.started_at && `started ${fmtDateTime(alert.started_at)}`}
        {alert.fired_at && ` · fired ${fmtDateTime(alert.fired_at)}`}
        {alert.resolved_at && ` · resolved ${fmtDateTime(alert.resolved_at)}`}
        {alert.acknowledged_at && ` · acknowledged by ${alert.acknowledged_by ?? '?'} ${fmtDateTime(alert.acknowledged_at)}`}
      </div>
      <EvidenceChart alert={alert} rule={rule} />
      <div class="small">
        {e?.dashboard_url && <a href={e.dashboard_url}>Traces around the alert</a>}
        {e?.example_trace_ids.map((id) => (
          <span key={id}>
            {' · '}
            <a href={`/traces/${encodeURIComponent(id)}`} data-trace={id}>
              {id.slice(0, 12)}
            </a>
          </span>
        ))}
        {e?.correlated_finding && (
          <>
            {' · '}
            <a href={e.correlated_finding.url}>{e.correlated_finding.title}</a>
          </>
        )}
        {alert.state === 'firing' && !alert.acknowledged_at && (
          <>
            {' '}
            <button type="button" class="ghost" onClick={() => act('Acknowledge', () => sendJson('POST', `/api/alerts/${encodeURIComponent(alert.id)}/ack`))}>
              Acknowledge
            </button>
          </>
        )}
      </div>
    </li>
  );
}

/** What went wrong, in words: a 403 is a read-only key, not a failure. */
export function actionMessage(what: string, e: unknown): string {
  if (e instanceof ApiError && e.status === 403) return `“${what}” needs an admin key. You are signed in with a read-only key: you can see alerts and rules, but not change them. Sign in with an admin key to do this.`;
  return `${what} failed: ${e instanceof Error ? e.message : String(e)}`;
}

export function AlertsPage() {
  const tick = useLiveTick(true);
  const [version, setVersion] = useState(0);
  const v = tick * 1000 + version;
  const alerts = useApi<AlertsReply>('/api/alerts', v);
  const incidents = useApi<IncidentsReply>('/api/incidents', v);
  const rules = useApi<{ rules: Rule[] }>('/api/alerts/rules', v);
  const silences = useApi<{ silences: Silence[] }>('/api/alerts/silences', v);
  const deliveries = useApi<{ deliveries: Delivery[] }>('/api/alerts/deliveries', v);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const act = (what: string, p: () => Promise<unknown>) => {
    setMessage(null);
    p().then(
      () => {
        setMessage({ ok: true, text: `${what}: done.` });
        setVersion((n) => n + 1);
      },
      (e: unknown) => setMessage({ ok: false, text: actionMessage(what, e) }),
    );
  };
  const ruleById = new Map(rules.status === 'ok' ? rules.data.rules.map((r) => [r.id, r]) : []);
  const now = Date.now();
  const activeSilence = (ruleId: string) => (silences.status === 'ok' ? silences.data.silences.find((s) => s.rule_id === ruleId && Object.keys(s.matchers).length === 0 && s.starts_at <= now && s.ends_at > now) : undefined);
  const of = (a: AlertsReply, state: Alert['state']) => a.alerts.filter((x) => x.state === state);
  const cards = (list: Alert[]) => (
    <ul class="alerts">
      {list.map((a) => (
        <AlertCard key={a.id} alert={a} rule={ruleById.get(a.rule_id)} act={act} />
      ))}
    </ul>
  );
  return (
    <div class="page">
      <h1>Alerts</h1>
      {message && (
        <p class={message.ok ? 'notice' : 'notice form-error'} role={message.ok ? 'status' : 'alert'} data-action-message>
          {message.text}
        </p>
      )}
      <div class="grid">
        <Panel title="Incidents" load={incidents} wide isEmpty={(i) => i.incidents.length === 0} empty="No incidents: alerts that fire together for one cause are grouped here.">
          {(i) => (
            <ul class="alerts">
              {i.incidents.map((inc) => (
                <IncidentCard
                  key={inc.id}
                  incident={inc}
                  act={act}
                  renderAlert={(m) => {
                    const a = alerts.status === 'ok' ? alerts.data.alerts.find((x) => x.id === m.alert_id) : undefined;
                    return a ? (
                      <AlertCard key={m.alert_id} alert={a} rule={ruleById.get(a.rule_id)} act={act} />
                    ) : (
                      <li key={m.alert_id} class="alert" data-alert={m.alert_id}>
                        <strong>{m.rule_name}</strong> <span class="muted">{groupText(m.labels)}</span>
                      </li>
                    );
                  }}
                />
              ))}
            </ul>
          )}
        </Panel>
        <Panel title="Firing" load={alerts} isEmpty={(a) => of(a, 'firing').length === 0} empty="Nothing is firing.">
          {(a) => cards(of(a, 'firing'))}
        </Panel>
        <Panel title="Resolved" load={alerts} isEmpty={(a) => of(a, 'resolved').length === 0} empty="No resolved alerts.">
          {(a) => cards(of(a, 'resolved'))}
        </Panel>
        <Panel title="Pending" load={alerts} isEmpty={(a) => of(a, 'pending').length === 0} empty="Nothing pending (a breach must hold for the rule's evaluations before it fires).">
          {(a) => cards(of(a, 'pending'))}
        </Panel>
        <Panel title="Rules" load={rules} wide isEmpty={(r) => r.rules.length === 0}>
          {(r) => (
            <>
              <p class="muted small">Switching rules off and silencing need an admin key.</p>
              <div class="table-wrap">
                <table aria-label="Alert rules">
                  <thead>
                    <tr>
                      <th>Rule</th>
                      <th>Metric</th>
                      <th>Per</th>
                      <th>Condition</th>
                      <th>Window</th>
                      <th>Severity</th>
                      <th>Source</th>
                      <th>State</th>
                      <th>Actions</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.rules.map((rule) => {
                      const silenced = activeSilence(rule.id);
                      return (
                        <tr key={rule.id} data-rule={rule.id}>
                          <td title={rule.description}>
                            {rule.name}
                            <div class="muted small">{rule.id}</div>
                          </td>
                          <td>{rule.metric}</td>
                          <td>{rule.groupBy.join(' × ') || 'all'}</td>
                          <td>{conditionText(rule.condition)}</td>
                          <td>{windowText(rule.windowMs)}</td>
                          <td>{rule.severity}</td>
                          <td>
                            {rule.source}
                            {rule.overridden ? ' (changed)' : ''}
                          </td>
                          <td data-rule-state>
                            {rule.enabled ? 'on' : 'off'}
                            {silenced && <div class="muted small">silenced until {fmtDateTime(silenced.ends_at)}</div>}
                          </td>
                          <td>
                            <button type="button" class="ghost" onClick={() => act(rule.enabled ? 'Switch off' : 'Switch on', () => sendJson('PATCH', `/api/alerts/rules/${encodeURIComponent(rule.id)}`, { enabled: !rule.enabled }))}>
                              {rule.enabled ? 'Switch off' : 'Switch on'}
                            </button>{' '}
                            <button type="button" class="ghost" onClick={() => act('Silence 1 h', () => sendJson('POST', '/api/alerts/silences', { rule_id: rule.id, ends_at: Date.now() + 3_600_000, comment: 'from the dashboard' }))}>
                              Silence 1 h
                            </button>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </Panel>
        <Panel title="Silences" load={silences} isEmpty={(s) => !s.silences.some((x) => x.ends_at > now)} empty="No active silences.">
          {(s) => (
            <ul class="alerts">
              {s.silences
                .filter((x) => x.ends_at > now)
                .map((x) => (
                  <li key={x.id} data-silence={x.id}>
                    <strong>{x.rule_id ?? 'all rules'}</strong> {groupText(x.matchers)} until {fmtDateTime(x.ends_at)}
                    <div class="muted small">
                      by {x.created_by}
                      {x.comment && ` · ${x.comment}`}{' '}
                      <button type="button" class="ghost" onClick={() => act('End silence', () => sendJson('DELETE', `/api/alerts/silences/${encodeURIComponent(x.id)}`))}>
                        End now
                      </button>
                    </div>
                  </li>
                ))}
            </ul>
          )}
        </Panel>
        <Panel title="Deliveries" load={deliveries} isEmpty={(d) => d.deliveries.length === 0} empty="No notifications sent yet (no channel configured, or nothing fired).">
          {(d) => (
            <div class="table-wrap">
              <table aria-label="Deliveries">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Channel</th>
                    <th>Kind</th>
                    <th>Status</th>
                    <th class="num">Attempts</th>
                    <th>Last error</th>
                  </tr>
                </thead>
                <tbody>
                  {d.deliveries.slice(0, 50).map((x) => (
                    <tr key={x.id} data-delivery={x.id}>
                      <td>{fmtDateTime(x.sent_at ?? x.created_at)}</td>
                      <td>{x.channel}</td>
                      <td>{x.kind}</td>
                      <td>
                        <span class={`badge ${x.status === 'sent' ? 'good' : x.status === 'failed' ? 'bad' : ''}`}>{x.status}</span>
                      </td>
                      <td class="num">{x.attempts}</td>
                      <td class="small">{x.last_error ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Panel>
      </div>
    </div>
  );
}
