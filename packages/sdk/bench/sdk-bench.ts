// SDK benchmark: hot-path cost per recorded span (start + end + enqueue) for Sightline's SDK versus
// the OpenTelemetry JS SDK, and the agent's event-loop delay while exporting 10,000 events/s to a
// local HTTP sink. Run: npx tsx packages/sdk/bench/sdk-bench.ts  (BENCH_SECONDS=5, BENCH_TRIALS=3).
// On a shared box, other processes preempting ours dominate event-loop delay; `chrt -f 10 npx tsx …`
// (real-time priority for the bench only) takes them out so the table shows what the SDK does.

import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createSightline, type Sightline } from '../src/index.js';

const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUND = 1000; // spans per timed round; then both SDKs drain so neither measures its drop path
const ROUNDS = 60;

/** The sink runs in its own process so its parsing does not count against the agent's event loop. */
async function startSinkProcess(): Promise<{ url: string; child: ChildProcess }> {
  const src = `const http=require('http');const s=http.createServer((q,r)=>{q.resume();q.on('end',()=>{r.writeHead(200,{'content-type':'application/json'});r.end('{"accepted":0,"rejected":[]}')})});s.listen(0,'127.0.0.1',()=>console.log(s.address().port))`;
  const child = spawn(process.execPath, ['-e', src], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url: `http://127.0.0.1:${port}`, child };
}

function makeOtel(url: string): { tracer: Tracer; provider: NodeTracerProvider } {
  const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces` });
  const provider = new NodeTracerProvider({
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 10_000, maxExportBatchSize: 500, scheduledDelayMillis: 1000 })],
  });
  provider.register();
  return { tracer: trace.getTracer('bench'), provider };
}

const attrs = { model: 'gpt-4o-mini', provider: 'openai', tokensInput: 1200, tokensOutput: 150 };
const otelAttrs = { 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.system': 'openai', 'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 150 };

type Recorder = (n: number) => void;

function variants(sl: Sightline, tracer: Tracer): { name: string; ours: Recorder; otel: Recorder }[] {
  return [
    {
      name: 'manual span: start, 4 fields, end',
      ours: (n) => {
        for (let i = 0; i < n; i++) sl.startSpan('llm_call', 'chat').set(attrs).end();
      },
      otel: (n) => {
        for (let i = 0; i < n; i++) tracer.startSpan('chat').setAttributes(otelAttrs).end();
      },
    },
    {
      name: 'scoped span (async context): run fn, 4 fields, end',
      ours: (n) => {
        for (let i = 0; i < n; i++) sl.span('llm_call', 'chat', (s) => s.set(attrs));
      },
      otel: (n) => {
        for (let i = 0; i < n; i++)
          tracer.startActiveSpan('chat', (s) => {
            s.setAttributes(otelAttrs);
            s.end();
          });
      },
    },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function hotPath(sl: Sightline, tracer: Tracer, provider: NodeTracerProvider): Promise<string[]> {
  const rows: string[] = [];
  for (const v of variants(sl, tracer)) {
    const ours: number[] = [];
    const otel: number[] = [];
    for (let r = 0; r < ROUNDS + 10; r++) {
      // Alternate so drift (GC, CPU frequency, the other tenant of the box) hits both alike.
      let t = performance.now();
      v.ours(ROUND);
      const a = ((performance.now() - t) * 1e6) / ROUND;
      await sl.flush();
      t = performance.now();
      v.otel(ROUND);
      const b = ((performance.now() - t) * 1e6) / ROUND;
      await provider.forceFlush();
      if (r >= 10) {
        ours.push(a);
        otel.push(b);
      }
    }
    const mo = median(ours);
    const mt = median(otel);
    rows.push(`| ${v.name} | ${mo.toFixed(0)} ns | ${mt.toFixed(0)} ns | ${(mo / mt).toFixed(2)}× |`);
  }
  return rows;
}

interface LoadResult {
  p50: number;
  p99: number;
  max: number;
  /** Share of wall time the event loop was busy (ELU). */
  busy: number;
  /** Longest V8 garbage-collection pause seen during the run. */
  gcMax: number;
}

/** Records 10,000 spans/s in 10 ms ticks for `seconds`; reports event-loop delay (ms beyond the 1 ms sampling interval). */
async function underLoad(record: (n: number) => void, done: () => Promise<void>, seconds: number): Promise<LoadResult> {
  const perTick = 100;
  const h = monitorEventLoopDelay({ resolution: 1 });
  const start = performance.now();
  const elu0 = performance.eventLoopUtilization();
  let produced = 0;
  let gcMax = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMax = Math.max(gcMax, e.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  h.enable();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - start;
      if (elapsed >= seconds * 1000) return resolve();
      const due = Math.floor((elapsed / 1000) * 10_000);
      while (produced + perTick <= due) {
        record(perTick);
        produced += perTick;
      }
      setTimeout(tick, 10);
    };
    tick();
  });
  h.disable();
  gc.disconnect();
  const busy = performance.eventLoopUtilization(elu0).utilization;
  await done();
  const ms = (ns: number) => Math.max(0, ns / 1e6 - 1);
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), busy, gcMax };
}

async function main(): Promise<void> {
  const sink = await startSinkProcess();
  const sl = createSightline({ endpoint: sink.url, apiKey: 'bench', agentId: 'bench', flushOnExit: false, maxQueueSize: 50_000 });
  const { tracer, provider } = makeOtel(sink.url);

  console.log(`Node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} cores; ${ROUNDS} rounds × ${ROUND} spans, median per span\n`);
  console.log('| hot path (start + end + enqueue) | Sightline SDK | OpenTelemetry JS | ratio |');
  console.log('|---|---:|---:|---:|');
  for (const row of await hotPath(sl, tracer, provider)) console.log(row);

  const trials = Number(process.env.BENCH_TRIALS ?? 3);
  console.log(`\nEvent-loop delay while recording 10,000 spans/s, ${trials} runs × ${LOAD_SECONDS} s each, interleaved; sink in another process.`);
  console.log('Delay is ms beyond the 1 ms sampling interval: p50/p99 are medians over runs, max is the best run (other processes on the box only add to it).\n');
  console.log('| SDK | p50 | p99 | max | event loop busy | longest GC pause |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const load = createSightline({ endpoint: sink.url, apiKey: 'bench', agentId: 'bench', flushOnExit: false, maxQueueSize: 50_000 });
  const contenders: [string, (n: number) => void, () => Promise<void>][] = [
    ['none (baseline: the ticks alone)', () => {}, async () => {}],
    ['Sightline SDK', (n) => { for (let i = 0; i < n; i++) load.span('llm_call', 'chat', (s) => s.set(attrs)); }, () => load.flush()],
    ['OpenTelemetry JS', (n) => { for (let i = 0; i < n; i++) tracer.startActiveSpan('chat', (s) => { s.setAttributes(otelAttrs); s.end(); }); }, () => provider.forceFlush()],
  ];
  const results = contenders.map(() => [] as LoadResult[]);
  for (let t = 0; t < trials; t++) {
    for (const [i, [, record, done]] of contenders.entries()) results[i]!.push(await underLoad(record, done, LOAD_SECONDS));
  }
  for (const [i, [label]] of contenders.entries()) {
    const r = results[i]!;
    const f = (x: number) => `${x.toFixed(2)} ms`;
    console.log(`| ${label} | ${f(median(r.map((x) => x.p50)))} | ${f(median(r.map((x) => x.p99)))} | ${f(Math.min(...r.map((x) => x.max)))} | ${(median(r.map((x) => x.busy)) * 100).toFixed(1)}% | ${f(median(r.map((x) => x.gcMax)))} |`);
  }
  const st = load.stats();
  console.log(`\nSightline under load: sent ${st.sent}, dropped ${st.dropped}, failed ${st.failed}, retried ${st.retried}`);
  await load.shutdown();
  await sl.shutdown();
  await provider.shutdown();
  sink.child.kill();
}

await main();
