// Notification channels: generic webhook (signed), Slack incoming webhook, Prometheus Alertmanager.
// Each turns an AlertNotification into one HTTP request and reports an outcome; retries and
// recording are the dispatcher's job (deliveries.ts).

import { z } from 'zod';
import { formatBand, formatCount, formatMetric } from '@sightline/api';
import { postJson, type AlertNotification, type DeliveryOutcome } from './notification.js';
import { SIGNATURE_HEADER, signPayload } from './signature.js';

const url = z.string().url();
/** Long enough for a slow receiver, short enough that a dead one does not hold deliveries up. */
const timeoutMs = z.number().int().min(100).max(120_000).default(5_000);

export const channelSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('webhook'),
    url,
    /** HMAC-SHA256 key; without it payloads go unsigned. */
    secret: z.string().min(16).optional(),
    headers: z.record(z.string(), z.string()).default({}),
    timeoutMs,
  }),
  z.strictObject({ kind: z.literal('slack'), url, timeoutMs }),
  z.strictObject({
    kind: z.literal('alertmanager'),
    /** Base URL; alerts go to `${url}/api/v2/alerts`. */
    url,
    timeoutMs,
    /** Alertmanager expects firing alerts to be re-sent; under its default resolve_timeout (5 min). */
    resendMs: z.number().int().min(1_000).default(60_000),
  }),
]);

export type ChannelConfig = z.infer<typeof channelSchema>;

export interface Channel {
  name: string;
  config: ChannelConfig;
  send(n: AlertNotification, now: number): Promise<DeliveryOutcome>;
}

export function createChannel(name: string, config: ChannelConfig): Channel {
  switch (config.kind) {
    case 'webhook':
      return {
        name,
        config,
        send(n, now) {
          const body = JSON.stringify(n);
          const headers = { ...config.headers };
          if (config.secret) headers[SIGNATURE_HEADER] = signPayload(config.secret, body, now);
          return postJson(config.url, body, headers, config.timeoutMs);
        },
      };
    case 'slack':
      return { name, config, send: (n) => postJson(config.url, JSON.stringify(slackMessage(n)), {}, config.timeoutMs) };
    case 'alertmanager':
      return {
        name,
        config,
        send: (n) => postJson(`${config.url.replace(/\/$/, '')}/api/v2/alerts`, JSON.stringify(alertmanagerAlerts(n)), {}, config.timeoutMs),
      };
  }
}

const labelText = (n: AlertNotification): string =>
  Object.entries(n.labels)
    .map(([k, v]) => `${k}=${v ?? '(none)'}`)
    .join(', ');

const HEAD: Record<AlertNotification['kind'], string> = { firing: 'Firing', update: 'Updated', renotify: 'Still firing', resolved: 'Resolved' };

/** Slack incoming-webhook message: `text` for notifications, `blocks` for the channel. */
export function slackMessage(n: AlertNotification): { text: string; blocks: unknown[] } {
  const icon = n.kind === 'resolved' ? ':white_check_mark:' : n.severity === 'critical' ? ':rotating_light:' : ':warning:';
  const head = `${HEAD[n.kind]}: ${n.rule_name}`;
  const e = n.evidence;
  const fields = e
    ? [
        `*Value*\n${formatMetric(e.metric, e.value)}`,
        `*Baseline*\n${formatMetric(e.metric, e.baseline)}`,
        `*Band*\n${e.band ? formatBand(e.metric, e.band[0], e.band[1]) : 'n/a'}`,
        `*Samples*\n${formatCount(e.samples)}`,
      ].map((text) => ({ type: 'mrkdwn', text }))
    : [];
  const inc = n.incident;
  const groups = inc.alerts.length > 1
    ? [{ type: 'section', text: { type: 'mrkdwn', text: `*${inc.alerts.length} alerts*\n${inc.alerts.slice(0, 20).map((a) => `• ${a.rule_name} (${labelsOf(a.labels)}): ${a.value} vs ${a.baseline}`).join('\n')}${inc.alerts.length > 20 ? `\n… and ${inc.alerts.length - 20} more` : ''}` } }]
    : [];
  const why = inc.explanation ? `\n${inc.explanation}` : '';
  return {
    text: `${icon} ${head} (${labelText(n)}) — ${n.summary}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${icon} *${head}*\n${n.summary}${why}` } },
      ...(fields.length ? [{ type: 'section', fields }] : []),
      ...groups,
      { type: 'context', elements: [{ type: 'mrkdwn', text: `project ${n.project} · incident ${inc.id} · ${labelText(n)} · <${n.url}|open in Sightline>` }] },
    ],
  };
}

const labelsOf = (labels: Record<string, string | null>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v ?? '(none)'}`)
    .join(', ');

function amLabels(n: AlertNotification, scope: Record<string, string | null>): Record<string, string> {
  // `incident` is the grouping label: route with group_by: [incident] for one notification per incident.
  const labels: Record<string, string> = { alertname: n.rule_id, incident: n.incident_id, project: n.project, severity: n.severity, source: 'sightline' };
  for (const [k, v] of Object.entries(scope)) labels[k] = v ?? '(none)';
  return labels;
}

/**
 * The incident as Alertmanager's POST /api/v2/alerts expects: one alert labelled with the incident
 * and its scope (endsAt marks it resolved); when the scope changed, the old label set is ended too.
 */
export function alertmanagerAlerts(n: AlertNotification): Record<string, unknown>[] {
  const e = n.evidence;
  const inc = n.incident;
  const generatorURL = n.url.startsWith('http') ? n.url : `http://sightline.invalid${n.url}`;
  const alert: Record<string, unknown> = {
    labels: amLabels(n, inc.scope),
    annotations: {
      summary: n.summary,
      description: inc.explanation,
      rule: n.rule_name,
      alerts: String(inc.alerts.length),
      groups: inc.alerts.map((a) => labelsOf(a.labels)).join('; ').slice(0, 4000),
      value: e ? formatMetric(e.metric, e.value) : 'n/a',
      baseline: e ? formatMetric(e.metric, e.baseline) : 'n/a',
      threshold: e ? formatMetric(e.metric, e.threshold) : 'n/a',
      samples: formatCount(e?.samples ?? 0),
    },
    startsAt: new Date(n.fired_at).toISOString(),
    generatorURL,
  };
  if (n.resolved_at !== null) alert.endsAt = new Date(n.resolved_at).toISOString();
  if (inc.previous_scope === undefined) return [alert];
  const ended = { labels: amLabels(n, inc.previous_scope), annotations: { summary: n.summary }, startsAt: new Date(n.fired_at).toISOString(), endsAt: new Date(n.at).toISOString(), generatorURL };
  return [ended, alert];
}
