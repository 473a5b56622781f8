// The client commands against a running server, as a user types them: keys through the API (never
// the data folder a server holds), query tables that name metric and unit, correlations with their
// anomalies. The server runs in process on a fixed clock, so times and figures are exact.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/cli/config.js';
import { startSightline, type RunningSightline } from '../src/server.js';
import { plainEnv, runCli } from './support/cli.js';
import { request } from './support/http.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const ADMIN = 'sl_admin_cli_client_e2e_0123456789';

/** Two hours of gpt-4o-mini answers without errors at ~200 ms, then one 5-minute burst of slow failures. */
const CALM = Array.from({ length: 288 }, (_, i) => ({
  timestamp: NOW - 3 * HOUR + i * 25_000, agent_id: 'support-bot', trace_id: `calm-${i}`, span_id: 'c', span_type: 'llm_call', name: 'reply',
  model: 'gpt-4o-mini', latency_ms: 200, cost_usd: 0.001,
}));
const BURST = Array.from({ length: 20 }, (_, i) => ({
  timestamp: NOW - 4 * MINUTE + i * 1000, agent_id: 'support-bot', trace_id: `burst-${i}`, span_id: 'b', span_type: 'llm_call', name: 'reply',
  model: 'gpt-4o-mini', latency_ms: 54_000, cost_usd: 0.001, ...(i % 2 === 1 && { error_type: 'timeout', error_message: 'upstream timed out' }),
}));

describe('client commands against a running server', () => {
  let server: RunningSightline;
  let dir: string;
  const cli = (args: string[], extra: Record<string, string> = {}) => runCli([...args, '--url', server.url], plainEnv({ NO_COLOR: '1', ...extra }));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sightline-cli-client-'));
    server = await startSightline(loadConfig({ flags: { port: 0, data: dir, adminKey: ADMIN } }), { clock: () => NOW, log: () => undefined });
    const r = await request(`${server.url}/v1/events`, { key: ADMIN, body: [...CALM, ...BURST] });
    expect(r.body).toMatchObject({ accepted: CALM.length + BURST.length });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('manages keys through the server: a header, scopes and expiry', async () => {
    const admin = { SIGHTLINE_ADMIN_KEY: ADMIN };
    const created = await cli(['keys', 'create', '--project', 'team-a', '--scope', 'read', '--scope', 'ingest', '--expires', '30d'], admin);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const [, id, expiry] = /^created key ([0-9a-f]{12}) for project "team-a" with scopes read, ingest, expiring (\d{4}-\d\d-\d\d \d\d:\d\d) UTC \(shown once\):\n {2}sl_\S+\n$/.exec(created.stdout) ?? [];
    expect(id).toBeDefined();
    const list = await cli(['keys', 'list'], admin);
    expect(list).toMatchObject({ code: 0, stderr: '' });
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('id            project  prefix       scopes       created (UTC)     expires (UTC)     state');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^[0-9a-f]{12}  default  sl_admin_c…  admin {8}2026-01-15 12:00  never {13}active$/);
    expect(lines[2]).toMatch(new RegExp(`^${id}  team-a   sl_\\S{7}…  read,ingest  2026-01-15 12:00  ${expiry}  active$`));
  });

  it('revokes a key once: a second revocation is an error with exit code 1', async () => {
    const admin = { SIGHTLINE_ADMIN_KEY: ADMIN };
    const id = (await request(`${server.url}/api/keys`, { key: ADMIN, body: { project: 'team-a', scopes: ['read'] } })).body.id as string;
    expect(await cli(['keys', 'revoke', id], admin)).toEqual({ code: 0, stdout: `revoked ${id}\n`, stderr: '' });
    const twice = await cli(['keys', 'revoke', id], admin);
    expect(twice).toEqual({ code: 1, stdout: '', stderr: `sightline: server answered 409 for /api/keys/${id}: API key ${id} was already revoked at 2026-01-15T12:00:00.000Z\n` });
    expect((await cli(['keys', 'list'], admin)).stdout.split('\n').find((l) => l.startsWith(id))).toMatch(/  read {9}2026-01-15 12:00  never {13}revoked 2026-01-15 12:00$/);
    expect(await cli(['keys', 'revoke', 'nope'], admin)).toEqual({ code: 1, stdout: '', stderr: 'sightline: server answered 404 for /api/keys/nope: API key nope not found\n' });
  });

  it('refuses a data folder the server holds, and needs an admin key for the API', async () => {
    expect(await cli(['keys', 'list', '--data', dir], { SIGHTLINE_ADMIN_KEY: ADMIN })).toEqual({
      code: 1,
      stdout: '',
      stderr: `sightline: keys: the data directory ${dir} is held by a running server; manage keys through it instead: drop --data and pass --url and --admin-key (or SIGHTLINE_ADMIN_KEY)\n`,
    });
    expect(await cli(['keys', 'list'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'sightline: keys: an admin key is required: pass --admin-key or set SIGHTLINE_ADMIN_KEY (the key `sightline serve` printed at its first start)\n',
    });
    const read = (await request(`${server.url}/api/keys`, { key: ADMIN, body: { scopes: ['read'] } })).body.key as string;
    expect(await cli(['keys', 'list', '--admin-key', read])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'sightline: server answered 403 for /api/keys: this API key lacks the "admin" scope (it has: read)\n',
    });
  });

  it('query lists every insight on a wrong name', async () => {
    expect(await cli(['query', 'nonsense'], { SIGHTLINE_API_KEY: ADMIN })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'sightline: query: "nonsense" is not an insight; choose one of regressions, paths, cohorts, decisions, tokens, correlations, new-decisions, failing-cohorts (e.g. sightline query regressions --range 24h)\n',
    });
  });

  it('query regressions names the metric and gives values in its unit', async () => {
    const r = await cli(['query', 'regressions', '--range', '1h'], { SIGHTLINE_API_KEY: ADMIN });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      [
        'regressions of p95 latency (ms) by model, 1 h buckets against the previous 24 buckets (times UTC):',
        'model        bucket            direction   p95 latency  expected  change  σ     spans',
        'gpt-4o-mini  2026-01-15 11:00  up (worse)  56.1 s       212 ms    265×    19.5  20',
        '',
      ].join('\n'),
    );
  });

  it('query correlations prints the anomalies as well as the findings, as the dashboard does', async () => {
    const r = await cli(['query', 'correlations', '--range', '1h'], { SIGHTLINE_API_KEY: ADMIN });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      [
        'no correlated findings over the last 1h',
        '',
        'anomalies against 2026-01-15 10:00–11:00 UTC:',
        'anomaly                                                            peak σ',
        'p95 latency of model gpt-4o-mini +55.9 s (212 ms → 56.1 s, 19.5σ)  19.5',
        'error rate of model gpt-4o-mini rose 0.0% → 50.0% (p<0.001)        8.8',
        '',
      ].join('\n'),
    );
  });
});
