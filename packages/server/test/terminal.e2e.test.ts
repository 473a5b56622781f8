// The client commands as a user sees them in a terminal: tail's coloured lines on a TTY, plain
// lines under NO_COLOR or through a pipe, --json lines, status, query tables, import's progress bar.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, plainEnv, runCli, runCliOnTty } from './support/cli.js';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const ESC = '\u001b[';
const DAY = 86_400_000;
/** 03:04:05.678 UTC on the latest day where that is in the past: fixed clock text, recent data. */
const T = (() => {
  const t = Math.floor(Date.now() / DAY) * DAY + ((3 * 60 + 4) * 60 + 5) * 1000 + 678;
  return t > Date.now() ? t - DAY : t;
})();

const spans = [
  { timestamp: T, agent_id: 'support-bot', span_type: 'llm_call', model: 'gpt-4o', latency_ms: 640, cost_usd: 0.0123, decision_made: 'refund' },
  { timestamp: T + 1, agent_id: 'router', span_type: 'tool_call', name: 'search', latency_ms: 12_500, error_type: 'timeout', error_message: 'no answer' },
];
const PLAIN_LINES = [
  '03:04:05.678  support-bot       llm_call    -                     gpt-4o              refund              640ms   $0.0123  ok',
  '03:04:05.679  router            tool_call   search                -                   -                   12.5s         -  ✗ timeout: no answer',
];

describe('terminal output', () => {
  let server: RunningServer;
  let dir: string;
  const env = (extra: Record<string, string> = {}) => plainEnv({ SIGHTLINE_API_KEY: server.adminKey, ...extra });

  beforeAll(async () => {
    server = await startServer();
    dir = mkdtempSync(join(tmpdir(), 'sightline-term-'));
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
    rmSync(dir, { recursive: true, force: true });
  });

  async function liveClients(): Promise<number> {
    return (await request(`${server.url}/api/status`, { key: server.adminKey })).body.live_clients;
  }
  async function untilLiveClients(n: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    while ((await liveClients()) !== n) {
      if (Date.now() > deadline) throw new Error(`never saw ${n} live clients`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Starts `tail` through a pipe, sends the spans once it is subscribed, stops it after `lines` lines. */
  async function tailViaPipe(args: string[], extraEnv: Record<string, string>, lines: number) {
    const child = spawn(process.execPath, [CLI, 'tail', '--url', server.url, ...args], { env: env(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const got = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.split('\n').length > lines) resolve();
      }),
    );
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await untilLiveClients(1);
    await request(`${server.url}/v1/events`, { key: server.adminKey, body: spans });
    await got;
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGINT');
    const code = await exited;
    await untilLiveClients(0);
    return { code, stdout, stderr };
  }

  it('tail through a pipe prints plain aligned lines, nothing else, and exits 0 on Ctrl-C', async () => {
    const r = await tailViaPipe([], {}, 2);
    expect(r).toEqual({ code: 0, stdout: `${PLAIN_LINES.join('\n')}\n`, stderr: '' });
  });

  it('tail --errors --json prints one span object per line', async () => {
    const r = await tailViaPipe(['--errors', '--json'], {}, 1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ agent_id: 'router', error_type: 'timeout', latency_ms: 12_500, project: 'default' });
  });

  it('tail on a terminal colours each field; NO_COLOR turns colour off there too', async () => {
    const run = (extra: Record<string, string>) => {
      const tail = runCliOnTty(['tail', '--url', server.url, '--agent', 'router'], env(extra), 60, (out) => out.includes('no answer'));
      return tail;
    };
    for (const [extra, coloured] of [[{}, true], [{ NO_COLOR: '1' }, false]] as const) {
      const pending = run(extra);
      await untilLiveClients(1);
      await request(`${server.url}/v1/events`, { key: server.adminKey, body: spans });
      const r = await pending;
      await untilLiveClients(0);
      const lines = r.stdout.split('\n').filter((l) => l !== '');
      if (coloured) {
        expect(lines).toEqual([
          `${ESC}2mtailing ${server.url} agent=router (Ctrl-C to stop)`,
          `${ESC}22m${ESC}2m03:04:05.679${ESC}22m  ${ESC}36mrouter          ${ESC}39m  ${ESC}34mtool_call ${ESC}39m  search                -                   -                 ${ESC}31m  12.5s${ESC}39m         -  ${ESC}31m✗ timeout: no answer${ESC}39m`,
        ]);
      } else {
        expect(lines).toEqual([`tailing ${server.url} agent=router (Ctrl-C to stop)`, PLAIN_LINES[1]]);
      }
    }
  });

  it('status prints one labelled line per fact', async () => {
    const r = await runCli(['status', '--url', server.url], env({ NO_COLOR: '1' }));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        [
          `^server  ok  ${server.url.replace(/\./g, '\\.')}  v\\d+\\.\\d+\\.\\d+  up \\d+s`,
          'store   duckdb  \\d+ spans  \\d+(\\.\\d)? (B|KiB|MiB)',
          'ingest  [\\d.]+ spans/s \\(last minute\\)  0 queued',
          'live    0 tail clients',
          'alerts  none firing\\n$',
        ].join('\\n'),
      ),
    );
    const json = JSON.parse((await runCli(['status', '--json', '--url', server.url], env())).stdout);
    expect(json).toMatchObject({ status: 'ok', store: { kind: 'duckdb' }, live_clients: 0 });
  });

  it('query shows an insight as a table, and --json as the server answered', async () => {
    // planner decided "answer" 3 days ago (its baseline) and "escalate" for the first time today.
    const planner = { agent_id: 'planner', span_type: 'decision', latency_ms: 1 };
    await request(`${server.url}/v1/events`, {
      key: server.adminKey,
      body: [{ ...planner, timestamp: T - 3 * DAY, decision_made: 'answer' }, { ...planner, timestamp: T, decision_made: 'escalate' }],
    });
    const r = await runCli(['query', 'new-decisions', '--range', '48h', '--url', server.url], env({ NO_COLOR: '1' }));
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.trim().split('\n')).toEqual([
      'new decisions (never made in the baseline; times UTC):',
      'agent    decision  first seen        count',
      `planner  escalate  ${new Date(T).toISOString().slice(0, 10)} 03:04  1`,
    ]);
    const json = JSON.parse((await runCli(['query', 'decisions', '--json', '--range', '48h', '--url', server.url], env())).stdout);
    expect(json).toHaveProperty('new_decisions');
  });

  it('import draws a progress bar with rows/s and ETA only on a terminal', async () => {
    const file = join(dir, 'many.ndjson');
    writeFileSync(file, Array.from({ length: 5000 }, (_, i) => JSON.stringify({ timestamp: T + i, agent_id: 'bulk', latency_ms: 1 })).join('\n'));
    const tty = await runCliOnTty(['import', file, '--url', server.url], env({ NO_COLOR: '1' }));
    expect(tty.code).toBe(0);
    expect(tty.stdout).toMatch(/\r\[#{24}\] 100%  5,000 rows  [\d,]+ rows\/s  ETA 0s/);
    expect(tty.stdout).toMatch(new RegExp(`imported ${file}: 5,000 new, 0 already stored, 0 rejected of 5,000 rows in`));
    const piped = await runCli(['import', file, '--url', server.url], env());
    expect(piped).toMatchObject({ code: 0, stderr: '' });
    expect(piped.stdout).not.toContain(ESC);
    expect(piped.stdout).not.toContain('\r');
  });
});
