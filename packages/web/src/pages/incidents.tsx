// Incidents on the Alerts page: alerts grouped by cause, open first. Each shows its worded title
// (figures with units, from the server), why its alerts are one incident, when it opened and
// resolved, and its member alerts folded inside (the same cards as the alert lists). Acknowledge
// and silence need an admin key.

import type { Incident, IncidentMember } from '@sightline/api';
import type { ComponentChildren } from 'preact';
import { sendJson } from '../api/client';
import { fmtDateTime } from '../format';

export function IncidentCard({ incident, act, renderAlert }: { incident: Incident; act: (what: string, p: () => Promise<unknown>) => void; renderAlert: (m: IncidentMember) => ComponentChildren }) {
  const active = incident.alerts.filter((m) => m.active);
  const shown = incident.status === 'open' ? active : incident.alerts;
  const id = encodeURIComponent(incident.id);
  return (
    <li class={`alert incident ${incident.status === 'open' ? 'firing' : 'resolved'}`} data-incident={incident.id} data-status={incident.status}>
      <div>
        <span class={`badge ${incident.status === 'resolved' ? 'good' : 'bad'}`}>{incident.status}</span> <span class="badge">{incident.severity}</span>{' '}
        <strong data-incident-title>{incident.title}</strong>
      </div>
      {incident.explanation && <div class="small" data-incident-explanation>{incident.explanation}</div>}
      <div class="muted small">
        {`opened ${fmtDateTime(incident.opened_at)}`}
        {incident.resolved_at && ` · resolved ${fmtDateTime(incident.resolved_at)}`}
        {incident.acknowledged_at && ` · acknowledged by ${incident.acknowledged_by ?? '?'} ${fmtDateTime(incident.acknowledged_at)}`}
        {incident.status === 'open' && !incident.acknowledged_at && (
          <>
            {' '}
            <button type="button" class="ghost" onClick={() => act('Acknowledge incident', () => sendJson('POST', `/api/incidents/${id}/ack`))}>
              Acknowledge
            </button>
          </>
        )}
        {incident.status === 'open' && (
          <>
            {' '}
            <button type="button" class="ghost" onClick={() => act('Silence incident 1 h', () => sendJson('POST', `/api/incidents/${id}/silence`, { ends_at: Date.now() + 3_600_000, comment: 'from the dashboard' }))}>
              Silence 1 h
            </button>
          </>
        )}
      </div>
      <details data-incident-alerts>
        <summary>
          {shown.length} alert{shown.length === 1 ? '' : 's'}
          {incident.status === 'open' && incident.alerts.length > active.length ? ` (${incident.alerts.length - active.length} left)` : ''}
        </summary>
        <ul class="alerts">{shown.map((m) => renderAlert(m))}</ul>
      </details>
    </li>
  );
}
