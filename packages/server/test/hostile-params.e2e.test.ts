// Hostile attribute keys, groupings and filter values against both backends through real HTTP:
// SQL fragments, quotes, backslashes, JSON paths, unicode and a NUL byte are stored as agent,
// model, decision, provider, trace id and attribute keys, then sent back in every query parameter
// that names an attribute, grouping or filter (and in alert rules). A value is data: each finds
// exactly its own spans. A name outside the grammar (dimension, metric, span type, time, too long)
// is a 400 naming the parameter. Afterwards every span and every table is still there.

import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouse, type ClickHouseCluster } from './support/clickhouse.js';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const HOSTILE = [
  "x'); DROP TABLE spans; --",
  'a"b',
  '\\',
  '$.x',
  "' OR 1=1 --",
  'ключ-🔑-键',
  'nul\u0000byte',
  "\\'; DROP TABLE spans; --",
];
const TOO_LONG = 'x'.repeat(5_000);
const T = Date.now() - 60_000;
const RANGE = `from=${T - 3_600_000}&to=${T + 120_000}`;
/** Hostile value i has i + 2 spans, one trace each; the first of them failed. */
const spansOf = (i: number) => i + 2;
const TOTAL = HOSTILE.reduce((n, _, i) => n + spansOf(i), 0);
const FILTERS = ['agent', 'model', 'decision', 'provider'] as const;

function seed() {
  return HOSTILE.flatMap((h, i) =>
    Array.from({ length: spansOf(i) }, (_, j) => ({
      agent_id: h,
      model: h,
      provider: h,
      decision: h,
      trace_id: `${h}-${j}`,
      span_id: `h${i}-${j}`,
      timestamp: T,
      latency_ms: 10,
      attributes: { [h]: j % 2 === 0 ? 'even' : h },
      ...(j === 0 && { error: { type: 'Failure', message: 'failed' } }),
    })),
  );
}

async function tablesOfDuckDb(file: string): Promise<{ tables: string[]; spans: number }> {
  const db = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const conn = await db.connect();
  const tables = (await conn.runAndReadAll("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name"))
    .getRowObjects()
    .map((r) => String(r.table_name));
  const spans = Number((await conn.runAndReadAll('SELECT count(*) AS n FROM spans')).getRowObjects()[0]!.n);
  conn.closeSync();
  db.closeSync();
  return { tables, spans };
}

async function clickHouseRows(ch: ClickHouseCluster, sql: string): Promise<string[]> {
  const res = await fetch(`${ch.shards[0]!.url}/?query=${encodeURIComponent(`${sql} FORMAT TabSeparated`)}`);
  expect(res.status).toBe(200);
  return (await res.text()).split('\n').filter((l) => l !== '');
}

const CLICKHOUSE_DB = 'hostile';

describe.each(['duckdb', 'clickhouse'] as const)('hostile keys, groupings and filters (%s)', (backend) => {
  let ch: ClickHouseCluster | undefined;
  let server: RunningServer;
  let tablesBefore: string[] = [];
  const get = (path: string) => request(`${server.url}${path}`, { key: server.adminKey });
  const post = (path: string, body?: unknown) => request(`${server.url}${path}`, { key: server.adminKey, method: 'POST', ...(body !== undefined && { body }) });
  const e = encodeURIComponent;

  beforeAll(async () => {
    if (backend === 'clickhouse') ch = await startClickHouse();
    server = await startServer(ch ? { args: ['--store', ch.storeUrl(CLICKHOUSE_DB)] } : {});
    const ingest = await post('/v1/events', seed());
    expect(ingest.body).toEqual({ accepted: TOTAL, rejected: [], rejected_events: 0 });
    if (ch) tablesBefore = await clickHouseRows(ch, `SELECT name FROM system.tables WHERE database = '${CLICKHOUSE_DB}' ORDER BY name`);
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
    await ch?.stop();
  });

  it('treats hostile filter values as data: each finds exactly its own spans', async () => {
    for (const [i, h] of HOSTILE.entries()) {
      const n = spansOf(i);
      const ids = Array.from({ length: n }, (_, j) => `${h}-${j}`).sort();
      for (const f of FILTERS) {
        const series = await get(`/api/timeseries?metric=count&interval=1h&${RANGE}&${f}=${e(h)}`);
        expect(series.status).toBe(200);
        expect(series.body.series.flatMap((s: { points: [number, number | null][] }) => s.points).reduce((sum: number, [, v]: [number, number | null]) => sum + (v ?? 0), 0)).toBe(n);
        const overview = await get(`/api/overview?${RANGE}&${f}=${e(h)}`);
        expect([overview.body.current.spans, overview.body.current.errors]).toEqual([n, 1]);
      }
      for (const f of ['agent', 'decision']) {
        const traces = await get(`/api/traces?${RANGE}&${f}=${e(h)}`);
        expect(traces.body.traces.map((t: { trace_id: string }) => t.trace_id).sort()).toEqual(ids);
        expect(traces.body.traces.every((t: { agent_id: string; decisions: string[] }) => t.agent_id === h && t.decisions.join() === h)).toBe(true);
      }
      const trace = await get(`/api/traces/${e(`${h}-1`)}`);
      expect(trace.body.spans.map((s: { span_id: string; agent_id: string; attributes: unknown }) => [s.span_id, s.agent_id, s.attributes])).toEqual([[`h${i}-1`, h, { [h]: h }]]);

      const exported = await fetch(`${server.url}/api/export?format=ndjson&${RANGE}&agent=${e(h)}`, { headers: { authorization: `Bearer ${server.adminKey}` } });
      const lines = (await exported.text()).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { span_id: string; model: string });
      expect(lines.map((s) => [s.span_id, s.model]).sort()).toEqual(Array.from({ length: n }, (_, j) => [`h${i}-${j}`, h]).sort());

      const paths = await get(`/api/insights/paths?${RANGE}&agent=${e(h)}`);
      expect(paths.body.paths.map((p: { path: string; agents: string[]; traces: number }) => [p.path, p.agents, p.traces])).toEqual([[h, [h], n]]);
      const cohorts = await get(`/api/insights/cohorts?${RANGE}&key=${e(h)}&min_units=1`);
      expect(cohorts.status).toBe(200);
      expect(cohorts.body.cohorts.map((c: { key: string; value: string; n: number }) => [c.key, c.value, c.n]).sort()).toEqual(
        [[h, 'even', Math.ceil(n / 2)], [h, h, Math.floor(n / 2)]].sort(),
      );
      const regressions = await get(`/api/insights/regressions?${RANGE}&interval=1h&agent=${e(h)}&group_by=model`);
      expect([regressions.status, regressions.body.regressions]).toEqual([200, []]);
    }
  });

  it('answers 400 naming the parameter for hostile names of groupings, metrics, types and times', async () => {
    const h = HOSTILE[0]!;
    const shown = `"${h}"`;
    const cases: [string, string][] = [
      [`/api/timeseries?group_by=${e(h)}`, `group_by: ${shown} is not one of agent, model, decision, span_type, provider`],
      [`/api/timeseries?group_by=model,${e(h)}`, `group_by: ${shown} is not one of agent, model, decision, span_type, provider`],
      [`/api/timeseries?metric=${e(h)}`, `metric: ${shown} is not one of`],
      [`/api/timeseries?span_type=${e(h)}`, `span_type: ${shown} is not one of`],
      [`/api/traces?errors=${e(h)}`, `errors: ${shown} is not true or false`],
      [`/api/insights/regressions?group_by=${e(h)}`, `group_by: ${shown} is not one of`],
      [`/api/insights/regressions?metric=${e(h)}`, `metric: ${shown} is not one of`],
      [`/api/insights/tokens?group_by=${e(h)}`, `group_by: ${shown} is not one of agent, model`],
      [`/api/insights/correlations?dimensions=${e(h)}`, `dimensions: ${shown} is not one of`],
      [`/api/insights/correlations?metrics=${e(h)}`, `metrics: ${shown} is not one of`],
      [`/api/export?format=${e(h)}`, `format: ${shown} is not one of parquet, csv, ndjson`],
      [`/api/alerts/history?from=${e(h)}`, `from: ${shown} is neither epoch milliseconds nor an ISO-8601 time`],
      [`/api/alerts/history?to=1e30`, 'to: "1e30" is neither epoch milliseconds nor an ISO-8601 time'],
      [`/api/alerts/history?limit=${e(h)}`, `limit: ${shown} is not a number in 1..1000`],
      // Too long: the limit is named and the value is not echoed back whole.
      [`/api/timeseries?agent=${TOO_LONG}`, 'agent: is 5000 characters; the limit is 256'],
      [`/api/traces?decision=${TOO_LONG}`, 'decision: is 5000 characters; the limit is 256'],
      [`/api/export?agent=${TOO_LONG}`, 'agent: is 5000 characters; the limit is 256'],
      [`/api/alerts/history?alert_id=${TOO_LONG}`, 'alert_id: is 5000 characters; the limit is 256'],
      [`/api/insights/cohorts?key=${TOO_LONG}`, `key: "${'x'.repeat(64)}…" (5000 characters): a key must be 1..64 characters`],
      [`/api/timeseries?group_by=${TOO_LONG}`, `group_by: "${'x'.repeat(64)}…" (5000 characters) is not one of`],
      [`/api/traces/${'x'.repeat(300)}`, 'trace_id: 300 characters exceeds the limit of 256'],
    ];
    for (const [path, message] of cases) {
      const reply = await get(path);
      expect([path, reply.status, reply.body.error?.code]).toEqual([path, 400, 'bad_request']);
      expect(reply.body.error.message.startsWith(message)).toBe(true);
    }
  });

  it('keeps hostile alert rule filters as data and refuses hostile group-bys', async () => {
    for (const [i, h] of HOSTILE.entries()) {
      const created = await post('/api/alerts/rules', {
        id: `hostile-${i}`,
        name: `hostile ${i}`,
        metric: 'count',
        filter: { agent: h, decision: h },
        groupBy: ['model'],
        condition: { type: 'above', value: 0 },
        minSamples: 1,
        forEvaluations: 1,
      });
      expect([created.status, created.body.rule.filter]).toEqual([201, { agent: h, decision: h }]);
    }
    const badGroup = await post('/api/alerts/rules', { id: 'hostile-group', name: 'g', metric: 'count', groupBy: [HOSTILE[0]], condition: { type: 'above', value: 0 } });
    expect([badGroup.status, badGroup.body.error.message.startsWith('groupBy.0: Invalid option')]).toEqual([400, true]);
    const badFilter = await post('/api/alerts/rules', { id: 'hostile-long', name: 'l', metric: 'count', filter: { agent: TOO_LONG }, condition: { type: 'above', value: 0 } });
    expect([badFilter.status, badFilter.body.error.message.startsWith('filter.agent: Too big')]).toEqual([400, true]);

    expect((await post('/api/alerts/evaluate')).status).toBe(200);
    const alerts = (await get('/api/alerts')).body.alerts as { id: string; rule_id: string; labels: Record<string, string>; value: number; status: string }[];
    const hostileAlerts = alerts.filter((a) => a.rule_id.startsWith('hostile-')).sort((a, b) => a.rule_id.localeCompare(b.rule_id));
    expect(hostileAlerts.map((a) => [a.rule_id, a.labels, a.value, a.status])).toEqual(
      HOSTILE.map((h, i) => [`hostile-${i}`, { model: h }, spansOf(i), 'firing']),
    );
    for (const a of hostileAlerts) {
      const history = await get(`/api/alerts/history?alert_id=${e(a.id)}&rule_id=${e(a.rule_id)}`);
      expect(history.body.events.map((ev: { alert_id: string; kind: string; labels: unknown }) => [ev.alert_id, ev.kind, ev.labels])).toEqual([[a.id, 'firing', a.labels]]);
    }
    for (const h of HOSTILE) {
      expect((await get(`/api/alerts/history?alert_id=${e(h)}`)).body).toEqual({ events: [] });
      expect((await get(`/api/alerts/history?rule_id=${e(h)}`)).body).toEqual({ events: [] });
    }
  });

  it('leaves every span and every table in place', async () => {
    expect((await get('/api/status')).body.store.spans).toBe(TOTAL);
    if (ch) {
      expect(await clickHouseRows(ch, `SELECT name FROM system.tables WHERE database = '${CLICKHOUSE_DB}' ORDER BY name`)).toEqual(tablesBefore);
      expect(await clickHouseRows(ch, `SELECT count() FROM ${CLICKHOUSE_DB}.spans`)).toEqual([String(TOTAL)]);
      return;
    }
    // DuckDB holds its file exclusively: compare with a fresh store's tables once both are stopped.
    const pristine = await startServer();
    await pristine.stop();
    await server.stop();
    const fresh = await tablesOfDuckDb(join(pristine.dataDir, 'sightline.duckdb'));
    const after = await tablesOfDuckDb(join(server.dataDir, 'sightline.duckdb'));
    expect(after).toEqual({ tables: fresh.tables, spans: TOTAL });
    expect(fresh.tables).toContain('spans');
    await pristine.stop({ remove: true });
  });
});
