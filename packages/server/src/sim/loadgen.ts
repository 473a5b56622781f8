// Load generator, runnable as a child process:
//   node dist/sim/loadgen.js --endpoint http://127.0.0.1:4318 --key sk_… [--batch 1000]
//     [--concurrency 4] [--duration-s 10] [--rate 50000] [--gzip] [--seed 1] [--nonce 8hex]
// POSTs pre-serialised batches over keep-alive connections and prints ONE JSON line at the end.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { createLoadPool } from './load-pool.js';

const gzipAsync = promisify(gzip);

export interface LoadOptions {
  endpoint: string;
  apiKey: string;
  batch: number;
  concurrency: number;
  durationS: number;
  /** Events per second across all connections; unlimited when absent. */
  rate?: number;
  gzip: boolean;
  seed: number;
  /** 8 hex digits starting every trace id; random when absent. */
  nonce?: string;
}

export interface LoadReport {
  sent_events: number;
  acked_events: number;
  requests: number;
  status_counts: Record<string, number>;
  duration_s: number;
  events_per_s: number;
  latency_ms: { p50: number; p99: number; max: number };
  /** Every trace id of this run starts with it. */
  run_nonce: string;
}

interface Reply {
  status: number | 'error';
}

/** Runs the load and reports; never throws for HTTP or network failures (they are counted). */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const nonce = options.nonce ?? randomBytes(4).toString('hex');
  const pool = createLoadPool({ nonce, batch: options.batch, templates: 64, seed: options.seed, agents: 20, now: Date.now() });
  const url = new URL('/v1/events', options.endpoint);
  const transport = url.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const statusCounts: Record<string, number> = {};
  const latencies: number[] = [];
  let nextSeq = 0;
  let acked = 0;
  const started = performance.now();
  const deadline = started + options.durationS * 1000;

  const worker = async (): Promise<void> => {
    for (;;) {
      const seq = nextSeq++;
      if (options.rate !== undefined) {
        const due = started + (seq * options.batch * 1000) / options.rate;
        if (due >= deadline) return;
        if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
      }
      if (performance.now() >= deadline) return;
      const text = pool.body(seq);
      const body = options.gzip ? await gzipAsync(text, { level: 1 }) : Buffer.from(text);
      const t0 = performance.now();
      const reply = await send(transport, agent, url, options.apiKey, body, options.gzip);
      latencies.push(performance.now() - t0);
      const key = String(reply.status);
      statusCounts[key] = (statusCounts[key] ?? 0) + 1;
      if (typeof reply.status === 'number' && reply.status >= 200 && reply.status < 300) acked += options.batch;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  agent.destroy();
  const durationS = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pick = (q: number): number => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return {
    sent_events: latencies.length * options.batch,
    acked_events: acked,
    requests: latencies.length,
    status_counts: statusCounts,
    duration_s: round(durationS),
    events_per_s: Math.round(acked / durationS),
    latency_ms: { p50: pick(0.5), p99: pick(0.99), max: round(latencies[latencies.length - 1] ?? 0) },
    run_nonce: nonce,
  };
}

function send(
  transport: typeof http | typeof https,
  agent: http.Agent,
  url: URL,
  apiKey: string,
  body: Buffer,
  gzipped: boolean,
): Promise<Reply> {
  return new Promise((resolve) => {
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/json',
      'content-length': body.length,
      authorization: `Bearer ${apiKey}`,
    };
    if (gzipped) headers['content-encoding'] = 'gzip';
    const request = transport.request(url, { method: 'POST', agent, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 'error' }));
      response.on('error', () => resolve({ status: 'error' }));
    });
    request.on('error', () => resolve({ status: 'error' }));
    request.end(body);
  });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function parseLoadArgs(argv: string[]): LoadOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      endpoint: { type: 'string' },
      key: { type: 'string' },
      batch: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '4' },
      'duration-s': { type: 'string', default: '10' },
      rate: { type: 'string' },
      gzip: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      nonce: { type: 'string' },
    },
  });
  if (values.endpoint === undefined || values.key === undefined) {
    throw new Error('loadgen: --endpoint and --key are required');
  }
  const positive = (name: string, text: string): number => {
    const n = Number(text);
    if (!(n > 0) || !Number.isFinite(n)) throw new Error(`loadgen: --${name} must be a positive number, got '${text}'`);
    return n;
  };
  return {
    endpoint: values.endpoint,
    apiKey: values.key,
    batch: Math.floor(positive('batch', values.batch)),
    concurrency: Math.floor(positive('concurrency', values.concurrency)),
    durationS: positive('duration-s', values['duration-s']),
    ...(values.rate !== undefined ? { rate: positive('rate', values.rate) } : {}),
    gzip: values.gzip,
    seed: Math.floor(Number(values.seed)),
    ...(values.nonce !== undefined ? { nonce: values.nonce.toLowerCase() } : {}),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const report = await runLoad(parseLoadArgs(process.argv.slice(2)));
    process.stdout.write(JSON.stringify(report) + '\n');
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
