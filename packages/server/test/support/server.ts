// Starts a real Sightline server (the built CLI) on a random port with a temp data dir, for
// end-to-end tests. Nothing is mocked: tests talk HTTP to the same binary users run.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../bin/sightline.js', import.meta.url));

export interface RunningServer {
  url: string;
  port: number;
  /** The health port (StartOptions.healthPort), when asked for. */
  healthUrl?: string;
  healthPort?: number;
  adminKey: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the server printed so far (stdout + stderr). */
  output(): string;
  /** SIGTERM and wait for exit; keeps the data dir unless remove is true. */
  stop(opts?: { remove?: boolean; signal?: NodeJS.Signals }): Promise<number | null>;
}

export interface StartOptions {
  dataDir?: string;
  args?: string[];
  /** Flags for node itself, before the CLI (benchmarks pass --cpu-prof this way). */
  nodeArgs?: string[];
  env?: Record<string, string>;
  adminKey?: string;
  /** Run the server as this user and group (root only), e.g. so file permissions bind it. */
  uid?: number;
  gid?: number;
  /** Also listen on a health port (--health-port; 0: any free one, read from its startup line). */
  healthPort?: number;
}

let counter = 0;

/** Starts `sightline serve --port 0` and resolves once it prints its listening line(s). */
export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'sightline-test-'));
  const adminKey = opts.adminKey ?? `sl_admin_test_${process.pid}_${++counter}_0123456789abcdef`;
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), CLI, 'serve', '--port', '0', '--data', dataDir, ...(opts.healthPort === undefined ? [] : ['--health-port', String(opts.healthPort)]), ...(opts.args ?? [])], {
    env: { ...process.env, SIGHTLINE_ADMIN_KEY: adminKey, NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.uid !== undefined && { uid: opts.uid }),
    ...(opts.gid !== undefined && { gid: opts.gid }),
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const [port, healthPort] = await new Promise<[number, number | undefined]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${out}`)), 30_000);
    const onData = () => {
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      const h = /health port on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m && (opts.healthPort === undefined || h)) {
        clearTimeout(timer);
        resolve([Number(m[1]), h ? Number(h[1]) : undefined]);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    ...(healthPort !== undefined && { healthUrl: `http://127.0.0.1:${healthPort}`, healthPort }),
    adminKey,
    dataDir,
    process: child,
    output: () => out,
    async stop({ remove = false, signal = 'SIGTERM' } = {}) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      if (remove) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
