// OTLP decode + map + validate throughput next to native events, batches of 512 GenAI spans,
// all in one process and one run. No HTTP and no store: this measures the ingest CPU path only.
// The cases take turns in short rounds; each ratio is the median of its rounds' ratios, so a
// neighbour's load on the shared machine hits every case alike. "protobufjs objects" is the
// decode before the one-pass reader (proto-reference.ts), kept to show what it gained.
// Run: npx tsx packages/server/bench/otlp-decode-bench.ts

import { decodeEventsBody } from '../src/ingest/decode-body.js';
import { decodeOtlpTraces } from '../src/ingest/otlp/handle.js';
import { mapSpan } from '../src/ingest/otlp/map-span.js';
import { decodeTracesProtobufjs } from '../src/ingest/otlp/proto-reference.js';
import { chatSpan, T0, tracesJson, tracesProto, type SpanSpec } from '../src/ingest/otlp/request-builder.js';
import { createIngestPipeline } from '../src/ingest/pipeline.js';
import { createPriceTable } from '../src/ingest/pricing.js';
import { DEFAULT_LIMITS } from '../src/model/limits.js';

const BATCH = 512;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

function batchSpans(): SpanSpec[] {
  const spans: SpanSpec[] = [];
  for (let i = 0; i < BATCH; i++) {
    const spanId = (i + 1).toString(16).padStart(16, '0');
    const start = T0 + BigInt(i) * 1_000_000n;
    if (i % 4 === 3) {
      spans.push({
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId,
        parentSpanId: '00f067aa0ba902b7',
        name: 'execute_tool search_orders',
        startNanos: start,
        endNanos: start + 80_000_000n,
        attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search_orders', 'gen_ai.agent.name': 'triage', 'gen_ai.conversation.id': `c-${i % 50}` },
      });
    } else {
      spans.push(chatSpan({ spanId, startNanos: start, endNanos: start + 900_000_000n, attributes: { 'gen_ai.agent.name': 'triage', 'gen_ai.conversation.id': `c-${i % 50}` } }));
    }
  }
  return spans;
}

const resource = { 'service.name': 'support-bot', 'service.version': '1.4.2', 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.version': '2.12.1' };
const spans = batchSpans();
const protoBody = Buffer.from(tracesProto({ resource, spans }));
const jsonBody = Buffer.from(JSON.stringify(tracesJson({ resource, spans })));
const pipeline = createIngestPipeline({ limits: DEFAULT_LIMITS, prices: createPriceTable() });
const now = Number(T0 / 1_000_000n) + 60_000;
const ctx = { project: 'bench', now };

// As the /v1/traces route decodes: with the doctor's sightline.read mark.
const ROUTE = { markRead: true };
const mapped = decodeOtlpTraces(protoBody, 'application/x-protobuf', undefined, DEFAULT_LIMITS, ROUTE);
if (!mapped.ok) throw new Error(mapped.message);
// The native request carries the same events the OTLP mapping produces.
const nativeBody = Buffer.from(JSON.stringify(mapped.events));

function check(events: unknown[]): void {
  const { spans: stored, rejected } = pipeline.process(events, ctx);
  if (stored.length !== BATCH || rejected.length !== 0) throw new Error(`expected ${BATCH} valid spans, got ${stored.length} (${JSON.stringify(rejected[0])})`);
}

const cases: { name: string; bytes: number; run: () => unknown[] }[] = [
  {
    name: 'native /v1/events JSON',
    bytes: nativeBody.length,
    run: () => {
      const d = decodeEventsBody(nativeBody, 'application/json', undefined, DEFAULT_LIMITS);
      if (!d.ok) throw new Error(d.message);
      return d.events;
    },
  },
  {
    name: 'OTLP protobuf',
    bytes: protoBody.length,
    run: () => {
      const d = decodeOtlpTraces(protoBody, 'application/x-protobuf', undefined, DEFAULT_LIMITS, ROUTE);
      if (!d.ok) throw new Error(d.message);
      return d.events;
    },
  },
  {
    // What the doctor's mark costs: the same path without it.
    name: 'OTLP protobuf, no sightline.read',
    bytes: protoBody.length,
    run: () => {
      const d = decodeOtlpTraces(protoBody, 'application/x-protobuf', undefined, DEFAULT_LIMITS);
      if (!d.ok) throw new Error(d.message);
      return d.events;
    },
  },
  {
    name: 'OTLP protobuf via protobufjs objects (before)',
    bytes: protoBody.length,
    run: () => {
      const d = decodeTracesProtobufjs(protoBody);
      if (!d.ok) throw new Error(d.message);
      const options = { captureContent: false, maxAttributes: DEFAULT_LIMITS.maxAttributes };
      return d.value.spans.map((span, i) => mapSpan(span, d.value.origins[i]!, options));
    },
  },
  {
    name: 'OTLP JSON',
    bytes: jsonBody.length,
    run: () => {
      const d = decodeOtlpTraces(jsonBody, 'application/json', undefined, DEFAULT_LIMITS, ROUTE);
      if (!d.ok) throw new Error(d.message);
      return d.events;
    },
  },
];

const ROUNDS = 5;

function measure(run: () => unknown[], seconds: number): number {
  let batches = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let nowNs = start;
  while (nowNs < deadline) {
    pipeline.process(run(), ctx);
    batches++;
    nowNs = process.hrtime.bigint();
  }
  return (batches * BATCH) / (Number(nowNs - start) / 1e9);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const c of cases) check(c.run());
for (const c of cases) for (let i = 0; i < 50; i++) pipeline.process(c.run(), ctx);
const rates: number[][] = cases.map(() => []);
for (let round = 0; round < ROUNDS; round++) cases.forEach((c, i) => rates[i]!.push(measure(c.run, SECONDS / ROUNDS)));
console.log(`\nDecode + map + validate + price, ${BATCH} GenAI spans per batch, ${SECONDS} s each in ${ROUNDS} rounds (Node ${process.version}):\n`);
console.log('| path | body bytes / batch | ms / batch (median) | spans/s (median) | × native (median of rounds) |');
console.log('|---|---:|---:|---:|---:|');
cases.forEach((c, i) => {
  const rate = median(rates[i]!);
  const ratio = median(rates[i]!.map((r, round) => r / rates[0]![round]!));
  console.log(`| ${c.name} | ${c.bytes.toLocaleString('en-US')} | ${((BATCH / rate) * 1000).toFixed(2)} | ${Math.round(rate).toLocaleString('en-US')} | ${ratio.toFixed(2)} |`);
});
