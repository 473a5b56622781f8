// Reads cannot starve ingest (issue 24, item 3): a raw-span read still running after
// limits.readTimeoutMs is stopped by the store and answered 503 with Retry-After, while ingest
// (whose key and Idempotency-Key lookups are never timed) keeps acknowledging and storing batches.
// A 1 ms timeout makes every scan over the 40,000 stored spans run out, whatever the machine's speed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';
import { startServer, type RunningServer } from './support/server.js';

const NOW = Date.now();
const BATCH = 5_000;
const batch = (tag: string) =>
  Array.from({ length: BATCH }, (_, i) => ({ agent_id: 'reads', trace_id: `${tag}-${i % 500}`, span_id: `${tag}-${i}`, timestamp: NOW - i * 10, latency_ms: i % 97 }));

describe('read timeout', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env: { SIGHTLINE_READ_TIMEOUT_MS: '1' } });
    for (let b = 0; b < 8; b++) {
      const r = await request(`${server.url}/v1/events`, { key: server.adminKey, body: batch(`seed${b}`) });
      expect(r.body.accepted).toBe(BATCH);
    }
  });
  afterAll(async () => {
    await server?.stop({ remove: true });
  });

  it('stops four concurrent 400-day trace searches with 503 and Retry-After while ingest is acknowledged and stored', async () => {
    const reads = Array.from({ length: 4 }, () => request(`${server.url}/api/traces?range=400d&limit=1000`, { key: server.adminKey }));
    const ingest = request(`${server.url}/v1/events`, { key: server.adminKey, body: batch('during'), headers: { 'idempotency-key': 'during-reads' } });
    const answers = await Promise.all(reads);
    for (const r of answers) {
      expect([r.status, r.headers.get('retry-after'), r.body.error.code]).toEqual([503, '5', 'query_timeout']);
      expect(r.body.error.message).toBe('the query was stopped after 1 ms (limits.readTimeoutMs); narrow the time range or add a filter');
    }
    expect((await ingest).body).toEqual({ accepted: BATCH, rejected: [], rejected_events: 0 });
    const status = await request(`${server.url}/api/status`, { key: server.adminKey });
    expect(status.body.store.spans).toBe(9 * BATCH);
    // The connections the stopped reads ran on still serve: the retry of the batch is found and replayed.
    const retry = await request(`${server.url}/v1/events`, { key: server.adminKey, body: batch('during'), headers: { 'idempotency-key': 'during-reads' } });
    expect([retry.status, retry.headers.get('idempotent-replayed')]).toEqual([200, 'true']);
  });
});
