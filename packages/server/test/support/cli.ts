// Runs the built `sightline` CLI as a user would: as a child process (plain pipes, i.e. not a
// TTY), or under `script` so it sees a real pseudo-terminal.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../bin/sightline.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without colour switches, so each test sets exactly the ones it means. */
export function plainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC', TERM: 'xterm-256color', ...extra };
  if (!('NO_COLOR' in extra)) delete env.NO_COLOR;
  if (!('FORCE_COLOR' in extra)) delete env.FORCE_COLOR;
  return env;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, opts: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.stdin.end(opts.input ?? '');
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const PID_MARK = '@sightline-test-pid=';
const PID_LINE = new RegExp(`${PID_MARK}(\\d+)\\r?\\n`);

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`); stdout and stderr arrive merged. With
 * `until`, the command itself is sent SIGTERM as soon as the output satisfies it, so a test waits on
 * what it expects, not on a fixed time. The signal goes to the command's own process, not to
 * `script`: `script` gives its child two seconds and then SIGKILLs it, which on a busy machine left
 * the CLI orphaned and still connected.
 */
export function runCliOnTty(args: string[], env: NodeJS.ProcessEnv, timeoutSeconds?: number, until?: (output: string) => boolean): Promise<CliResult> {
  const command = [process.execPath, CLI, ...args].map(shellQuote).join(' ');
  // The shell prints its pid and then becomes the command (or `timeout`, which passes SIGTERM on).
  const line = `echo "${PID_MARK}$$"; exec ${timeoutSeconds === undefined ? command : `timeout -s TERM ${timeoutSeconds} ${command}`}`;
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', line, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let ended = false;
    const onData = (d: Buffer) => {
      out += d.toString();
      const pid = PID_LINE.exec(out)?.[1];
      if (until !== undefined && !ended && pid !== undefined && until(out.replace(PID_LINE, ''))) {
        ended = true;
        process.kill(Number(pid), 'SIGTERM');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    // What `script` says when it ends the session is not the command's output.
    child.once('exit', (code) =>
      resolve({ code, stdout: out.replace(PID_LINE, '').replace(/\r\n/g, '\n').replace(/Session terminated, killing shell\.\.\.( \.\.\.killed\.)?\n?/g, ''), stderr: '' }),
    );
  });
}

