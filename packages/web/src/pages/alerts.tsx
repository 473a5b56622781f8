// Alerts: firing and resolved alerts with their evidence, the rules (switch off, silence).
// Served by the alert engine under /api/alerts; "not available" on servers without it.

import { useState } from 'preact/hooks';
import { sendJson } from '../api/client';
import { Panel } from '../components/panel';
import { fmtDateTime } from '../format';
import { useApi, useLiveTick } from '../state/use-api';

export interface Alert {
  id?: string;
  rule_id?: string;
  rule_name?: string;
  state?: string;
  severity?: string;
  group?: Record<string, string> | string | null;
  value?: number | null;
  baseline?: number | null;
  summary?: string;
  started_at?: number;
  resolved_at?: number | null;
}

export interface AlertsReply {
  alerts: Alert[];
}

interface Rule {
  id: string;
  name: string;
  enabled: boolean;
  metric: string;
  severity?: string;
}

function groupText(g: Alert['group']): string {
  if (!g) return '';
  return typeof g === 'string' ? g : Object.entries(g).map(([k, v]) => `${k}=${v}`).join(', ');
}

export function AlertList({ alerts }: { alerts: Alert[] }) {
  return (
    <ul class="alerts">
      {alerts.map((a, i) => (
        <li key={a.id ?? i} class={`alert ${a.state ?? ''}`}>
          <span class={`badge ${a.state === 'firing' ? 'bad' : 'good'}`}>{a.state ?? 'alert'}</span> <strong>{a.rule_name ?? a.rule_id}</strong> {groupText(a.group)}
          {a.summary && <div class="muted">{a.summary}</div>}
          <div class="muted small">
            {a.value != null && `value ${a.value.toPrecision(3)}`}
            {a.baseline != null && ` · baseline ${a.baseline.toPrecision(3)}`}
            {a.started_at && ` · since ${fmtDateTime(a.started_at)}`}
            {a.resolved_at && ` · resolved ${fmtDateTime(a.resolved_at)}`}
          </div>
        </li>
      ))}
    </ul>
  );
}

export function AlertsPage() {
  const tick = useLiveTick(true);
  const [version, setVersion] = useState(0);
  const alerts = useApi<AlertsReply>('/api/alerts', tick);
  const rules = useApi<{ rules: Rule[] }>('/api/alerts/rules', version);
  const [error, setError] = useState<string | null>(null);
  const act = (p: Promise<unknown>) =>
    p.then(
      () => setVersion((v) => v + 1),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  return (
    <div class="page">
      <h1>Alerts</h1>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <div class="grid">
        <Panel title="Firing" load={alerts} isEmpty={(a) => !a.alerts.some((x) => x.state === 'firing')} empty="Nothing is firing.">
          {(a) => <AlertList alerts={a.alerts.filter((x) => x.state === 'firing')} />}
        </Panel>
        <Panel title="Resolved" load={alerts} isEmpty={(a) => !a.alerts.some((x) => x.state === 'resolved')} empty="No resolved alerts yet.">
          {(a) => <AlertList alerts={a.alerts.filter((x) => x.state === 'resolved')} />}
        </Panel>
        <Panel title="Rules" load={rules} wide isEmpty={(r) => r.rules.length === 0}>
          {(r) => (
            <div class="table-wrap">
              <table aria-label="Alert rules">
                <thead>
                  <tr>
                    <th>Rule</th>
                    <th>Metric</th>
                    <th>Severity</th>
                    <th>Enabled</th>
                    <th>Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {r.rules.map((rule) => (
                    <tr key={rule.id}>
                      <td>{rule.name}</td>
                      <td>{rule.metric}</td>
                      <td>{rule.severity ?? ''}</td>
                      <td>{rule.enabled ? 'on' : 'off'}</td>
                      <td>
                        <button type="button" class="ghost" onClick={() => act(sendJson('PATCH', `/api/alerts/rules/${encodeURIComponent(rule.id)}`, { enabled: !rule.enabled }))}>
                          {rule.enabled ? 'Switch off' : 'Switch on'}
                        </button>{' '}
                        <button type="button" class="ghost" onClick={() => act(sendJson('POST', '/api/alerts/silences', { rule_id: rule.id, ends_at: Date.now() + 3_600_000 }))}>
                          Silence 1 h
                        </button>
                      </td>
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
