// The alert engine and the insight endpoints on a ClickHouse-backed server, through HTTP: a
// ClickHouse server and a DuckDB server (in process, so the clock can be injected) get the same
// simulated traffic; a built-in rule fires on its incident, and insight answers match DuckDB's.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/cli/config.js';
import { startSightline, type RunningSightline } from '../src/server.js';
import { createFleet, simulateToArray } from '../src/sim/index.js';
import { startClickHouse, type ClickHouseCluster } from './support/clickhouse.js';
import { request } from './support/http.js';
import { expectSameFigures } from './support/figures.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 2, 3, 0, 0);
const INCIDENT = T0 + 3 * HOUR;
const ADMIN = 'sl_admin_ch_alerts_insights_0123456789abcdef';

const fleet = createFleet({
  seed: 11,
  agents: 4,
  tracesPerMinutePerAgent: 20,
  incidents: [{ kind: 'error_spike', agent: 'support-1', decision: 'refund', start: INCIDENT, durationMs: 50 * MINUTE, errorRate: 0.8 }],
});
const events = simulateToArray(fleet, { from: T0, to: INCIDENT + 40 * MINUTE });

describe('alerts and insights on a ClickHouse-backed server', () => {
  let now = T0;
  let ch: ClickHouseCluster;
  let onClickHouse: RunningSightline;
  let onDuckDb: RunningSightline;
  const dirs: string[] = [];

  const start = (store?: string) => {
    const data = mkdtempSync(join(tmpdir(), 'sightline-ch-alerts-'));
    dirs.push(data);
    // The alert timer never fires during the test: evaluation is driven through the API.
    const config = loadConfig({ flags: { port: 0, data, adminKey: ADMIN, ...(store && { store }), alerts: { intervalMs: HOUR } } });
    return startSightline(config, { clock: () => now, log: () => undefined });
  };
  const api = (s: RunningSightline, path: string, opts: Parameters<typeof request>[1] = {}) => request(`${s.url}${path}`, { key: ADMIN, ...opts });

  beforeAll(async () => {
    ch = await startClickHouse();
    [onClickHouse, onDuckDb] = await Promise.all([start(ch.storeUrl('alerts_insights')), start()]);
    for (const s of [onClickHouse, onDuckDb]) {
      for (let i = 0; i < events.length; i += 5000) expect((await api(s, '/v1/events', { body: events.slice(i, i + 5000) })).status).toBe(200);
    }
  }, 180_000);
  afterAll(async () => {
    await onClickHouse?.stop();
    await onDuckDb?.stop();
    await ch?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('fires the error-rate alert on its incident, with evidence and history read back from ClickHouse', async () => {
    const transitions: string[] = [];
    for (now = INCIDENT - 10 * MINUTE; now < INCIDENT + 30 * MINUTE; now += 2 * MINUTE) {
      const r = await api(onClickHouse, '/api/alerts/evaluate', { method: 'POST' });
      expect(r.status).toBe(200);
      for (const t of r.body.transitions) transitions.push(`${t.rule_id} ${JSON.stringify(t.labels)} ${t.transition}`);
    }
    expect(transitions.filter((t) => t.endsWith(' firing'))).toEqual(['builtin.error_rate {"agent":"support-1","decision":"refund"} firing']);
    const firing = (await api(onClickHouse, '/api/alerts?status=firing')).body.alerts;
    expect(firing.map((a: { rule_id: string; labels: object }) => [a.rule_id, a.labels])).toEqual([['builtin.error_rate', { agent: 'support-1', decision: 'refund' }]]);
    expect(firing[0].evidence.value).toBeGreaterThan(firing[0].evidence.threshold);
    expect(firing[0].evidence.example_trace_ids).toHaveLength(3);
    const history = (await api(onClickHouse, '/api/alerts/history?limit=100')).body.events;
    expect(history.filter((e: { kind: string }) => e.kind === 'firing').map((e: { alert_id: string }) => e.alert_id)).toEqual([firing[0].id]);
  });

  const same = async (path: string) => {
    const [fromClickHouse, fromDuckDb] = await Promise.all([api(onClickHouse, path), api(onDuckDb, path)]);
    expect([fromClickHouse.status, fromDuckDb.status]).toEqual([200, 200]);
    expectSameFigures(fromClickHouse.body, fromDuckDb.body);
    return fromClickHouse.body;
  };
  const roots = (from: number, to: number) => events.filter((e) => e.parent_span_id === null && e.timestamp >= from && e.timestamp < to);

  it('answers /api/insights/paths as the DuckDB server does, counting every trace of the hour', async () => {
    const r = await same(`/api/insights/paths?from=${INCIDENT - HOUR}&to=${INCIDENT}`);
    expect(r.total.traces).toBe(roots(INCIDENT - HOUR, INCIDENT).length);
    expect(r.paths.reduce((n: number, p: { traces: number }) => n + p.traces, 0)).toBe(r.total.traces);
  });

  it('answers /api/insights/cohorts as the DuckDB server does, with trace counts of the raw events', async () => {
    const r = await same(`/api/insights/cohorts?from=${T0}&to=${INCIDENT}`);
    const top = r.cohorts[0] as { key: string; value: string; unit: string; n: number };
    expect(top.unit).toBe('trace');
    expect(top.n).toBe(roots(T0, INCIDENT).filter((e) => e.attributes[top.key] === top.value).length);
  });
});
