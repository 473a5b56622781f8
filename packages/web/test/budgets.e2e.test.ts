// The Budgets page in a real browser (Debian's Chromium through playwright-core) against the real
// server: a tenant's spend of the last days, a monthly budget created through the API; the page,
// reached from the navigation, must show the spend, the forecast and its band as the API gives
// them, and draw the spend, the forecast and the band.

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../server/test/support/http.js';
import { startServer, type RunningServer } from '../../server/test/support/server.js';
import { fmtDateTime, fmtPercent, fmtUsd } from '../src/format.js';
import { createReadKey, launchChromium } from './support/browser.js';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
const HOUR = 3_600_000;

describe('Budgets page in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let readKey: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    readKey = await createReadKey(server);
    // Tenant acme: a $0.50 call every 10 min over the last 5 days ($72 a day).
    const now = Date.now();
    const events = [];
    for (let t = now - 5 * 24 * HOUR; t < now - 60_000; t += 600_000) {
      events.push({ timestamp: t, agent_id: 'assistant', span_type: 'llm_call', model: 'gpt-4o-mini', trace_id: `acme-${t}`, latency_ms: 500, cost_usd: 0.5, attributes: { tenant: 'acme' } });
    }
    expect((await request(`${server.url}/v1/events`, { key: server.adminKey, body: events })).status).toBe(200);
    const created = await request(`${server.url}/api/budgets`, {
      key: server.adminKey,
      body: { id: 'acme-monthly', name: 'Tenant acme', scope: { attribute: 'tenant', value: 'acme' }, amountUsd: 500, period: 'month' },
    });
    expect(created.status).toBe(201);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop({ remove: true });
  });

  it('shows spend, forecast and its band as the API gives them, from the navigation', async () => {
    await page.goto(`${server.url}/`);
    await page.getByLabel('API key').fill(readKey);
    await page.keyboard.press('Enter');
    const budget = async () => (await request(`${server.url}/api/budgets/acme-monthly`, { key: readKey })).body.budget;
    const texts = (b: any) => [
      `Spent ${fmtUsd(b.spent_usd)} (${fmtPercent(b.share)})`,
      `${fmtUsd(b.rate_usd_per_day)} a day now`,
      `Forecast ${fmtUsd(b.projection.projected_usd)} by ${fmtDateTime(b.period_end)} (80 % band ${fmtUsd(b.projection.low_usd)}–${fmtUsd(b.projection.high_usd)})`,
    ];
    // The rate (the last 24 h) slides with the clock, so the page's figures are those of an API call
    // made before it loaded or of one made after it was read.
    const before = await budget();
    await page.getByRole('link', { name: 'Budgets', exact: true }).click();
    await page.waitForSelector('[data-budget="acme-monthly"]');
    const card = page.locator('[data-budget="acme-monthly"]');
    expect(await card.locator('strong').textContent()).toBe('Tenant acme');
    const shown = [
      await card.locator('[data-kpi="spent"]').textContent(),
      await card.locator('[data-kpi="rate"]').textContent(),
      await card.locator('[data-kpi="forecast"]').textContent(),
    ];
    const b = await budget();
    expect(b.rate_usd_per_day).toBeGreaterThan(71);
    shown.forEach((text, i) => expect([texts(before)[i], texts(b)[i]]).toContain(text));
    const p = b.projection;
    expect(p.low_usd).toBeLessThan(p.high_usd);
    const chart = card.locator('[data-budget-chart="acme-monthly"]');
    expect(await chart.locator('path').evaluateAll((els) => els.map((e) => Object.keys((e as SVGElement).dataset)[0]))).toEqual(['band', 'spent', 'forecast']);
    // The forecast starts where the spend ends, and the band closes around it.
    const d = await chart.locator('[data-forecast]').getAttribute('d');
    const spent = await chart.locator('[data-spent]').getAttribute('d');
    expect(d!.split(' ')[0]!.slice(1)).toBe(spent!.split(' ').at(-1)!.slice(1));
    expect((await chart.locator('[data-band]').getAttribute('d'))!.endsWith('Z')).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}budgets.png`, fullPage: true });
  });
});
