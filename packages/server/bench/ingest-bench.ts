// Ingest benchmark: end-to-end POST /v1/events throughput (batches of 100 and 1000) and
// acknowledgement latency at half that load, with the load generator in its own process.
// Prints a markdown table. Run: npx tsx packages/server/bench/ingest-bench.ts [--seconds 10]

import { parseArgs } from 'node:util';
import { runLoadgen, startServer, table, rssMiB } from './support.js';
import type { LoadReport } from '../src/sim/loadgen.js';

export interface IngestBenchResult {
  batch100: LoadReport;
  batch1000: LoadReport;
  halfLoad: LoadReport;
  otherStatuses: string;
  serverRssMiB: number;
}

export async function ingestBench(seconds: number): Promise<IngestBenchResult> {
  const server = await startServer();
  try {
    // Warm up: JIT, DuckDB buffers, connections.
    await runLoadgen(server, { batch: 1000, concurrency: 4, 'duration-s': 2 });
    const batch100 = await runLoadgen(server, { batch: 100, concurrency: 64, 'duration-s': seconds });
    const batch1000 = await runLoadgen(server, { batch: 1000, concurrency: 16, 'duration-s': seconds });
    const half = Math.round(batch1000.events_per_s / 2);
    const halfLoad = await runLoadgen(server, { batch: 1000, concurrency: 16, 'duration-s': seconds, rate: half });
    const statuses = [batch100, batch1000, halfLoad]
      .flatMap((r) => Object.entries(r.status_counts))
      .filter(([s]) => s !== '200')
      .map(([s, n]) => `${s}×${n}`)
      .join(', ');
    return { batch100, batch1000, halfLoad, otherStatuses: statuses || 'none', serverRssMiB: rssMiB(server.process.pid!) };
  } finally {
    await server.stop({ remove: true });
  }
}

/**
 * `rawAppenderRowsPerS`: the bare appender in one transaction; `perCommitRowsPerS`: the same,
 * committing every 10,000 rows. Each event rate is shown as a ratio of both.
 */
export function ingestTable(r: IngestBenchResult, rawAppenderRowsPerS?: number, perCommitRowsPerS?: number): string {
  const ratio = (x: number, of?: number) => (of ? `${(x / of).toFixed(2)}×` : '–');
  const row = (name: string, l: LoadReport) => [name, Math.round(l.events_per_s), ratio(l.events_per_s, rawAppenderRowsPerS), ratio(l.events_per_s, perCommitRowsPerS), l.latency_ms.p50, l.latency_ms.p99];
  return table(
    ['measure', 'events/s', 'vs raw appender', 'vs appender committing every 10,000', 'ack p50 ms', 'ack p99 ms'],
    [
      row('POST /v1/events, batches of 100 (64 connections)', r.batch100),
      row('POST /v1/events, batches of 1000 (16 connections)', r.batch1000),
      row(`half of that load (${Math.round(r.batch1000.events_per_s / 2)}/s, batches of 1000)`, r.halfLoad),
    ],
  ) + `\n\nnon-200 answers: ${r.otherStatuses}; server RSS after the runs: ${r.serverRssMiB.toFixed(0)} MiB`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' } } });
  const r = await ingestBench(Number(values.seconds));
  console.log(ingestTable(r));
}
