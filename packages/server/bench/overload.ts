// Overload: `npm run bench:overload [-- --seconds 60]` measures the built server's ingest capacity
// (batches of 1000), then offers 4× that in an open loop — batches start on schedule whatever the
// answers, as a crowd of clients would send them — for --seconds, then half the capacity for
// --recovery-seconds. Every 10 s it prints offered and accepted events/s, 429s, other failures,
// ack p99 (from each batch's scheduled start) and the server's RSS; at the end a markdown table and
// a verdict. It fails (exit 1) when the server does not shed the excess with 429s (5xx, dropped
// connections, or nothing refused), accepts less than half its capacity while overloaded, its RSS
// peaks more than RSS_BUDGET_MIB above the start, or after the overload throughput does not follow
// the offered load or 429s do not stop.
// Not part of the default tests: it takes as long as it says.

import { parseArgs } from 'node:util';
import type { LoadReport } from '../src/sim/loadgen.js';
import { rssMiB, runLoadgen, startServer, table, tempDir, type RunningServer } from './support.js';

const BATCH = 1000;
const OVERLOAD = 4;
const RECOVERY = 0.5;
const REPORT_EVERY_S = 10;
/** Connections the open loop may use; past that, batches wait client-side (counted in their latency). */
const OPEN_CONNECTIONS = 256;
/**
 * RSS may grow this much over the start: DuckDB keeps up to its 512 MB checkpoint threshold of
 * WAL-backed data in memory between checkpoints (duckdb-engine.ts), whatever the load; the rest is
 * for queued spans (≈ 2 s of commits) and request bodies in flight.
 */
const RSS_BUDGET_MIB = 1024;

interface Row {
  phase: string;
  at: number;
  offered: number;
  accepted: number;
  refused429: number;
  failed: number;
  /** Status → count of the failed requests ("error": no HTTP answer). */
  failures: string;
  p99: number;
  rss: number;
}

const count = (r: LoadReport, accept: (status: string) => boolean) =>
  Object.entries(r.status_counts).filter(([s]) => accept(s)).reduce((n, [, c]) => n + c, 0);

/**
 * One open-loop phase at `rate`, a row per interval with the server's RSS sampled at its end; `at`
 * counts seconds from `zero` (ms). Intervals after the schedule ended wait for answers in flight.
 */
async function phase(server: RunningServer, name: string, rate: number, seconds: number, zero: number): Promise<Row[]> {
  const rows: Row[] = [];
  const pid = server.process.pid!;
  const onInterval = (r: LoadReport) => {
    const row: Row = {
      // After the schedule ended: the answers to batches still in flight.
      phase: r.sent_events === 0 ? `${name} (answers in flight)` : name,
      at: Math.round((Date.now() - zero) / 1000),
      offered: Math.round(r.sent_events / r.duration_s),
      accepted: r.events_per_s,
      refused429: count(r, (s) => s === '429'),
      failed: count(r, (s) => !s.startsWith('2') && s !== '429'),
      failures: Object.entries(r.status_counts).filter(([s]) => !s.startsWith('2') && s !== '429').map(([s, c]) => `${s}×${c}`).join(' '),
      p99: r.latency_ms.p99,
      rss: rssMiB(pid),
    };
    rows.push(row);
    const fmt = (n: number) => n.toLocaleString('en-US');
    console.log(
      `${String(row.at).padStart(4)} s ${name}: offered ${fmt(row.offered)} events/s, accepted ${fmt(row.accepted)} events/s, ` +
        `429 ×${row.refused429}, failed ×${row.failed}${row.failures && ` (${row.failures})`}, ack p99 ${row.p99.toFixed(0)} ms, RSS ${row.rss.toFixed(0)} MiB`,
    );
  };
  await runLoadgen(
    server,
    { batch: BATCH, concurrency: OPEN_CONNECTIONS, 'duration-s': seconds, rate, 'open-loop': true, 'report-every-s': REPORT_EVERY_S },
    onInterval,
  );
  return rows;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      'recovery-seconds': { type: 'string', default: '20' },
      'calibrate-seconds': { type: 'string', default: '10' },
    },
  });
  const seconds = Number(values.seconds);
  const recoverySeconds = Number(values['recovery-seconds']);
  const server = await startServer({ dataDir: tempDir('sightline-overload-') });
  const pid = server.process.pid!;
  try {
    await runLoadgen(server, { batch: BATCH, concurrency: 4, 'duration-s': 2 }); // warm-up: JIT, DuckDB buffers
    const full = await runLoadgen(server, { batch: BATCH, concurrency: 16, 'duration-s': Number(values['calibrate-seconds']) });
    const capacity = full.events_per_s;
    const rssStart = rssMiB(pid);
    console.log(
      `capacity ${capacity.toLocaleString('en-US')} events/s (batches of ${BATCH}, 16 connections, ack p99 ${full.latency_ms.p99} ms); ` +
        `RSS ${rssStart.toFixed(0)} MiB. Offering ${OVERLOAD}× for ${seconds} s, then ${RECOVERY}× for ${recoverySeconds} s.\n`,
    );
    let rssMax = rssStart;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssMiB(pid))), 250);
    const zero = Date.now();
    const overload = await phase(server, `${OVERLOAD}× overload`, capacity * OVERLOAD, seconds, zero);
    const recovery = await phase(server, `${RECOVERY}× recovery`, capacity * RECOVERY, recoverySeconds, zero);
    clearInterval(sampler);
    const rows = [...overload, ...recovery];
    console.log(
      `\n${table(
        ['phase', 'at s', 'offered events/s', 'accepted events/s', '429s', 'failed', 'ack p99 ms', 'RSS MiB'],
        rows.map((r) => [r.phase, r.at, r.offered, r.accepted, r.refused429, r.failed, Math.round(r.p99), Math.round(r.rss)]),
      )}`,
    );

    const problems: string[] = [];
    const scheduled = (rows: Row[]) => rows.filter((r) => r.offered > 0);
    const overloadAccepted = scheduled(overload).reduce((n, r) => n + r.accepted, 0) / Math.max(1, scheduled(overload).length);
    if (overload.some((r) => r.failed > 0)) problems.push('requests failed (5xx or dropped) under overload instead of 429');
    if (overload.every((r) => r.refused429 === 0)) problems.push('nothing was refused with 429 under overload');
    if (overloadAccepted < capacity / 2) problems.push(`accepted only ${Math.round(overloadAccepted)} events/s under overload (capacity ${capacity})`);
    if (rssMax > rssStart + RSS_BUDGET_MIB) problems.push(`RSS peaked at ${rssMax.toFixed(0)} MiB, more than ${RSS_BUDGET_MIB} MiB over the start`);
    const last = scheduled(recovery).at(-1);
    if (last === undefined || last.refused429 > 0 || last.failed > 0) problems.push('429s or failures did not stop after the overload');
    else if (last.accepted < last.offered * 0.95) problems.push(`after the overload only ${last.accepted} of ${last.offered} offered events/s were accepted`);
    console.log(
      `\nRSS max ${rssMax.toFixed(0)} MiB vs ${rssStart.toFixed(0)} MiB at start (${(rssMax / rssStart).toFixed(2)}×); ` +
        `accepted under ${OVERLOAD}× overload ${Math.round(overloadAccepted).toLocaleString('en-US')} events/s ` +
        `(${((overloadAccepted / capacity) * 100).toFixed(0)}% of capacity)` +
        (problems.length === 0 ? '\nverdict: PASS — sheds the excess with 429, memory bounded, recovers' : `\nverdict: FAIL — ${problems.join('; ')}`),
    );
    return problems.length === 0 ? 0 : 1;
  } finally {
    await server.stop({ remove: true });
  }
}

process.exitCode = await main();
