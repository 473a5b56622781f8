// The Doctor page in a real browser (Debian's Chromium through playwright-core) against the real
// server: a service instrumented with a stock OTLP exporter leaves out models, sessions and prices;
// the page must say so in the API's sentences, show each source's shares as the API counts them,
// and link an orphan span to its trace.

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '@sightline/api';
import { request } from '../../server/test/support/http.js';
import { startServer, type RunningServer } from '../../server/test/support/server.js';
import { createReadKey, launchChromium } from './support/browser.js';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
const CHECKOUT = 'service checkout (opentelemetry-instrumentation-openai 0.3)';
const ORPHAN_TRACE = 'ab'.repeat(16);

describe('Doctor page in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let readKey: string;
  const query = 'range=1h';
  const graceless = 'range=1h&grace=0s';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    readKey = await createReadKey(server);
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'checkout' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${server.url}/v1/traces`, headers: { authorization: `Bearer ${server.adminKey}` } }))],
    });
    const tracer = provider.getTracer('opentelemetry-instrumentation-openai', '0.3');
    const start = Date.now() - 5 * 60_000;
    // 12 calls: 5 without a model, 7 with tokens; one model has no price; none has a session.
    for (let i = 0; i < 12; i++) {
      const model = i < 5 ? {} : { 'gen_ai.request.model': i === 11 ? 'acme-finetune-v1' : 'gpt-4o' };
      tracer
        .startSpan(`chat ${i}`, { startTime: start + i * 1_000, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 200, 'gen_ai.usage.output_tokens': 30, 'server.address': 'api.openai.com', ...model } })
        .end(start + i * 1_000 + 400);
    }
    const remote = trace.setSpanContext(context.active(), { traceId: ORPHAN_TRACE, spanId: 'cd'.repeat(8), traceFlags: TraceFlags.SAMPLED, isRemote: true });
    tracer.startSpan('fetch cart', { startTime: start + 20_000 }, remote).end(start + 20_100);
    await provider.forceFlush();
    await provider.shutdown();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop({ remove: true });
  });

  const api = async (q = query) => (await request<DoctorReport>(`${server.url}/api/doctor?${q}`, { key: readKey })).body;

  it('tells the user what to fix in the API’s sentences, from the navigation', async () => {
    await page.goto(`${server.url}/?${query}`);
    await page.getByLabel('API key').fill(readKey);
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Doctor', exact: true }).click();
    await page.waitForSelector('.doctor-findings li');
    expect(page.url()).toContain(query);
    const report = await api();
    const shown = await page.locator('.doctor-findings li .finding-text').allTextContents();
    expect(shown).toEqual(report.findings.map((f) => f.text));
    expect(shown.slice(0, 2)).toEqual([
      `100% of LLM calls from ${CHECKOUT} (12 calls of 12) have no session: set gen_ai.conversation.id (or session.id)`,
      `42% of LLM calls from ${CHECKOUT} (5 calls of 12) have no model: set gen_ai.request.model`,
    ]);
    expect(await page.locator('.doctor-findings li').evaluateAll((els) => els.map((e) => e.getAttribute('data-severity')))).toEqual(report.findings.map((f) => f.severity));
  });

  it('shows each source’s shares of LLM calls as the API counts them; ?grace= in the URL reaches the API', async () => {
    await page.goto(`${server.url}/doctor?${graceless}`);
    await page.waitForSelector('table[aria-label="Sources"] tbody tr');
    const report = await api(graceless);
    expect(await page.locator('.doctor-findings li .finding-text').allTextContents()).toEqual(report.findings.map((f) => f.text));
    expect(report.findings.filter((f) => f.topic === 'orphans').map((f) => f.text)).toEqual([
      `1 span from ${CHECKOUT} (7.7%) names a parent that never arrived (waited 0 ms): export the parent's service to Sightline too, or look for spans its exporter dropped`,
    ]);
    expect(report.sources.map((s) => s.label)).toEqual([CHECKOUT]);
    const row = page.locator('table[aria-label="Sources"] tbody tr', { hasText: CHECKOUT });
    expect(await row.locator('td').allTextContents()).toEqual([CHECKOUT, 'otlp', '13', '12', '58%', '100%', '0%', '0%', '0% / 50% / 8.3%', '1', await row.locator('td').nth(10).textContent()]);
    for (const [field, n] of [['with_model', 7], ['with_tokens', 12], ['with_session', 0], ['with_decision', 0]] as const) {
      expect(Number(await row.locator(`[data-share="${field}"]`).getAttribute('data-value')), field).toBe(n);
      expect(report.sources[0]!.llm[field]).toBe(n);
    }
    expect(await page.locator('table[aria-label="Models without a price"] tbody tr').allTextContents()).toEqual(['acme-finetune-v1—1230']);
    expect(await page.locator('table[aria-label="Attributes no mapping reads"] tbody tr').allTextContents()).toEqual([`server.address12${CHECKOUT}`]);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-doctor.png`, fullPage: true });
  });

  it('links an orphan span to its trace', async () => {
    expect(await page.getAttribute('[data-orphans]', 'data-orphans')).toBe('1');
    await page.locator(`a[data-orphan-trace="${ORPHAN_TRACE}"]`).click();
    await page.waitForURL(new RegExp(`/traces/${ORPHAN_TRACE}`));
    await expect.poll(() => page.locator('.span-detail h3').textContent()).toBe('fetch cart');
  });
});
