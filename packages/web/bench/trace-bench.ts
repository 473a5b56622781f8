// Big-trace benchmark: one trace of N spans (default 10,000, content captured) stored in a fresh
// server; times the full trace read (GET /api/traces/{id}), the viewer's outline read
// (GET /api/traces/{id}/outline) and one span's detail, with payload sizes, and the browser's time
// from navigation to the first paint of the waterfall (the app's "waterfall-painted" mark), in a new
// tab and by an in-app link from the trace list.
// Figures are medians of repeated runs, compared as ratios within one run; nothing is asserted.
//
//   npx tsx packages/web/bench/trace-bench.ts [--spans 10000] [--runs 7] [--server-only]
//
// Needs the server built (npx tsc -p packages/server/tsconfig.build.json) and packages/web/dist.

import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { startServer } from '../../server/test/support/server.js';
import { postBigTrace } from '../test/support/big-trace.js';
import { createReadKey, launchChromium } from '../test/support/browser.js';

/** Median time of `runs` reads of `url` (uncompressed, as a script would read it) and the body's size, raw and gzipped. */
async function timed(url: string, key: string, runs: number): Promise<{ ms: number; bytes: number; gzip: number }> {
  const times: number[] = [];
  let last = Buffer.alloc(0);
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${key}`, 'accept-encoding': 'identity' } });
    const body = await res.arrayBuffer();
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${Buffer.from(body).toString()}`);
    last = Buffer.from(body);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, bytes: last.length, gzip: gzipSync(last).length };
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({ options: { spans: { type: 'string', default: '10000' }, runs: { type: 'string', default: '7' }, 'server-only': { type: 'boolean' } } });
  const n = Number(a.spans);
  const runs = Number(a.runs);
  const server = await startServer({ args: ['--capture-content'] });
  try {
    const key = await createReadKey(server);
    const traceId = 'b16'.padEnd(32, '0');
    const start = Date.now() - 60_000;
    await postBigTrace(server.url, server.adminKey, traceId, n, start);
    const base = `${server.url}/api/traces/${traceId}`;
    const full = await timed(base, key, runs);
    const fullHinted = await timed(`${base}?at=${start}`, key, runs);
    const outline = await timed(`${base}/outline`, key, runs);
    const outlineHinted = await timed(`${base}/outline?at=${start}`, key, runs);
    const span = await timed(`${base}/spans/s3?at=${start}`, key, runs);
    const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;
    console.log(`one trace of ${n.toLocaleString('en-US')} spans with captured content; medians of ${runs} runs\n`);
    console.log('| read | time (median) | payload | gzipped |');
    console.log('|---|---:|---:|---:|');
    console.log(`| GET /api/traces/{id} (full spans) | ${full.ms.toFixed(0)} ms | ${kb(full.bytes)} | ${kb(full.gzip)} |`);
    console.log(`| GET /api/traces/{id}?at= (full spans) | ${fullHinted.ms.toFixed(0)} ms | ${kb(fullHinted.bytes)} | ${kb(fullHinted.gzip)} |`);
    console.log(`| GET /api/traces/{id}/outline (the viewer's read) | ${outline.ms.toFixed(0)} ms | ${kb(outline.bytes)} | ${kb(outline.gzip)} |`);
    console.log(`| GET /api/traces/{id}/outline?at= | ${outlineHinted.ms.toFixed(0)} ms | ${kb(outlineHinted.bytes)} | ${kb(outlineHinted.gzip)} |`);
    console.log(`| GET /api/traces/{id}/spans/{span}?at= (on selection) | ${span.ms.toFixed(0)} ms | ${kb(span.bytes)} | ${kb(span.gzip)} |`);
    if (a['server-only']) return;
    const browser = await launchChromium();
    const paints: number[] = [];
    const inApp: number[] = [];
    const returning: { painted: number; store: number }[] = [];
    const fetches: [number, number, number][] = [];
    let rowsInDom = 0;
    try {
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        await context.addInitScript((k: string) => sessionStorage.setItem('sightline.key', k), key);
        const page = await context.newPage();
        await page.goto(`${server.url}/traces/${traceId}?at=${start}`);
        await page.waitForSelector('body[data-waterfall-painted]', { timeout: 60_000 });
        const marks = await page.evaluate(() => {
          const outline = performance.getEntriesByType('resource').find((e) => e.name.includes('/outline')) as PerformanceResourceTiming | undefined;
          const store = outline?.serverTiming.find((t) => t.name === 'store')?.duration ?? 0;
          return { painted: performance.getEntriesByName('waterfall-painted')[0]!.startTime, asked: outline?.requestStart ?? 0, answered: outline?.responseEnd ?? 0, store };
        });
        paints.push(marks.painted);
        fetches.push([marks.asked, marks.answered, marks.store]);
        rowsInDom = await page.locator('.wf-row').count();
        await context.close();
      }
      // A new tab of a profile that has opened the dashboard before (bundle cached), runs + 1 warm-up.
      const profile = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await profile.addInitScript((k: string) => sessionStorage.setItem('sightline.key', k), key);
      for (let i = 0; i <= runs; i++) {
        const tab = await profile.newPage();
        await tab.goto(`${server.url}/traces/${traceId}?at=${start}`);
        await tab.waitForSelector('body[data-waterfall-painted]', { timeout: 60_000 });
        const m = await tab.evaluate(() => {
          const outline = performance.getEntriesByType('resource').find((e) => e.name.includes('/outline')) as PerformanceResourceTiming | undefined;
          return { painted: performance.getEntriesByName('waterfall-painted')[0]!.startTime, store: outline?.serverTiming.find((t) => t.name === 'store')?.duration ?? 0 };
        });
        if (i > 0) returning.push(m);
        await tab.close();
      }
      await profile.close();
      // Opened by an in-app link from the trace list, the app already running (runs + 1 warm-up).
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await context.addInitScript((k: string) => sessionStorage.setItem('sightline.key', k), key);
      const page = await context.newPage();
      for (let i = 0; i <= runs; i++) {
        await page.goto(`${server.url}/traces?range=1h`);
        await page.locator('table[aria-label="Traces"] tbody tr').first().waitFor();
        const ms = await page.evaluate(async (to) => {
          delete document.body.dataset.waterfallPainted;
          const a = document.createElement('a');
          a.href = to;
          document.body.append(a);
          const clickAt = performance.now();
          a.click();
          a.remove();
          while (!document.body.dataset.waterfallPainted) await new Promise((r) => setTimeout(r, 5));
          return performance.getEntriesByName('waterfall-painted').at(-1)!.startTime - clickAt;
        }, `/traces/${traceId}?at=${start}`);
        if (i > 0) inApp.push(ms);
      }
      await context.close();
    } finally {
      await browser.close();
    }
    inApp.sort((x, y) => x - y);
    returning.sort((x, y) => x.painted - y.painted);
    paints.sort((x, y) => x - y);
    console.log(`\n| browser (Chromium 1440×900) | value |`);
    console.log('|---|---:|');
    console.log(`| navigation → waterfall painted, median | ${paints[Math.floor(paints.length / 2)]!.toFixed(0)} ms |`);
    console.log(`| navigation → waterfall painted, max | ${paints[paints.length - 1]!.toFixed(0)} ms |`);
    const midReturning = returning[Math.floor(returning.length / 2)]!;
    console.log(`| returning (new tab, bundle cached) → waterfall painted, median | ${midReturning.painted.toFixed(0)} ms (store's read ${midReturning.store.toFixed(0)} ms) |`);
    console.log(`| in-app link from the trace list → waterfall painted, median | ${inApp[Math.floor(inApp.length / 2)]!.toFixed(0)} ms |`);
    console.log(`| in-app link from the trace list → waterfall painted, max | ${inApp[inApp.length - 1]!.toFixed(0)} ms |`);
    console.log(`| waterfall rows in the DOM | ${rowsInDom} of ${n.toLocaleString('en-US')} |`);
    fetches.sort((x, y) => x[1] - y[1]);
    const [asked, answered, store] = fetches[Math.floor(fetches.length / 2)]!;
    console.log(`| of which: navigation → outline requested (public/early-outline.js) | ${asked.toFixed(0)} ms |`);
    console.log(`| of which: outline request → response complete | ${(answered - asked).toFixed(0)} ms |`);
    console.log(`| of which, within it: the store's read (Server-Timing) | ${store.toFixed(0)} ms |`);
    console.log(`| of which: response → waterfall painted (decode, tree, render) | ${(paints[Math.floor(paints.length / 2)]! - answered).toFixed(0)} ms |`);
  } finally {
    await server.stop({ remove: true });
  }
}

await main();
