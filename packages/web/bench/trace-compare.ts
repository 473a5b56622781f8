// The trace page of one big trace in this checkout against another built checkout (e.g. main
// exported with `git archive main | tar -x -C /tmp/base`, node_modules linked, its server built and
// its packages/web/dist in place): two servers with the same trace, Chromium navigations
// alternating between them, so both sides share the machine's load. Prints medians and ratios;
// nothing is asserted.
//
//   npx tsx packages/web/bench/trace-compare.ts --baseline /tmp/base [--spans 10000] [--runs 9]

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startServer, type RunningServer } from '../../server/test/support/server.js';
import { postBigTrace } from '../test/support/big-trace.js';
import { createReadKey, launchChromium } from '../test/support/browser.js';

/** One navigation's marks, ms from navigation start. */
interface Sample {
  painted: number;
  asked: number;
  answered: number;
}

interface Side {
  name: string;
  server: RunningServer;
  key: string;
  samples: Sample[];
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const { values: a } = parseArgs({ options: { baseline: { type: 'string' }, spans: { type: 'string', default: '10000' }, runs: { type: 'string', default: '9' } } });
  if (!a.baseline) throw new Error('--baseline <path of a built checkout> is required');
  const n = Number(a.spans);
  const runs = Number(a.runs);
  const other = (await import(resolve(a.baseline, 'packages/server/test/support/server.js'))) as { startServer: typeof startServer };
  const traceId = 'b16'.padEnd(32, '0');
  const start = Date.now() - 60_000;
  const sides: Side[] = [];
  try {
    for (const [name, launch] of [['baseline', other.startServer], ['this checkout', startServer]] as const) {
      const server = await launch({ args: ['--capture-content'] });
      sides.push({ name, server, key: await createReadKey(server), samples: [] });
      await postBigTrace(server.url, server.adminKey, traceId, n, start);
    }
    const browser = await launchChromium();
    try {
      for (let i = 0; i < runs; i++) {
        // Each side goes first in every other round, so neither always meets the other's leftovers.
        for (const side of i % 2 === 0 ? sides : [...sides].reverse()) {
          const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
          await context.addInitScript((k: string) => sessionStorage.setItem('sightline.key', k), side.key);
          const page = await context.newPage();
          await page.goto(`${side.server.url}/traces/${traceId}?at=${start}`);
          await page.waitForSelector('body[data-waterfall-painted]', { timeout: 60_000 });
          side.samples.push(
            await page.evaluate(() => {
              const outline = performance.getEntriesByType('resource').find((e) => e.name.includes('/outline')) as PerformanceResourceTiming | undefined;
              return { painted: performance.getEntriesByName('waterfall-painted')[0]!.startTime, asked: outline?.requestStart ?? 0, answered: outline?.responseEnd ?? 0 };
            }),
          );
          await context.close();
        }
      }
    } finally {
      await browser.close();
    }
  } finally {
    for (const side of sides) await side.server.stop({ remove: true });
  }
  const [base, mine] = sides as [Side, Side];
  const rows: [string, (s: Sample) => number][] = [
    ['navigation → waterfall painted', (s) => s.painted],
    ['navigation → outline requested', (s) => s.asked],
    ['outline request → response complete', (s) => s.answered - s.asked],
    ['response → waterfall painted', (s) => s.painted - s.answered],
  ];
  console.log(`one trace of ${n.toLocaleString('en-US')} spans, Chromium 1440×900, medians of ${runs} navigations each, alternating\n`);
  console.log(`| | ${base.name} | ${mine.name} | ratio |`);
  console.log('|---|---:|---:|---:|');
  for (const [label, f] of rows) {
    const b = median(base.samples.map(f));
    const m = median(mine.samples.map(f));
    console.log(`| ${label} | ${b.toFixed(0)} ms | ${m.toFixed(0)} ms | ${(m / b).toFixed(2)} |`);
  }
  const worst = (side: Side) => Math.max(...side.samples.map((s) => s.painted));
  console.log(`| navigation → waterfall painted, max | ${worst(base).toFixed(0)} ms | ${worst(mine).toFixed(0)} ms | ${(worst(mine) / worst(base)).toFixed(2)} |`);
}

await main();
