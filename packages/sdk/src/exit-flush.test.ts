// On exit the SDK sends what is queued, within its bounded exit time: tested in real child processes.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startSink } from '../test/support/sink.js';

const AGENT = fileURLToPath(new URL('../test/support/exit-agent.ts', import.meta.url));

function runAgent(env: Record<string, string>, onReady?: (kill: (s: NodeJS.Signals) => void) => void) {
  const child = spawn(process.execPath, ['--import', 'tsx', AGENT], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('ready')) onReady?.((s) => child.kill(s));
  });
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, out })),
  );
}

describe('flush on exit', () => {
  it('sends queued events when the event loop empties', async () => {
    const sink = await startSink();
    const r = await runAgent({ SINK_URL: sink.url, EVENTS: '7' });
    expect(r.code).toBe(0);
    expect(sink.accepted().map((e) => e.name)).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
    await sink.close();
  });

  it('gives up after exitFlushTimeoutMs when the server hangs', async () => {
    const sink = await startSink([], { status: 200, delayMs: 20_000 });
    const r = await runAgent({ SINK_URL: sink.url, EVENTS: '3', EXIT_FLUSH_MS: '300' });
    expect(r.code).toBe(0);
    expect(sink.requests).toHaveLength(1);
    const held = Number(/exit-flush-ms (\d+)/.exec(r.out)?.[1]);
    expect(held).toBeGreaterThanOrEqual(300);
    expect(held).toBeLessThan(1000);
    await sink.close();
  });

  it('flushes on SIGTERM, then exits by that signal', async () => {
    const sink = await startSink();
    const r = await runAgent({ SINK_URL: sink.url, EVENTS: '4', WAIT_FOR_SIGNAL: '1' }, (kill) => kill('SIGTERM'));
    expect(r.signal).toBe('SIGTERM');
    expect(sink.accepted()).toHaveLength(4);
    await sink.close();
  });
});
