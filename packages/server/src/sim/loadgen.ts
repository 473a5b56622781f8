// Load generator, runnable as a child process:
//   node dist/sim/loadgen.js --endpoint http://127.0.0.1:4318 --key sk_… [--batch 1000]
//     [--concurrency 4] [--duration-s 10] [--rate 50000] [--gzip] [--seed 1] [--nonce 8hex]
//     [--open-loop] [--report-every-s 10]
// POSTs pre-serialised batches over keep-alive connections and prints ONE JSON line at the end
// (with --report-every-s, a line {"interval": report} per interval before it, for that interval alone).
// Closed loop (default): `concurrency` clients, each sending its next batch once answered. Open
// loop: batches start on the --rate schedule whatever the answers, as many independent clients
// would send them, on up to `concurrency` connections; latency counts from the scheduled start.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { monitorEventLoopDelay } from 'node:perf_hooks';
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
  /** Start batches on the rate schedule without waiting for answers (needs rate). */
  openLoop?: boolean;
  /** Called every this many seconds with the figures of that interval alone. */
  reportEveryS?: number;
}

export interface LoadReport {
  sent_events: number;
  acked_events: number;
  requests: number;
  status_counts: Record<string, number>;
  duration_s: number;
  events_per_s: number;
  latency_ms: { p50: number; p99: number; max: number };
  /** Latency of the acknowledged (2xx) requests alone, as this client measured it. */
  ack_latency_ms: { p50: number; p99: number; max: number };
  /**
   * The part of it the server held the acknowledged requests, from their headers to the answer
   * (its Server-Timing header): what maxQueueDelayMs bounds. Absent when the server sends none.
   */
  server_ack_ms?: { p50: number; p99: number; max: number };
  /**
   * This client's own event-loop delay over the whole run (final report only): when it is seconds,
   * the client's latencies hold its own stalls (a client sharing the server's cores).
   */
  client_loop_delay_ms?: { p99: number; max: number };
  /** Every trace id of this run starts with it. */
  run_nonce: string;
}

interface Reply {
  status: number | 'error';
  /** The server's Server-Timing `dur` (ms), when it sent one. */
  serverMs?: number;
}

/** Answers counted since `since` (ms, performance clock); `report` sums them up. */
function createTally(batch: number, nonce: string, since: number) {
  const statusCounts: Record<string, number> = {};
  const latencies: number[] = [];
  const ackLatencies: number[] = [];
  const serverAck: number[] = [];
  let acked = 0;
  let sent = 0;
  return {
    sent: () => (sent += batch),
    answered({ status, serverMs }: Reply, latencyMs: number) {
      latencies.push(latencyMs);
      const key = String(status);
      statusCounts[key] = (statusCounts[key] ?? 0) + 1;
      if (typeof status === 'number' && status >= 200 && status < 300) {
        acked += batch;
        ackLatencies.push(latencyMs);
        if (serverMs !== undefined) serverAck.push(serverMs);
      }
    },
    report(until: number): LoadReport {
      const durationS = (until - since) / 1000;
      latencies.sort((a, b) => a - b);
      ackLatencies.sort((a, b) => a - b);
      const pickOf = (xs: number[]) => (q: number): number => round(xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0);
      const pick = pickOf(latencies);
      const pickAck = pickOf(ackLatencies);
      serverAck.sort((a, b) => a - b);
      const pickServer = pickOf(serverAck);
      return {
        sent_events: sent,
        acked_events: acked,
        requests: latencies.length,
        status_counts: statusCounts,
        duration_s: round(durationS),
        events_per_s: Math.round(acked / durationS),
        latency_ms: { p50: pick(0.5), p99: pick(0.99), max: round(latencies[latencies.length - 1] ?? 0) },
        ack_latency_ms: { p50: pickAck(0.5), p99: pickAck(0.99), max: round(ackLatencies[ackLatencies.length - 1] ?? 0) },
        ...(serverAck.length > 0 && { server_ack_ms: { p50: pickServer(0.5), p99: pickServer(0.99), max: serverAck[serverAck.length - 1]! } }),
        run_nonce: nonce,
      };
    },
  };
}

/**
 * Runs the load and reports; never throws for HTTP or network failures (they are counted).
 * @example const r = await runLoad({ endpoint, apiKey, batch: 1000, concurrency: 256, durationS: 60, rate: 4e5, openLoop: true, gzip: false, seed: 1 }, (i) => console.log(i.events_per_s));
 */
export async function runLoad(options: LoadOptions, onInterval?: (report: LoadReport) => void): Promise<LoadReport> {
  if (options.openLoop && options.rate === undefined) throw new Error('loadgen: an open loop needs a rate');
  const nonce = options.nonce ?? randomBytes(4).toString('hex');
  const pool = createLoadPool({ nonce, batch: options.batch, templates: 64, seed: options.seed, agents: 20, now: Date.now() });
  const url = new URL('/v1/events', options.endpoint);
  const transport = url.protocol === 'https:' ? https : http;
  // Idle sockets close after 4 s, before the server's 5 s keep-alive timeout: reusing one the
  // server is closing would fail with ECONNRESET (Node honours the server's Keep-Alive hint only
  // when the agent has a timeout of its own).
  const agent = new transport.Agent({ keepAlive: true, maxSockets: options.concurrency, timeout: 4_000 });
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let nextSeq = 0;
  const started = performance.now();
  const deadline = started + options.durationS * 1000;
  const total = createTally(options.batch, nonce, started);
  let interval = createTally(options.batch, nonce, started);
  const ticker =
    options.reportEveryS === undefined || onInterval === undefined
      ? undefined
      : setInterval(() => {
          const now = performance.now();
          onInterval(interval.report(now));
          interval = createTally(options.batch, nonce, now);
        }, options.reportEveryS * 1000);
  const dueOf = (seq: number) => started + (seq * options.batch * 1000) / options.rate!;

  /** `scheduled`: the open loop's due time, which latency counts from (client-side waits included). */
  const sendOne = async (seq: number, scheduled?: number): Promise<void> => {
    const json = pool.body(seq);
    const body = options.gzip ? await gzipAsync(json, { level: 1 }) : json;
    total.sent();
    interval.sent();
    const t0 = scheduled ?? performance.now();
    const reply = await send(transport, agent, url, options.apiKey, body, options.gzip);
    const latency = performance.now() - t0;
    total.answered(reply, latency);
    interval.answered(reply, latency);
  };
  const worker = async (): Promise<void> => {
    for (;;) {
      const seq = nextSeq++;
      if (options.rate !== undefined) {
        const due = dueOf(seq);
        if (due >= deadline) return;
        if (due > performance.now()) await sleep(due - performance.now());
      }
      if (performance.now() >= deadline) return;
      await sendOne(seq);
    }
  };
  const openLoop = async (): Promise<void> => {
    const inFlight = new Set<Promise<void>>();
    for (let seq = 0; dueOf(seq) < deadline; seq++) {
      const due = dueOf(seq);
      if (due > performance.now()) await sleep(due - performance.now());
      const sending: Promise<void> = sendOne(seq, due).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    }
    await Promise.all(inFlight);
  };
  await (options.openLoop ? openLoop() : Promise.all(Array.from({ length: options.concurrency }, worker)));
  clearInterval(ticker);
  if (ticker !== undefined && onInterval !== undefined) {
    // The last, shorter interval (answers that came in after the previous report).
    const last = interval.report(performance.now());
    if (last.sent_events > 0 || last.requests > 0) onInterval(last);
  }
  agent.destroy();
  loopDelay.disable();
  return { ...total.report(performance.now()), client_loop_delay_ms: { p99: round(loopDelay.percentile(99) / 1e6), max: round(loopDelay.max / 1e6) } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
      const timing = /(?:^|[;,\s])dur=([\d.]+)/.exec(String(response.headers['server-timing'] ?? ''));
      response.on('end', () => resolve({ status: response.statusCode ?? 'error', ...(timing !== null && { serverMs: Number(timing[1]) }) }));
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
      'open-loop': { type: 'boolean', default: false },
      'report-every-s': { type: 'string' },
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
    ...(values['open-loop'] ? { openLoop: true } : {}),
    ...(values['report-every-s'] !== undefined ? { reportEveryS: positive('report-every-s', values['report-every-s']) } : {}),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const report = await runLoad(parseLoadArgs(process.argv.slice(2)), (interval) => process.stdout.write(JSON.stringify({ interval }) + '\n'));
    process.stdout.write(JSON.stringify(report) + '\n');
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
