// Sightline's own health for Prometheus: ingest rate and rejects by reason, group-commit latency,
// queue depth, HTTP answers (429s included), store size, alert evaluations and notification
// failures, live-tail clients, and Node's process metrics.

import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';

/** Live figures read at scrape time. */
export interface HealthSources {
  queuedSpans(): number;
  liveClients(): number;
  /** Store size; called at most once per STORE_STATS_TTL_MS. */
  storeStats(): Promise<{ spans: number; bytes: number }>;
  /** Alerts currently firing, when an alert engine runs. */
  firingAlerts?: () => number;
}

export interface HealthMetrics {
  committed(spanCount: number, commitMs: number): void;
  rejectedEvents(reason: string, count: number): void;
  rejectedRequest(reason: string): void;
  httpResponse(route: string, method: string, status: number): void;
  alertTick(evaluated: number, failedDeliveries: number): void;
}

/** Counting spans scans a column: a scrape every second must not do it every second. */
const STORE_STATS_TTL_MS = 15_000;

export function createHealthMetrics(registry: Registry, sources: HealthSources, clock: () => number = Date.now): HealthMetrics {
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  // Gauges named *_total fail `promtool check metrics`; the handle and request counts add little.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
  const ingested = new Counter({ name: 'sightline_ingest_spans_total', help: 'Spans committed to the store.', registers });
  const rejectedEvents = new Counter({
    name: 'sightline_ingest_rejected_events_total',
    help: 'Events rejected by validation, by the field of their first problem.',
    labelNames: ['reason'],
    registers,
  });
  const rejectedRequests = new Counter({
    name: 'sightline_ingest_rejected_requests_total',
    help: 'Ingest requests refused whole, by error code (overloaded is a 429).',
    labelNames: ['reason'],
    registers,
  });
  const http = new Counter({ name: 'sightline_http_requests_total', help: 'HTTP responses by route and status code.', labelNames: ['route', 'method', 'code'], registers });
  const commitSeconds = new Histogram({
    name: 'sightline_group_commit_duration_seconds',
    help: 'Time to append and commit one group-commit batch.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const batchSpans = new Histogram({
    name: 'sightline_group_commit_batch_spans',
    help: 'Spans per group-commit batch.',
    buckets: [1, 10, 100, 1000, 5000, 10000, 20000],
    registers,
  });
  new Gauge({ name: 'sightline_ingest_queue_spans', help: 'Spans accepted and waiting for commit.', registers, collect() { this.set(sources.queuedSpans()); } });
  new Gauge({ name: 'sightline_live_clients', help: 'Open live-tail (SSE) streams.', registers, collect() { this.set(sources.liveClients()); } });
  let cached: { at: number; stats: { spans: number; bytes: number } } | null = null;
  const storeStats = async () => {
    if (cached === null || clock() - cached.at > STORE_STATS_TTL_MS) cached = { at: clock(), stats: await sources.storeStats() };
    return cached.stats;
  };
  new Gauge({ name: 'sightline_store_bytes', help: 'Bytes of Sightline data on disk.', registers, async collect() { this.set((await storeStats()).bytes); } });
  new Gauge({ name: 'sightline_store_spans', help: 'Raw spans held by the store.', registers, async collect() { this.set((await storeStats()).spans); } });
  const evaluations = new Counter({ name: 'sightline_alert_evaluations_total', help: 'Alert rule evaluations.', registers });
  const failures = new Counter({ name: 'sightline_alert_notification_failures_total', help: 'Alert notifications that failed for good.', registers });
  new Gauge({ name: 'sightline_alerts_firing', help: 'Alerts currently firing.', registers, collect() { this.set(sources.firingAlerts?.() ?? 0); } });

  return {
    committed(spanCount, commitMs) {
      ingested.inc(spanCount);
      commitSeconds.observe(commitMs / 1000);
      batchSpans.observe(spanCount);
    },
    rejectedEvents: (reason, count) => rejectedEvents.inc({ reason }, count),
    rejectedRequest: (reason) => rejectedRequests.inc({ reason }),
    httpResponse: (route, method, status) => http.inc({ route, method, code: String(status) }),
    alertTick(evaluated, failedDeliveries) {
      evaluations.inc(evaluated);
      failures.inc(failedDeliveries);
    },
  };
}
