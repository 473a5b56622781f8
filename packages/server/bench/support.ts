// Shared helpers for benchmarks: start the built server and run the load generator, each in
// its own process, as a user's deployment and clients would be.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadReport } from '../src/sim/loadgen.js';
import { startServer as startTestServer, type RunningServer, type StartOptions } from '../test/support/server.js';

const LOADGEN = fileURLToPath(new URL('../dist/sim/loadgen.js', import.meta.url));

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export type { RunningServer };

/**
 * Node flags from the environment, to profile a benchmark's processes without changing it:
 * BENCH_SERVER_NODE_ARGS for the server, BENCH_LOADGEN_NODE_ARGS for the load generator
 * (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`; NODE_OPTIONS does not allow --cpu-prof).
 */
const nodeArgs = (name: string): string[] => process.env[name]?.split(' ').filter((a) => a !== '') ?? [];

/** Starts the built server (test/support/server.ts), with BENCH_SERVER_NODE_ARGS. */
export function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  return startTestServer({ ...opts, nodeArgs: [...nodeArgs('BENCH_SERVER_NODE_ARGS'), ...(opts.nodeArgs ?? [])] });
}

/** Runs loadgen with `args` (its flags); `onInterval` gets each --report-every-s report as it is printed. */
export function runLoadgen(
  server: RunningServer,
  args: Record<string, string | number | boolean>,
  onInterval?: (report: LoadReport) => void,
): Promise<LoadReport> {
  const argv = [...nodeArgs('BENCH_LOADGEN_NODE_ARGS'), LOADGEN, '--endpoint', server.url, '--key', server.adminKey];
  for (const [k, v] of Object.entries(args)) {
    if (v === true) argv.push(`--${k}`);
    else if (v !== false) argv.push(`--${k}`, String(v));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let seen = 0;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      for (; seen < lines.length - 1; seen++) {
        const line = lines[seen]!;
        if (line.startsWith('{"interval":')) onInterval?.((JSON.parse(line) as { interval: LoadReport }).interval);
      }
    });
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as LoadReport);
      } catch {
        reject(new Error(`loadgen exited ${code}: ${out}`));
      }
    });
  });
}

/** Resident set size of a process in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const fmt = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(2)) : v);
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(fmt).join(' | ')} |`),
  ].join('\n');
}
