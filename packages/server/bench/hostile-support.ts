// Helpers of the hostile-load suite (hostile.ts): a probe that watches /api/health latency, the
// server's RSS and CPU time while a case runs, HTTP helpers that never throw (a refused connection is an
// answer too), and the hostile payloads of issue 24.

import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { Worker } from 'node:worker_threads';

const MAX_KEPT_BYTES = 8 * 1_048_576;

/** An answer's status, or 'error' (connection refused, reset, timed out). */
export type Status = number | 'error';

export interface Answer {
  status: Status;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/**
 * One HTTP request on a fresh connection; resolves with the answer or 'error', never throws.
 * `body` may be a function writing chunks (for bodies too large to hold).
 */
export function send(
  url: string,
  opts: { method?: string; key?: string; headers?: Record<string, string>; body?: Buffer | string | ((req: http.ClientRequest) => Promise<void>); timeoutMs?: number } = {},
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    const req = http.request(url, { method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'), headers, agent: false });
    const done = (a: Omit<Answer, 'ms'>) => resolve({ ...a, ms: performance.now() - started });
    req.setTimeout(opts.timeoutMs ?? 120_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => done({ status: 'error', headers: {}, body: '' }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        // Keep the start of a large answer only (an ingest reply listing a thousand problems is
        // ~1 MiB and must stay whole to be counted; SSE and exports are cut).
        if (size < MAX_KEPT_BYTES) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => done({ status: 'error', headers: {}, body: '' }));
    });
    if (typeof opts.body === 'function') {
      opts.body(req).then(() => req.end(), () => req.destroy());
    } else {
      req.end(opts.body);
    }
  });
}

export function json<T>(a: Answer): T | null {
  try {
    return JSON.parse(a.body) as T;
  } catch {
    return null;
  }
}

/**
 * The probe's loop, run in a worker thread of its own: a case that builds megabytes of payload or
 * sends it holds this process's event loop for seconds, and a probe sharing that loop counted the
 * bench's stall as the server's. Plain JavaScript (the worker is evaluated, not loaded by tsx).
 */
const PROBE_WORKER = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const { readFileSync } = require('node:fs');
let url = null, pid = null, worst = 0, peakRss = 0, since = null, running = true;
const cpu = new Map();
const cpuOf = (path) => {
  try {
    const stat = readFileSync(path, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch { return 0; }
};
const sample = () => {
  if (pid === null) return;
  try {
    const kb = Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync('/proc/' + pid + '/status', 'utf8'))?.[1] ?? 0);
    peakRss = Math.max(peakRss, kb / 1024);
  } catch {}
  const main = cpuOf('/proc/' + pid + '/task/' + pid + '/stat'), all = cpuOf('/proc/' + pid + '/stat');
  if (main === 0 && all === 0) return;
  const c = cpu.get(pid);
  if (c === undefined) cpu.set(pid, { main0: main, main, all0: all, all });
  else Object.assign(c, { main, all });
};
const countOutstanding = () => {
  if (since !== null) worst = Math.max(worst, performance.now() - since);
  since = null;
};
const timer = setInterval(sample, 100);
const probe = () => {
  if (!running || url === null) return;
  const target = url;
  const started = performance.now();
  since = started;
  let finished = false;
  const done = () => {
    if (finished) return;
    finished = true;
    // A probe overtaken by a pause or the stop was counted up to it (countOutstanding).
    if (since === started) {
      worst = Math.max(worst, performance.now() - started);
      since = null;
    }
    if (url === target) setTimeout(probe, 100);
  };
  const req = http.get(target + '/api/health', { agent: false }, (res) => { res.resume(); res.on('end', done); res.on('error', done); });
  req.setTimeout(60000, () => req.destroy(new Error('timeout')));
  req.on('error', done);
};
parentPort.on('message', (m) => {
  if (m.type === 'resume') { url = m.url; pid = m.pid; sample(); probe(); }
  else if (m.type === 'pause') { countOutstanding(); url = null; }
  else if (m.type === 'stop') {
    running = false;
    countOutstanding();
    sample();
    clearInterval(timer);
    const spent = [...cpu.values()];
    parentPort.postMessage({
      worstHealthMs: worst,
      peakRssMiB: peakRss,
      mainCpuS: spent.reduce((a, c) => a + c.main - c.main0, 0),
      cpuS: spent.reduce((a, c) => a + c.all - c.all0, 0),
    });
  }
});
`;

export interface ProbeResult {
  worstHealthMs: number;
  peakRssMiB: number;
  /** CPU seconds of the server's main thread (its event loop) and of the whole process during the case. */
  mainCpuS: number;
  cpuS: number;
}

/**
 * Watches a server while a case runs, from a worker thread: worst /api/health latency (one probe
 * at a time, every 100 ms), peak RSS, and the CPU time of its main thread and of the whole process
 * (unlike latencies, CPU time does not depend on how busy the shared machine is; summed per
 * process, a restart starts anew). While paused (a case restarting the server on purpose), no
 * probe is sent and the answer of one sent before counts only the time until the pause. With
 * pid null it only probes (a second probe of the same process, on its health port).
 */
export function startProbe(url: string, pid: number | null) {
  const worker = new Worker(PROBE_WORKER, { eval: true });
  worker.unref();
  worker.postMessage({ type: 'resume', url, pid });
  return {
    pause() {
      worker.postMessage({ type: 'pause' });
    },
    resume(newUrl: string, newPid: number | null) {
      worker.postMessage({ type: 'resume', url: newUrl, pid: newPid });
    },
    async stop(): Promise<ProbeResult> {
      const result = new Promise<ProbeResult>((resolve) => worker.once('message', resolve));
      worker.postMessage({ type: 'stop' });
      const r = await result;
      // A probe still waiting counted with the time it had waited; do not wait for it.
      void worker.terminate();
      return r;
    },
  };
}

/** Tally of answers by status. */
export function tally(answers: Answer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) out[String(a.status)] = (out[String(a.status)] ?? 0) + 1;
  return out;
}

export const fmtTally = (t: Record<string, number>) =>
  Object.entries(t)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/**
 * An OTLP export request (traces or logs: both nest 1 → 2 → 2) holding `n` empty spans or log
 * records: 2 bytes each, so 8M of them are 16 MB that gzip to ~16 KB.
 */
export function emptyItemsOtlp(n: number): Buffer {
  const items = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) items[i * 2] = 0x12;
  const scope = Buffer.concat([Buffer.from([0x12, ...varint(items.length)]), items]);
  return Buffer.concat([Buffer.from([0x0a, ...varint(scope.length)]), scope]);
}

export const gzipped = (b: Buffer) => gzipSync(b, { level: 9 });
