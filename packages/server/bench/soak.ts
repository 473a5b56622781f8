// Soak: `npm run soak` runs the built server for 10 minutes at half its measured capacity and
// prints, each minute, acknowledged throughput, ack latency p99 and the server's RSS. It fails
// (exit 1) when RSS or p99 drift: last minute's RSS above 1.5× the second minute's (the first
// includes warm-up), or last minute's p99 above 2× the first minute's (and above 50 ms).
// SOAK_MINUTES shortens the run; SOAK_CALIBRATE_S sets the capacity measurement (default 20 s).
// Not part of the default tests: it takes as long as it says.

import { rssMiB, runLoadgen, startServer, table, tempDir } from './support.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const CALIBRATE_S = Number(process.env.SOAK_CALIBRATE_S ?? 20);
const BATCH = 500;
const CONCURRENCY = 4;

async function main(): Promise<number> {
  const server = await startServer({ dataDir: tempDir('sightline-soak-') });
  const pid = server.process.pid!;
  try {
    const full = await runLoadgen(server, { batch: BATCH, concurrency: CONCURRENCY, 'duration-s': CALIBRATE_S });
    const rate = Math.max(BATCH, Math.round(full.events_per_s / 2));
    console.log(`capacity ${full.events_per_s.toLocaleString('en-US')} events/s (p99 ${full.latency_ms.p99} ms); soaking at ${rate.toLocaleString('en-US')} events/s for ${MINUTES} min`);

    const rows: { minute: number; eventsPerS: number; p99: number; rss: number; refused: number }[] = [];
    for (let minute = 1; minute <= MINUTES; minute++) {
      const r = await runLoadgen(server, { batch: BATCH, concurrency: CONCURRENCY, 'duration-s': 60, rate });
      const refused = Object.entries(r.status_counts)
        .filter(([status]) => !status.startsWith('2'))
        .reduce((n, [, count]) => n + count, 0);
      rows.push({ minute, eventsPerS: r.events_per_s, p99: r.latency_ms.p99, rss: rssMiB(pid), refused });
      const last = rows[rows.length - 1]!;
      console.log(`minute ${minute}: ${last.eventsPerS.toLocaleString('en-US')} events/s acked, ack p99 ${last.p99.toFixed(1)} ms, RSS ${last.rss.toFixed(0)} MiB, refused requests ${refused}`);
    }
    console.log(`\n${table(['minute', 'events/s', 'ack p99 ms', 'RSS MiB', 'refused'], rows.map((r) => [r.minute, r.eventsPerS, r.p99, r.rss, r.refused]))}`);

    const first = rows[0]!;
    const baseRss = (rows[1] ?? first).rss;
    const last = rows[rows.length - 1]!;
    const problems: string[] = [];
    if (last.rss > baseRss * 1.5) problems.push(`RSS grew from ${baseRss.toFixed(0)} to ${last.rss.toFixed(0)} MiB`);
    if (last.p99 > Math.max(50, first.p99 * 2)) problems.push(`ack p99 grew from ${first.p99} to ${last.p99} ms`);
    if (rows.some((r) => r.refused > 0)) problems.push('requests were refused at half capacity');
    console.log(problems.length === 0 ? '\nflat: RSS and ack latency held steady' : `\nNOT FLAT: ${problems.join('; ')}`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    await server.stop({ remove: true });
  }
}

process.exitCode = await main();
