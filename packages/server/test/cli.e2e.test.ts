// The CLI as a user meets it: one-line errors for bad flags, busy ports and unwritable dirs.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../bin/sightline.js', import.meta.url));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sightline CLI', () => {
  it('lists every command, flag and variable in --help', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    for (const word of ['serve', 'demo', 'keys create', '--port', '--data', '--config', 'SIGHTLINE_PORT', 'SIGHTLINE_DATA_DIR', 'SIGHTLINE_ADMIN_KEY']) {
      expect(r.stdout).toContain(word);
    }
  });

  it('rejects an unknown flag with one line', () => {
    const r = run(['serve', '--prot', '1']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: "sightline: unknown option '--prot'; did you mean '--port'? (see sightline --help)\n" });
    expect(run(['tail', '--zzz']).stderr).toBe("sightline: unknown option '--zzz' (see sightline --help)\n");
  });

  it('rejects a bad port value and a bad env var with one line naming it', () => {
    const a = run(['serve', '--port', 'abc']);
    expect(a).toMatchObject({ code: 2, stderr: 'sightline: --port: expected a whole number, got "abc"\n' });
    const b = run(['serve'], { SIGHTLINE_PORT: 'x' });
    expect(b).toMatchObject({ code: 2, stderr: 'sightline: SIGHTLINE_PORT: expected a number, got "x"\n' });
    const c = run(['serve', '--port', '70000']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/^sightline: port: .*65535/);
  });

  it('names an unwritable data directory', () => {
    const parent = mkdtempSync(join(tmpdir(), 'sightline-ro-'));
    const file = join(parent, 'not-a-dir');
    writeFileSync(file, '');
    chmodSync(file, 0o444);
    const r = run(['serve', '--port', '0', '--data', join(file, 'sub')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`data directory ${join(file, 'sub')} is not writable`);
  });

  it('names a port in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'sightline-port-'));
    const r = run(['serve', '--port', String(port), '--data', dir]);
    blocker.close();
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`sightline: port ${port} on 127.0.0.1 is already in use; choose another with --port or SIGHTLINE_PORT\n`);
  });

  it('creates keys directly in a data directory no server holds, storing only a hash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-keys-'));
    const r = run(['keys', 'create', '--project', 'team-a', '--scope', 'ingest', '--data', dir]);
    expect(r.code).toBe(0);
    const secret = /\n {2}(sl_\S+)\n/.exec(r.stdout)?.[1];
    expect(secret).toMatch(/^sl_[A-Za-z0-9_-]{32}$/);
    const list = run(['keys', 'list', '--data', dir]);
    expect(list.code).toBe(0);
    const [header, row, ...more] = list.stdout.split('\n');
    expect(header).toBe('id            project  prefix       scopes  created (UTC)     expires (UTC)  state');
    expect(row).toMatch(new RegExp(`^[0-9a-f]{12}  team-a   ${secret!.slice(0, 10)}…  ingest  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  never          active$`));
    expect(more).toEqual(['']);
    expect(list.stdout).not.toContain(secret!);
    const id = row!.slice(0, 12);
    expect(run(['keys', 'revoke', id, '--data', dir])).toMatchObject({ code: 0, stdout: `revoked ${id}\n` });
    const again = run(['keys', 'revoke', id, '--data', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(new RegExp(`^sightline: API key ${id} was already revoked at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\n$`));
  });
});
