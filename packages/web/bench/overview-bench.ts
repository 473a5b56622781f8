// Overview benchmark: time from navigation to every overview panel drawn (the app's
// "overview-complete" performance mark), median of repeated loads in Chromium, and the initial
// JS size (gzip). Either fills a fresh server with the simulator, or measures a running one:
//
//   npx tsx packages/web/bench/overview-bench.ts [--hours 6] [--agents 20] [--rate 20] [--runs 7] [--range 24h]
//   npx tsx packages/web/bench/overview-bench.ts --url http://127.0.0.1:4318 --key "$KEY" --range 7d
//
// Needs `npm run build` first (the server CLI and packages/web/dist).

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../server/test/support/server.js';
import { createReadKey, fillWithFleet, launchChromium } from '../test/support/browser.js';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

function initialJsGzip(): { files: string[]; raw: number; gzip: number } {
  const html = readFileSync(`${DIST}index.html`, 'utf8');
  const files = [...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\/([^"]+\.js)"/g)].map((m) => m[1]!);
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const buf = readFileSync(`${DIST}${f}`);
    raw += buf.length;
    gzip += gzipSync(buf, { level: 9 }).length;
  }
  return { files, raw, gzip };
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      url: { type: 'string' },
      key: { type: 'string' },
      hours: { type: 'string', default: '6' },
      agents: { type: 'string', default: '20' },
      rate: { type: 'string', default: '20' },
      runs: { type: 'string', default: '7' },
      range: { type: 'string', default: '6h' },
    },
  });
  let url = a.url;
  let key = a.key;
  let stop: (() => Promise<unknown>) | null = null;
  let spans = 'existing data';
  if (!url) {
    const server = await startServer();
    stop = () => server.stop({ remove: true });
    url = server.url;
    key = await createReadKey(server);
    const to = Date.now();
    const t0 = performance.now();
    const n = await fillWithFleet(server, to - Number(a.hours) * 3_600_000, to, { agents: Number(a.agents), tracesPerMinutePerAgent: Number(a.rate) });
    spans = `${n.toLocaleString('en-US')} spans over ${a.hours} h (ingested in ${((performance.now() - t0) / 1000).toFixed(1)} s)`;
  }
  if (!key) throw new Error('--key is required with --url');
  const browser = await launchChromium();
  const times: number[] = [];
  try {
    for (let i = 0; i < Number(a.runs); i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addInitScript((k: string) => sessionStorage.setItem('sightline.key', k), key);
      const page = await context.newPage();
      await page.goto(`${url}/?range=${a.range}`);
      await page.waitForSelector('body[data-overview-complete]', { timeout: 60_000 });
      const ms = await page.evaluate(() => performance.getEntriesByName('overview-complete')[0]!.startTime);
      times.push(ms);
      await context.close();
    }
  } finally {
    await browser.close();
    await stop?.();
  }
  const sorted = [...times].sort((x, y) => x - y);
  const js = initialJsGzip();
  console.log(`data: ${spans}; range ${a.range}; ${times.length} loads (first load includes a cold cache)`);
  console.log('| measure | value | target |');
  console.log('|---|---|---|');
  console.log(`| navigation → overview complete, median | ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms | ≤ 1500 ms |`);
  console.log(`| navigation → overview complete, max | ${sorted[sorted.length - 1]!.toFixed(0)} ms | |`);
  console.log(`| initial JS (${js.files.join(', ')}) | ${(js.raw / 1024).toFixed(1)} KB raw, ${(js.gzip / 1024).toFixed(1)} KB gzip | ≤ 250 KB gzip |`);
}

await main();
