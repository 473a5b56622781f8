// Why a page is slow: every API request each dashboard page makes on load, with how long it took
// in the browser, and then the same URL alone with nothing else running (one request at a time),
// so the time a query needs can be told from the time it waited for the 2 cores; and when, after
// navigation, each was sent and answered, to tell a slow request from a slow page. Against the
// built server on the cached fleet fill, like web-bench.ts. Needs `npm run build` first.
//
//   npx tsx packages/web/bench/page-requests.ts [--spans 10000000] [--range 1h] [--pages Overview,Decisions]

import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fleetDataDir } from '../../server/bench/fleet-fill.js';
import { median, startServer, table } from '../../server/bench/support.js';
import { createReadKey, launchChromium } from '../test/support/browser.js';
import { PAGES, timeToData } from './web-bench.js';

const { values } = parseArgs({
  options: {
    spans: { type: 'string', default: '10000000' },
    range: { type: 'string', default: '1h' },
    pages: { type: 'string', default: PAGES.map((p) => p.name).join(',') },
    alone: { type: 'string', default: '3' },
  },
});
const wanted = new Set(values.pages.split(','));
const end = Math.floor(Date.now() / 60_000) * 60_000;
const filled = await fleetDataDir(Number(values.spans), end);
console.error(filled.note);
const server = await startServer({ dataDir: filled.dataDir });
const browser = await launchChromium();
const rows: (string | number)[][] = [];
try {
  const key = await createReadKey(server);
  for (const p of PAGES.filter((x) => wanted.has(x.name))) {
    let requests: { url: string; ms: number; start: number; end: number }[] = [];
    let pageMs = 0;
    // A warm-up load, then the measured one.
    for (let i = 0; i < 2; i++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await context.addInitScript((k: string) => sessionStorage.setItem('sightline.key', k), key);
      const tab = await context.newPage();
      await tab.goto(`${server.url}${p.path}?range=${values.range}`);
      pageMs = (await timeToData(tab)).ms;
      requests = await tab.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .map((e) => e as PerformanceResourceTiming)
          .filter((e) => e.name.includes('/api/') && !e.name.includes('/api/live'))
          .map((e) => ({ url: e.name.slice(e.name.indexOf('/api/')), ms: e.duration, start: e.startTime, end: e.responseEnd }))
          .sort((a, b) => a.start - b.start),
      );
      await context.close();
    }
    for (const r of requests) {
      const alone: number[] = [];
      for (let i = 0; i < Number(values.alone); i++) {
        const t = performance.now();
        const res = await fetch(`${server.url}${r.url}`, { headers: { authorization: `Bearer ${key}` } });
        await res.arrayBuffer();
        alone.push(performance.now() - t);
      }
      rows.push([p.name, Math.round(pageMs), r.url, Math.round(r.start), Math.round(r.end), Math.round(r.ms), Math.round(median(alone))]);
    }
  }
} finally {
  await browser.close();
  await server.stop();
  rmSync(filled.dataDir, { recursive: true, force: true });
}
console.log(table(['page', 'time to data ms', 'request', 'sent at ms', 'answered at ms', 'in the page ms', 'alone ms (median)'], rows));
