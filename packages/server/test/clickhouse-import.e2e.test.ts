// Import on the ClickHouse backend: spans already stored are recognised by (project, trace_id,
// span_id) there too, so importing an export into its own project, or twice, adds nothing.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainEnv, runCli } from './support/cli.js';
import { startClickHouse, type ClickHouseCluster } from './support/clickhouse.js';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const NOW = Date.now();
const N = 40;
const RANGE = ['--from', String(NOW - 3_600_000), '--to', String(NOW + 60_000)];

const events = Array.from({ length: N }, (_, i) => ({
  timestamp: NOW - 600_000 + i * 1000, agent_id: i % 2 === 0 ? 'planner' : 'support-bot', trace_id: `ch-trace-${Math.floor(i / 4)}`, span_id: `ch-span-${i}`,
  span_type: 'llm_call', name: `step ${i}`, model: 'gpt-4o', tokens_input: 10 * i, tokens_output: i, latency_ms: 5 + i,
  ...(i % 5 === 0 && { error_type: 'timeout', error_message: 'took "too" long' }),
}));

describe('import on ClickHouse', () => {
  let ch: ClickHouseCluster;
  let server: RunningServer;
  let dir: string;
  const cli = (key: string, args: string[]) => runCli([...args, '--url', server.url], plainEnv({ SIGHTLINE_API_KEY: key, NO_COLOR: '1' }));
  const summary = (file: string, fresh: number, stored: number) =>
    new RegExp(`^imported ${file}: ${fresh} new, ${stored} already stored, 0 rejected of ${N} rows in \\d+\\.\\d s \\([\\d,]+ rows/s\\)\\n$`);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sightline-ch-import-'));
    ch = await startClickHouse();
    server = await startServer({ args: ['--store', ch.storeUrl('imports')] });
    expect((await request(`${server.url}/v1/events`, { key: server.adminKey, body: events })).body).toMatchObject({ accepted: N });
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
    await ch?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds nothing when an export comes back, and copies it once into another project', async () => {
    const file = join(dir, 'spans.csv');
    expect((await cli(server.adminKey, ['export', ...RANGE, '--out', file])).code).toBe(0);
    const original = (await cli(server.adminKey, ['export', ...RANGE, '--format', 'ndjson'])).stdout;
    expect(original.split('\n')).toHaveLength(N + 1);

    expect((await cli(server.adminKey, ['import', file])).stdout).toMatch(summary(file, 0, N));
    expect((await cli(server.adminKey, ['export', ...RANGE, '--format', 'ndjson'])).stdout).toBe(original);

    const copy = (await request(`${server.url}/api/keys`, { key: server.adminKey, body: { project: 'copy', scopes: ['ingest', 'read'] } })).body.key as string;
    expect((await cli(copy, ['import', file])).stdout).toMatch(summary(file, N, 0));
    expect((await cli(copy, ['import', file])).stdout).toMatch(summary(file, 0, N));
    expect((await cli(copy, ['export', ...RANGE, '--format', 'ndjson'])).stdout).toBe(original);
  });
});
