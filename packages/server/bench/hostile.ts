// Hostile load: `npm run bench:hostile [-- --seed-seconds 30 --only 3,7]` replays every finding of
// issue 24 against the built server with default settings (loopback only; each case bounded in
// requests and time) and prints a table: case, answers, worst /api/health latency during it (on the
// main port and on the health port, --health-port, which probes use so as not to queue behind ingest connections), peak
// RSS, acknowledged events missing from the store, stored events that were answered with an
// error (a retrying client would store them twice), and the server's CPU time (whole process and
// its main thread: unlike latencies, it does not depend on how busy the shared machine is). Goals: health ≤ 1 s on both ports in every case, peak RSS ≤
// 1.5 GB, nothing acknowledged lost, nothing stored behind an error answer, and each case's own
// expected answers. Exit 1 when any goal is missed.
// Not part of the default tests: it takes a few minutes.

import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { CaseContext, CaseOutcome, HostileCase } from './hostile-case.js';
import { CASES, seedSpans } from './hostile-cases.js';
import { json, send, startProbe } from './hostile-support.js';
import { startServer as startBenchServer, table, tempDir, type RunningServer } from './support.js';

const HEALTH_GOAL_MS = 1_000;
const RSS_GOAL_MIB = 1_500 * 1_000_000 / 1_048_576;
const CASE_TIMEOUT_MS = 240_000;

/** Every server of the suite listens on a health port too, probed beside the main port. */
const startServer = (opts: { dataDir: string; adminKey?: string }) => startBenchServer({ ...opts, healthPort: 0 });

/** One probe on each port; only the main port's watches RSS and CPU (it is the same process). */
function startProbes(server: RunningServer) {
  const main = startProbe(server.url, server.process.pid!);
  const health = startProbe(server.healthUrl!, null);
  return {
    pause() {
      main.pause();
      health.pause();
    },
    resume(next: RunningServer) {
      main.resume(next.url, next.process.pid!);
      health.resume(next.healthUrl!, null);
    },
    async stop() {
      const [m, h] = await Promise.all([main.stop(), health.stop()]);
      return { ...m, worstHealthPortMs: h.worstHealthMs };
    },
  };
}

interface Row {
  item: string;
  name: string;
  outcome: CaseOutcome;
  healthMs: number;
  /** The same probe on the health port. */
  healthPortMs: number;
  rssMiB: number;
  lost: number;
  storedErrored: number;
  mainCpuS: number;
  cpuS: number;
  /** The machine's 1-minute load average when the case ended (2 cores, shared). */
  load: number;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'seed-seconds': { type: 'string', default: '30' }, only: { type: 'string' } } });
  const only = values.only?.split(',');
  let probe: ReturnType<typeof startProbes> | null = null;
  const ctx: CaseContext = {
    server: await startServer({ dataDir: tempDir('sightline-hostile-') }),
    async restart() {
      // A restart is downtime on purpose: /api/health is not probed while it lasts.
      probe?.pause();
      const { dataDir, adminKey } = this.server;
      await this.server.stop();
      this.server = await startServer({ dataDir, adminKey });
      probe?.resume(this.server);
    },
    async spans() {
      // A server killed by a case (out of memory) is started again on its data, and said so.
      if (this.server.process.exitCode !== null || this.server.process.signalCode !== null) {
        console.log(`the server exited (${this.server.process.signalCode ?? this.server.process.exitCode}); starting it again on the same data`);
        this.server = await startServer({ dataDir: this.server.dataDir, adminKey: this.server.adminKey });
      }
      const status = json<{ store: { spans: number } }>(await send(`${this.server.url}/api/status`, { key: this.server.adminKey, timeoutMs: 300_000 }));
      if (status === null) throw new Error('GET /api/status failed');
      return status.store.spans;
    },
  };
  const seed: HostileCase = {
    item: '–',
    name: `seed: ${values['seed-seconds']} s of batches of 5,000 (for the heavy reads)`,
    async run() {
      const acked = await seedSpans(ctx.server, Number(values['seed-seconds']));
      return { answers: `${acked.toLocaleString('en-US')} events acknowledged`, acked, ok: true, note: '' };
    },
  };
  const rows: Row[] = [];
  try {
    for (const c of [seed, ...CASES]) {
      if (only && !only.includes(c.item) && c !== seed) continue;
      if (only && c === seed && !only.includes('3')) continue;
      const before = await ctx.spans();
      probe = startProbes(ctx.server);
      let outcome: CaseOutcome;
      try {
        outcome = await Promise.race([
          c.run(ctx),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${CASE_TIMEOUT_MS / 1000} s`)), CASE_TIMEOUT_MS).unref()),
        ]);
      } catch (err) {
        outcome = { answers: 'failed', acked: 0, ok: false, note: (err as Error).message };
      }
      const { worstHealthMs, worstHealthPortMs, peakRssMiB, mainCpuS, cpuS } = await probe.stop();
      probe = null;
      const stored = (await ctx.spans()) - before;
      const row: Row = {
        item: c.item,
        name: c.name,
        outcome,
        healthMs: worstHealthMs,
        healthPortMs: worstHealthPortMs,
        rssMiB: peakRssMiB,
        lost: Math.max(0, outcome.acked - stored),
        storedErrored: Math.max(0, stored - outcome.acked),
        mainCpuS,
        cpuS,
        load: loadavg()[0]!,
      };
      rows.push(row);
      console.log(`item ${row.item} ${row.name}: ${outcome.answers}; health ≤ ${Math.round(row.healthMs)} ms (health port ≤ ${Math.round(row.healthPortMs)} ms); RSS ${Math.round(row.rssMiB)} MiB; server CPU ${row.cpuS.toFixed(1)} s, main thread ${row.mainCpuS.toFixed(1)} s; load ${row.load.toFixed(1)}; lost ${row.lost}; stored behind an error ${row.storedErrored}${outcome.note && `; ${outcome.note}`}`);
    }
  } finally {
    await ctx.server.stop({ remove: true });
  }
  const verdict = (r: Row) => {
    const misses: string[] = [];
    if (!r.outcome.ok) misses.push('answers');
    if (r.healthMs > HEALTH_GOAL_MS) misses.push('health');
    if (r.healthPortMs > HEALTH_GOAL_MS) misses.push('health port');
    if (r.rssMiB > RSS_GOAL_MIB) misses.push('RSS');
    if (r.lost > 0) misses.push('lost');
    if (r.storedErrored > 0) misses.push('stored behind error');
    return misses.length === 0 ? 'pass' : `FAIL (${misses.join(', ')})`;
  };
  console.log(
    `\n${table(
      ['item', 'case', 'answers', 'worst health ms (main / health port)', 'peak RSS MiB', 'acked lost', 'stored, answered error', 'server CPU s (main thread)', 'machine load', 'verdict', 'notes'],
      rows.map((r) => [r.item, r.name, r.outcome.answers, `${Math.round(r.healthMs)} / ${Math.round(r.healthPortMs)}`, Math.round(r.rssMiB), r.lost, r.storedErrored, `${r.cpuS.toFixed(1)} (${r.mainCpuS.toFixed(1)})`, r.load.toFixed(1), verdict(r), r.outcome.note]),
    )}`,
  );
  const failed = rows.filter((r) => verdict(r) !== 'pass');
  console.log(`\ngoals: health ≤ ${HEALTH_GOAL_MS} ms on both ports, peak RSS ≤ 1.5 GB, 0 acknowledged events lost, 0 stored events answered with an error`);
  console.log(failed.length === 0 ? 'verdict: PASS — every case' : `verdict: FAIL — ${failed.length} of ${rows.length} cases: ${failed.map((r) => `item ${r.item} "${r.name}"`).join('; ')}`);
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
