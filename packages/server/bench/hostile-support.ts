// Helpers of the hostile-load suite (hostile.ts): a probe that watches /api/health latency and the
// server's RSS while a case runs, HTTP helpers that never throw (a refused connection is an
// answer too), and the hostile payloads of issue 24.

import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { rssMiB } from './support.js';

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
 * Watches a server while a case runs: worst /api/health latency (one probe at a time, every 100 ms)
 * and peak RSS. While paused (a case restarting the server on purpose), no probe is sent and the
 * answer of one sent before counts only the time until the pause.
 */
export function startProbe(url: () => string, pid: () => number) {
  let worstHealthMs = 0;
  let peakRss = 0;
  let running = true;
  let paused = false;
  let outstandingSince: number | null = null;
  const sampleRss = () => {
    try {
      peakRss = Math.max(peakRss, rssMiB(pid()));
    } catch {
      // The process is restarting: no sample.
    }
  };
  const rssTimer = setInterval(sampleRss, 100);
  const loop = (async () => {
    while (running) {
      if (paused) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const since = performance.now();
      outstandingSince = since;
      const a = await send(`${url()}/api/health`, { timeoutMs: 60_000 });
      // A probe overtaken by a pause was counted up to it (pause()).
      if (outstandingSince === since && (a.status === 200 || running)) worstHealthMs = Math.max(worstHealthMs, a.ms);
      outstandingSince = null;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const countOutstanding = () => {
    if (outstandingSince !== null) worstHealthMs = Math.max(worstHealthMs, performance.now() - outstandingSince);
    outstandingSince = null;
  };
  return {
    pause() {
      paused = true;
      countOutstanding();
    },
    resume() {
      paused = false;
    },
    async stop(): Promise<{ worstHealthMs: number; peakRssMiB: number }> {
      running = false;
      countOutstanding();
      clearInterval(rssTimer);
      sampleRss();
      // A probe still waiting counts with the time it has waited so far; do not wait for it.
      void loop;
      return { worstHealthMs, peakRssMiB: peakRss };
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
