// The telemetry doctor's store read (doctorScan) against a raw-span baseline (exportSpans paging
// the same range), on DuckDB, for ranges of 1, 6 and 24 hours of simulated fleet traffic, half
// of it shaped as OTLP spans (resource, scope and sightline.read attributes). Ratios within one run.
// Run: npx tsx packages/server/bench/doctor-bench.ts

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createIngestPipeline } from '../src/ingest/pipeline.js';
import { createPriceTable } from '../src/ingest/pricing.js';
import { DEFAULT_LIMITS } from '../src/model/limits.js';
import type { Span } from '../src/model/span.js';
import { createFleet, simulateToArray } from '../src/sim/index.js';
import { createDuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import type { Store } from '../src/store/store.js';
import { tempDir } from './support.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5);

/** Every other span as the OTLP mapping stores it, with two attributes no mapping reads. */
function asOtlp(span: Span, i: number): Span {
  if (i % 2 === 1) return span;
  span.attributes = {
    ...span.attributes,
    'gen_ai.operation.name': 'chat',
    'server.address': 'api.openai.com',
    'server.port': 443,
    'otel.scope.name': 'opentelemetry-instrumentation-openai',
    'otel.scope.version': '0.3.0',
    'sightline.read': ['gen_ai.operation.name'],
    'resource.service.name': span.agent_id,
    'resource.telemetry.sdk.name': 'opentelemetry',
    'resource.telemetry.sdk.version': '2.12.1',
  };
  return span;
}

async function fill(store: Store): Promise<number> {
  const fleet = createFleet({ seed: 3, agents: 6, tracesPerMinutePerAgent: 8 });
  const pipeline = createIngestPipeline({ limits: DEFAULT_LIMITS, prices: createPriceTable() });
  let n = 0;
  for (let h = 0; h < 24; h++) {
    const events = simulateToArray(fleet, { from: T0 + h * HOUR, to: T0 + (h + 1) * HOUR });
    const { spans } = pipeline.process(events, { project: 'bench', now: T0 + 25 * HOUR });
    await store.append(spans.map(asOtlp));
    n += spans.length;
  }
  return n;
}

async function timed<T>(run: () => Promise<T>, times = 3): Promise<{ ms: number; value: T }> {
  let best = Infinity;
  let value!: T;
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    value = await run();
    best = Math.min(best, performance.now() - start);
  }
  return { ms: best, value };
}

async function exportAll(store: Store, from: number, to: number): Promise<number> {
  let n = 0;
  let after = null;
  for (;;) {
    const page = await store.exportSpans({ project: 'bench', from, to }, after, 10_000);
    n += page.length;
    if (page.length < 10_000) return n;
    const last = page[page.length - 1]!;
    after = { timestamp: last.timestamp, trace_id: last.trace_id, span_id: last.span_id };
  }
}

const dir = tempDir('sightline-doctor-bench-');
const store = await createDuckDbStore({ path: join(dir, 'bench.duckdb') });
try {
  const total = await fill(store);
  console.log(`\ndoctorScan on DuckDB, ${total.toLocaleString('en-US')} spans over 24 h (half OTLP-shaped), best of 3 (Node ${process.version}):\n`);
  console.log('| range | spans in range | doctorScan ms | spans/s scanned | exportSpans (all pages) ms | doctor ÷ export |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const hours of [1, 6, 24]) {
    const from = T0 + (24 - hours) * HOUR;
    const to = T0 + 24 * HOUR;
    const doctor = await timed(() => store.doctorScan({ project: 'bench', from, to, orphanIngestedBefore: T0 + 25 * HOUR, limit: 20 }));
    const exported = await timed(() => exportAll(store, from, to), 1);
    const spans = doctor.value.sources.reduce((s, r) => s + r.spans, 0);
    console.log(`| ${hours} h | ${spans.toLocaleString('en-US')} | ${Math.round(doctor.ms)} | ${Math.round(spans / (doctor.ms / 1000)).toLocaleString('en-US')} | ${Math.round(exported.ms)} | ${(doctor.ms / exported.ms).toFixed(2)} |`);
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
