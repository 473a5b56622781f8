// `sightline status [--json]`: server health, store size, ingest rate, firing alerts and open incidents, from the
// running server's /api/status.

import type { StatusBody } from '../http/routes/status.js';
import { clientOf } from './client.js';
import type { Flags } from './flags.js';
import { colorEnabled, formatBytes, formatDuration, painter, type Paint } from './term.js';

export function statusText(s: StatusBody, url: string, paint: Paint): string {
  const alerts = s.alerts.firing === null ? paint('dim', 'alert engine not running') : s.alerts.firing === 0 ? paint('green', 'none firing') : paint('red', `${s.alerts.firing} firing`);
  const rows: [string, string][] = [
    ['server', `${s.status === 'ok' ? paint('green', 'ok') : paint('yellow', s.status)}  ${url}  v${s.version}  up ${formatDuration(s.uptime_s)}`],
    // Null: an instance-wide figure this (project) key may not see.
    ['store', `${s.store.kind}  ${s.store.spans.toLocaleString('en-US')} spans${s.store.bytes === null ? ' in this project' : `  ${formatBytes(s.store.bytes)}`}`],
    ['ingest', `${s.ingest.spans_per_s === null ? '-' : s.ingest.spans_per_s.toLocaleString('en-US')} spans/s (last minute)  ${s.ingest.queued_spans === null ? '-' : s.ingest.queued_spans.toLocaleString('en-US')} queued`],
    ['live', `${s.live_clients} tail client${s.live_clients === 1 ? '' : 's'}`],
    ['alerts', alerts],
  ];
  // One line per open incident (alerts grouped by cause), its title already worded with units.
  for (const i of s.incidents ?? []) {
    const sev = paint(i.severity === 'critical' ? 'red' : 'yellow', i.severity);
    const n = `${i.alerts} alert${i.alerts === 1 ? '' : 's'}`;
    rows.push(['', `incident ${sev}  ${i.title}  (${n}${i.acknowledged ? ', acknowledged' : ''})  ${i.id}`]);
  }
  return rows.map(([k, v]) => `${paint('bold', k.padEnd(7))} ${v}`).join('\n');
}

export async function runStatus(flags: Flags, env: NodeJS.ProcessEnv): Promise<number> {
  const client = clientOf(flags, env);
  const status = await client.json<StatusBody>('/api/status');
  if (flags.json) console.log(JSON.stringify(status));
  else console.log(statusText(status, client.url, painter(colorEnabled(process.stdout, env))));
  return status.status === 'ok' ? 0 : 1;
}
