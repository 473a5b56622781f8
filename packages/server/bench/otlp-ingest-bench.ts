// OTLP/HTTP ingest throughput end to end (protobuf and JSON) next to native /v1/events, batches
// of 512 GenAI spans, same server, same run. The client posts pre-encoded bodies over keep-alive
// connections so its own cost stays small. The three loads take turns in short rounds and each
// ratio is the median of its rounds' ratios, so a neighbour's load on the shared machine hits all
// three alike. Run: npx tsx packages/server/bench/otlp-ingest-bench.ts [seconds per endpoint]

import http from 'node:http';
import { decodeOtlpTraces } from '../src/ingest/otlp/handle.js';
import { chatSpan, tracesJson, tracesProto, type SpanSpec } from '../src/ingest/otlp/request-builder.js';
import { DEFAULT_LIMITS } from '../src/model/limits.js';
import { median, startServer, table } from './support.js';

const BATCH = 512;

export function bodies(): { native: Buffer; proto: Buffer; json: Buffer } {
  const spans: SpanSpec[] = [];
  const now = BigInt(Date.now()) * 1_000_000n;
  for (let i = 0; i < BATCH; i++) {
    const start = now - BigInt(BATCH - i) * 1_000_000n;
    const spanId = (i + 1).toString(16).padStart(16, '0');
    const attributes = { 'gen_ai.agent.name': 'triage', 'gen_ai.conversation.id': `c-${i % 50}` };
    spans.push(
      i % 4 === 3
        ? { traceId: '0af7651916cd43dd8448eb211c80319c', spanId, parentSpanId: '00f067aa0ba902b7', name: 'execute_tool search', startNanos: start, endNanos: start + 80_000_000n, attributes: { ...attributes, 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search_orders' } }
        : chatSpan({ spanId, startNanos: start, endNanos: start + 900_000_000n, attributes }),
    );
  }
  const resource = { 'service.name': 'support-bot', 'telemetry.sdk.name': 'opentelemetry' };
  const proto = Buffer.from(tracesProto({ resource, spans }));
  const decoded = decodeOtlpTraces(proto, 'application/x-protobuf', undefined, DEFAULT_LIMITS);
  if (!decoded.ok) throw new Error(decoded.message);
  return { native: Buffer.from(JSON.stringify(decoded.events)), proto, json: Buffer.from(JSON.stringify(tracesJson({ resource, spans }))) };
}

export async function load(url: string, key: string, body: Buffer, contentType: string, seconds: number, concurrency = 4): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  let spans = 0;
  const deadline = performance.now() + seconds * 1000;
  const post = () =>
    new Promise<number>((resolve) => {
      const req = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': contentType, authorization: `Bearer ${key}`, 'content-length': body.length } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) if ((await post()) === 200) spans += BATCH;
    }),
  );
  agent.destroy();
  return spans / ((performance.now() - started) / 1000);
}

const ROUNDS = 5;

export async function otlpIngestBench(seconds: number): Promise<string> {
  const b = bodies();
  const server = await startServer();
  try {
    const post = (path: string, body: Buffer, type: string, s: number) => load(`${server.url}${path}`, server.adminKey, body, type, s);
    await post('/v1/events', b.native, 'application/json', 2);
    await post('/v1/traces', b.proto, 'application/x-protobuf', 1);
    await post('/v1/traces', b.json, 'application/json', 1);
    const rounds: { native: number; proto: number; json: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const slice = seconds / ROUNDS;
      const native = await post('/v1/events', b.native, 'application/json', slice);
      const proto = await post('/v1/traces', b.proto, 'application/x-protobuf', slice);
      const json = await post('/v1/traces', b.json, 'application/json', slice);
      rounds.push({ native, proto, json });
    }
    const rate = (k: 'native' | 'proto' | 'json') => Math.round(median(rounds.map((r) => r[k])));
    const ratio = (k: 'proto' | 'json') => `${median(rounds.map((r) => r[k] / r.native)).toFixed(2)}×`;
    return table(
      [`endpoint (batches of 512 GenAI spans, 4 connections, ${ROUNDS} rounds)`, 'spans/s (median)', '× native (median of rounds)'],
      [
        ['POST /v1/events (native JSON)', rate('native'), '1.00×'],
        ['POST /v1/traces (OTLP protobuf)', rate('proto'), ratio('proto')],
        ['POST /v1/traces (OTLP JSON)', rate('json'), ratio('json')],
      ],
    );
  } finally {
    await server.stop({ remove: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await otlpIngestBench(Number(process.argv[2] ?? 8)));
}
