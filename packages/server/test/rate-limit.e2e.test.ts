// Per-key ingest rate limits over HTTP: past its rate a key gets 429 with Retry-After and a
// message naming the limit, nothing of the refused batch is stored, other keys are unaffected,
// and a per-key override (by key id, from the config file) lifts the limit for one key.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const NOW = Date.now();

function events(prefix: string, n: number) {
  return Array.from({ length: n }, (_, i) => ({ agent_id: 'rl', trace_id: `${prefix}${String(i).padStart(28, '0')}`, timestamp: NOW }));
}

describe('per-key ingest rate limits', () => {
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  it('answers 429 with Retry-After past a key’s rate, per key, with overrides', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-rl-'));
    const config = (extra: string) => {
      const path = join(dir, 'sightline.yaml');
      writeFileSync(path, `rateLimit:\n  eventsPerSecond: 10\n  burstSeconds: 20\n${extra}`);
      return path;
    };
    server = await startServer({ args: ['--config', config('')] });
    const mk = async () => (await request(`${server!.url}/api/keys`, { key: server!.adminKey, body: { scopes: ['ingest'] } })).body as { key: string; id: string };
    const a = await mk();
    const b = await mk();

    const post = (key: string, prefix: string, n: number) => request(`${server!.url}/v1/events`, { key, body: events(prefix, n) });
    expect((await post(a.key, 'aaa', 200)).status).toBe(200);
    const limited = await post(a.key, 'aab', 100);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('overloaded');
    expect(limited.body.error.message).toMatch(/^this API key may ingest 10 events per second \(bursts up to 200\); 100 events arrived too fast, retry in \d+ s$/);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(9);
    expect(retryAfter).toBeLessThanOrEqual(10);
    // The refused batch left nothing behind; the other key has its own budget.
    expect((await request(`${server.url}/api/traces/${events('aab', 1)[0]!.trace_id}`, { key: server.adminKey })).status).toBe(404);
    expect((await post(b.key, 'bbb', 200)).status).toBe(200);

    // An override for key a (by id) lifts its limit after a restart with the new config.
    const dataDir = server.dataDir;
    await server.stop();
    server = await startServer({ dataDir, adminKey: server.adminKey, args: ['--config', config(`  keys:\n    ${JSON.stringify(a.id)}: 0\n`)] });
    expect((await post(a.key, 'aac', 1_000)).status).toBe(200);
    expect((await post(a.key, 'aad', 1_000)).status).toBe(200);
    // Buckets live in memory, so b starts full again after the restart; its limit still holds.
    expect((await post(b.key, 'bbc', 200)).status).toBe(200);
    expect((await post(b.key, 'bbd', 1)).status).toBe(429);
  });
});
