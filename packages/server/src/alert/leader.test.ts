// Which node evaluates alerts. Two ClickHouse stores on one database stand for two nodes: one holds
// the lease and ticks, the other follows; when the holder stops checking, the other takes over once
// the lease lapses and carries on from the persisted states. A DuckDB store always evaluates, once
// per interval. Checks are driven by hand on injected clocks; notifications go to a real webhook.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouse, type ClickHouseCluster } from '../../test/support/clickhouse.js';
import type { Span } from '../model/span.js';
import { createClickHouseStore } from '../store/clickhouse/clickhouse-store.js';
import { createDuckDbStore } from '../store/duckdb/duckdb-store.js';
import { makeSpan } from '../store/store.case.js';
import type { Store } from '../store/store.js';
import { BUILTIN_IDS } from './builtin-rules.js';
import { alertsConfigSchema } from './config.js';
import { createAlertEngine, type AlertEngine } from './engine.js';
import { startAlertLeader, type AlertLeader } from './leader.js';
import type { AlertNotification } from './notify/notification.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** An hour, so the leaders' own timers (every interval / 3) never fire while a test drives them. */
const INTERVAL = HOUR;
const T0 = Date.UTC(2025, 5, 2, 9, 0);
const PROJECT = 'alpha';
/** Error rate above one half over the last 6 h (the whole test), fires at once, clears after two clear ticks. */
const RULE = {
  id: 'error-rate-high',
  name: 'Error rate above 50 %',
  metric: 'error_rate',
  windowMs: 6 * HOUR,
  condition: { type: 'above', value: 0.5 },
  minSamples: 5,
  minBaselineSamples: 0,
  forEvaluations: 1,
  clearEvaluations: 2,
};

let spanIds = 0;
/** Spans at `at`; the engine reads each minute until it is lateMs (2 min) old, so `at` is kept recent. */
const spans = (n: number, error: boolean, at: number): Span[] =>
  Array.from({ length: n }, () =>
    makeSpan({
      project: PROJECT,
      timestamp: at,
      span_id: `s-${++spanIds}`,
      trace_id: `t-${spanIds}`,
      ...(error && { error_type: 'Timeout', error_message: 'upstream timed out' }),
    }),
  );

function startReceiver(): Promise<{ server: Server; url: string; received: AlertNotification[] }> {
  const received: AlertNotification[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      received.push(JSON.parse(raw) as AlertNotification);
      res.writeHead(200).end('ok');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, received })));
}

interface Node {
  store: Store;
  engine: AlertEngine;
  leader: AlertLeader;
  now: number;
  ticks: number[];
  logs: string[];
}

async function startNode(store: Store, nodeId: string, hookUrl: string): Promise<Node> {
  const config = alertsConfigSchema.parse({
    intervalMs: INTERVAL,
    channels: { hook: { kind: 'webhook', url: hookUrl } },
    // Only the test's rule: built-ins need a baseline this test does not build.
    builtin: Object.fromEntries([...BUILTIN_IDS].map((id) => [id, { enabled: false }])),
  });
  const node = { store, now: T0, ticks: [] as number[], logs: [] as string[] } as Node;
  node.engine = createAlertEngine({ store, config, clock: () => node.now, onTick: (r) => node.ticks.push(r.at) });
  await node.engine.start({ timer: false });
  node.leader = startAlertLeader({ store, engine: node.engine, intervalMs: INTERVAL, clock: () => node.now, nodeId, log: (l) => node.logs.push(l) });
  return node;
}

/** Checks each node in turn at `t`; returns who leads afterwards. */
async function checkAt(t: number, ...nodes: Node[]): Promise<boolean[]> {
  for (const n of nodes) {
    n.now = t;
    await n.leader.check();
  }
  return nodes.map((n) => n.leader.isLeader());
}

describe('alert leader on two ClickHouse stores sharing one database', () => {
  let ch: ClickHouseCluster;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const nodes: Node[] = [];

  beforeAll(async () => {
    [ch, receiver] = await Promise.all([startClickHouse(), startReceiver()]);
  });
  afterAll(async () => {
    for (const n of nodes) {
      await n.leader.stop();
      await n.engine.stop();
      await n.store.close();
    }
    receiver?.server.close();
    await ch?.stop();
  });

  it('lets one node evaluate at a time; the other takes over when the lease lapses, without notifying again', async () => {
    const stores = await Promise.all([0, 1].map(() => createClickHouseStore({ url: ch.shards[0]!.url, database: 'alert_leader' })));
    // Node b's reads of the delivery queue (all deliveries of 30 days): at start, then only when it
    // starts evaluating, never while it follows.
    const deliveryReads: number[] = [];
    const plain = stores[1]!;
    stores[1] = new Proxy(plain, {
      get(target, prop, receiver) {
        if (prop === 'listAlertRecords') {
          return (kind: string, project?: string) => {
            if (kind === 'delivery') deliveryReads.push(nodes[1]?.now ?? T0);
            return target.listAlertRecords(kind as 'delivery', project);
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
      },
    });
    await stores[0]!.createProject(PROJECT);
    const [a, b] = [await startNode(stores[0]!, 'node-a', receiver.url), await startNode(stores[1]!, 'node-b', receiver.url)];
    nodes.push(a, b);
    // A rule created through node b's API reaches node a, which evaluates it.
    expect((await b!.engine.putRule(PROJECT, RULE)).ok).toBe(true);
    await a!.store.append([...spans(8, true, T0 + INTERVAL - MINUTE), ...spans(2, false, T0 + INTERVAL - MINUTE)]);

    expect(await checkAt(T0, a!, b!)).toEqual([true, false]);
    expect(await checkAt(T0 + INTERVAL / 3, a!, b!)).toEqual([true, false]);
    expect(await checkAt(T0 + (2 * INTERVAL) / 3, a!, b!)).toEqual([true, false]);
    expect([a!.ticks, receiver.received]).toEqual([[], []]);

    // One interval after start node a ticks: the alert fires and is notified once.
    expect(await checkAt(T0 + INTERVAL, a!, b!)).toEqual([true, false]);
    expect(a!.ticks).toEqual([T0 + INTERVAL]);
    expect(receiver.received.map((n) => [n.kind, n.rule_id])).toEqual([['firing', RULE.id]]);
    const firing = a!.engine.alerts(PROJECT);
    expect(firing.map((s) => [s.status, s.notified, s.fired_at, s.value])).toEqual([['firing', true, T0 + INTERVAL, 0.8]]);
    // Node b re-read what node a persisted: its alerts API answers the same.
    expect(b!.engine.alerts(PROJECT)).toEqual(firing);

    // Node a stops checking (it died). Its lease, renewed at T0 + INTERVAL, runs for two thirds of an interval.
    expect(await checkAt(T0 + (4 * INTERVAL) / 3, b!)).toEqual([false]);
    expect(await checkAt(T0 + (5 * INTERVAL) / 3, b!)).toEqual([true]);
    expect(b!.logs).toEqual(['alerts: node node-b now evaluates alerts']);
    expect(deliveryReads).toEqual([T0, T0 + (5 * INTERVAL) / 3]);
    // A takeover ticks at once, from the persisted states: still firing, not notified again.
    expect(b!.ticks).toEqual([T0 + (5 * INTERVAL) / 3]);
    expect(receiver.received.map((n) => n.kind)).toEqual(['firing']);
    expect(b!.engine.alerts(PROJECT).map((s) => [s.id, s.status, s.notified, s.fired_at])).toEqual([[firing[0]!.id, 'firing', true, T0 + INTERVAL]]);

    // The errors are diluted below the exit threshold: two clear ticks, one interval apart, resolve it once.
    await b!.store.append(spans(70, false, T0 + 2 * INTERVAL - MINUTE));
    expect(await checkAt(T0 + 2 * INTERVAL, b!)).toEqual([true]);
    expect(b!.ticks).toHaveLength(1);
    expect(await checkAt(T0 + (8 * INTERVAL) / 3, b!)).toEqual([true]);
    expect(b!.engine.alerts(PROJECT).map((s) => [s.status, s.streak])).toEqual([['firing', 1]]);
    expect(await checkAt(T0 + (11 * INTERVAL) / 3, b!)).toEqual([true]);
    expect(b!.ticks).toEqual([T0 + (5 * INTERVAL) / 3, T0 + (8 * INTERVAL) / 3, T0 + (11 * INTERVAL) / 3]);
    expect(receiver.received.map((n) => n.kind)).toEqual(['firing', 'resolved']);
    expect(deliveryReads).toEqual([T0, T0 + (5 * INTERVAL) / 3]);

    // Node a comes back (it was only paused): it finds the lease taken, follows, and ticks no more.
    expect(await checkAt(T0 + 4 * INTERVAL, a!, b!)).toEqual([false, true]);
    expect(a!.logs).toEqual(['alerts: node node-a now evaluates alerts', 'alerts: node node-a lost the alert lease']);
    expect(a!.ticks).toEqual([T0 + INTERVAL]);
    expect(a!.engine.alerts(PROJECT)).toEqual(b!.engine.alerts(PROJECT));
    expect(a!.engine.alerts(PROJECT).map((s) => [s.status, s.resolved_at])).toEqual([['resolved', T0 + (11 * INTERVAL) / 3]]);
    expect(receiver.received.map((n) => n.kind)).toEqual(['firing', 'resolved']);
  });
});

describe('alert leader on a DuckDB store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-leader-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('always leads and ticks once per interval, the first tick one interval after start', async () => {
    const store = await createDuckDbStore({ path: join(dir, 'leader.duckdb') });
    const node = await startNode(store, 'solo', 'http://127.0.0.1:9/unused');
    try {
      const leading: boolean[] = [];
      // Timers fire a little late or early; a check a few ms before the interval is up still ticks.
      for (const t of [0, 1, 2, 3, 4, 5, 6, 7].map((k) => T0 + Math.round((k * INTERVAL) / 3) + (k % 3 === 0 ? -5 : 5))) {
        leading.push(...(await checkAt(t, node)));
      }
      expect(leading).toEqual(Array(8).fill(true));
      expect(node.ticks).toEqual([T0 + INTERVAL - 5, T0 + 2 * INTERVAL - 5]);
      expect(node.logs).toEqual(['alerts: node solo now evaluates alerts']);
    } finally {
      await node.leader.stop();
      await node.engine.stop();
      await store.close();
    }
  });
});
