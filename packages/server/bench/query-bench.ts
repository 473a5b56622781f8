// Query benchmark: 7 days of simulated fleet traffic written straight into a DuckDB data dir
// (1M, then 10M spans), then the dashboard's queries timed over real HTTP against the built
// server on that dir (median of repeated runs), with data-dir size and server RSS.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../src/model/limits.js';
import type { Span } from '../src/model/span.js';
import { createIngestPipeline } from '../src/ingest/pipeline.js';
import { createPriceTable } from '../src/ingest/pricing.js';
import { createFleet } from '../src/sim/fleet.js';
import { simulate } from '../src/sim/simulate.js';
import { createDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { median, rssMiB, startServer, table, tempDir } from './support.js';

const DAY = 86_400_000;
/** Spans per trace of the default fleet, measured once below and used to size the traffic. */
const SPANS_PER_TRACE_GUESS = 6;

export interface QueryBenchRow {
  spans: number;
  loadRowsPerS: number;
  overviewMs: number;
  p95PerModelHourMs: number;
  costPerDecisionMs: number;
  traceMs: number;
  traceAtMs: number;
  mbPerMillion: number;
  rssMiB: number;
}

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

/** Appends spans of 7 simulated days ending at `end` until `target` spans are in the store (also the web benchmark's fill). */
export async function fill(dataDir: string, have: number, target: number, end: number, seed: number): Promise<{ added: number; seconds: number; traceId: string; traceAt: number }> {
  const store = await createDuckDbStore({ path: join(dataDir, 'sightline.duckdb') });
  const pipeline = createIngestPipeline({ limits: DEFAULT_LIMITS, prices: createPriceTable() });
  const need = target - have;
  const perMinute = need / (7 * 1440 * 20 * SPANS_PER_TRACE_GUESS);
  const fleet = createFleet({ seed, agents: 20, tracesPerMinutePerAgent: perMinute, traceIdPrefix: seed.toString(16).padStart(4, '0') });
  let batch: unknown[] = [];
  let added = 0;
  let traceId = '';
  let traceAt = 0;
  const started = performance.now();
  const flush = async () => {
    const { spans } = pipeline.process(batch, { project: 'default', now: end });
    batch = [];
    await store.append(spans as Span[]);
    added += spans.length;
  };
  for (const trace of simulate(fleet, { from: end - 7 * DAY, to: end })) {
    if (added + batch.length >= need) break;
    batch.push(...trace);
    if (!traceId && added > need / 2) {
      traceId = (trace[0] as { trace_id: string }).trace_id;
      traceAt = (trace[0] as { timestamp: number }).timestamp;
    }
    if (batch.length >= 20_000) await flush();
  }
  if (batch.length > 0) await flush();
  await store.close();
  return { added, seconds: (performance.now() - started) / 1000, traceId, traceAt };
}

async function timed(url: string, key: string, runs = 7): Promise<number> {
  const once = async () => {
    const t = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    return performance.now() - t;
  };
  await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  return median(times);
}

export async function queryBench(sizes: number[]): Promise<QueryBenchRow[]> {
  const dataDir = tempDir('sightline-qbench-');
  const end = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const rows: QueryBenchRow[] = [];
  let have = 0;
  for (const [i, size] of sizes.entries()) {
    const filled = await fill(dataDir, have, size, end, i + 1);
    have += filled.added;
    const server = await startServer({ dataDir });
    try {
      const q = `from=${end - 7 * DAY}&to=${end}`;
      rows.push({
        spans: have,
        loadRowsPerS: filled.added / filled.seconds,
        overviewMs: await timed(`${server.url}/api/overview?${q}`, server.adminKey),
        p95PerModelHourMs: await timed(`${server.url}/api/timeseries?metric=latency_p95&interval=1h&group_by=model&${q}`, server.adminKey),
        costPerDecisionMs: await timed(`${server.url}/api/timeseries?metric=cost&interval=1d&group_by=decision&${q}`, server.adminKey),
        traceMs: await timed(`${server.url}/api/traces/${filled.traceId}`, server.adminKey),
        traceAtMs: await timed(`${server.url}/api/traces/${filled.traceId}?at=${filled.traceAt}`, server.adminKey),
        mbPerMillion: dirBytes(dataDir) / 1e6 / (have / 1e6),
        rssMiB: rssMiB(server.process.pid!),
      });
    } finally {
      await server.stop();
    }
  }
  return rows;
}

export function queryTable(rows: QueryBenchRow[]): string {
  return table(
    ['stored spans (7 days)', 'overview ms', 'p95 per model per hour ms', 'cost per decision ms', 'one trace ms', 'one trace with ?at= ms', 'MB per 1M spans', 'server RSS MiB', 'bulk load rows/s'],
    rows.map((r) => [r.spans, r.overviewMs, r.p95PerModelHourMs, r.costPerDecisionMs, r.traceMs, r.traceAtMs, r.mbPerMillion, Math.round(r.rssMiB), Math.round(r.loadRowsPerS)]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = (process.argv[2] ?? '1000000').split(',').map(Number);
  console.log(queryTable(await queryBench(sizes)));
}
