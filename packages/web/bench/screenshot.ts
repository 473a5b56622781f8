// README screenshots from the demo, as a newcomer sees it: `sightline demo` (6 h of history with
// incidents, live traffic) in a fresh data dir, the overview in Chromium at 1440×900 once every
// panel has its data and the history is loaded. Needs `npm run build` first.
//
//   npx tsx packages/web/bench/screenshot.ts [--out docs/screenshot-overview.png]

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchChromium } from '../test/support/browser.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = `${ROOT}packages/server/bin/sightline.js`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: `${ROOT}docs/screenshot-overview.png` } } });
  const data = mkdtempSync(join(tmpdir(), 'sightline-shot-'));
  const adminKey = `sl_admin_screenshot_${process.pid}_0123456789abcdef`;
  const demo = spawn(process.execPath, [CLI, 'demo', '--port', '0', '--data', data], { env: { ...process.env, SIGHTLINE_ADMIN_KEY: adminKey, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const seen = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = re.exec(out);
        if (m) resolve(m);
      };
      demo.stdout.on('data', (d: Buffer) => ((out += d.toString()), check()));
      demo.stderr.on('data', (d: Buffer) => (out += d.toString()));
      demo.once('exit', (code) => reject(new Error(`demo exited with ${code}:\n${out}`)));
      check();
    });
  try {
    const url = `http://127.0.0.1:${(await seen(/listening on http:\/\/[^:]+:(\d+)/))[1]}`;
    await seen(/loaded \d+ h of history/);
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      await context.addInitScript((k: string) => sessionStorage.setItem('sightline.key', k), adminKey);
      const page = await context.newPage();
      await page.goto(`${url}/?range=6h`);
      await page.waitForSelector('body[data-overview-complete]', { timeout: 120_000 });
      await page.waitForFunction(() => Array.from(document.querySelectorAll('section.panel')).every((p) => p.getAttribute('data-state') !== 'loading'));
      await page.screenshot({ path: values.out });
      console.log(`wrote ${values.out}`);
    } finally {
      await browser.close();
    }
  } finally {
    demo.kill('SIGTERM');
    await new Promise((r) => (demo.exitCode === null ? demo.once('exit', r) : r(null)));
    rmSync(data, { recursive: true, force: true });
  }
}

await main();
