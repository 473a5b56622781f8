// The SDK against a faulty network peer (a tiny node:http server answering scripted statuses):
// whatever the server does, the agent's code keeps running and nothing rejects unhandled.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, startSink, type Sink } from '../test/support/sink.js';
import { systemClock, type Clock } from './clock.js';
import { createSightline } from './client.js';
import type { SightlineOptions } from './config.js';

/** Stats of the score queue when no score was sent. */
const NO_SCORES = { queued: 0, sent: 0, dropped: 0, retried: 0, failed: 0 };

const unhandled: unknown[] = [];
const onUnhandled = (r: unknown) => unhandled.push(r);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));
afterEach(() => expect(unhandled).toEqual([]));

/** Real timers, but every wait is recorded and shortened to 0 ms so tests never sleep out a backoff. */
function recordingClock(): Clock & { waits: number[] } {
  const waits: number[] = [];
  return { ...systemClock, waits, setTimeout: (fn, ms) => (waits.push(ms), setTimeout(fn, 0)) };
}

function client(sink: Sink | string, over: SightlineOptions = {}) {
  const warnings: string[] = [];
  const sl = createSightline({
    endpoint: typeof sink === 'string' ? sink : sink.url,
    apiKey: 'sl_test_key',
    agentId: 'fault-agent',
    flushOnExit: false,
    random: () => 0,
    retryBaseMs: 10,
    logger: { warn: (m) => warnings.push(m) },
    ...over,
  });
  return { sl, warnings };
}

function record(sl: ReturnType<typeof createSightline>, n: number): void {
  for (let i = 0; i < n; i++) sl.span('tool_call', `t${i}`, () => i);
}

describe('against a faulty server', () => {
  it('sends gzip with auth and one idempotency key reused across retries', async () => {
    const sink = await startSink([{ status: 503 }, { status: 502, body: '<html>bad gateway</html>' }]);
    const { sl } = client(sink, { clock: recordingClock() });
    record(sl, 50);
    await sl.flush();
    expect(sink.requests.map((r) => r.headers['content-encoding'])).toEqual(['gzip', 'gzip', 'gzip']);
    expect(sink.requests[0]?.headers.authorization).toBe('Bearer sl_test_key');
    expect(sink.requests[0]?.headers['content-type']).toBe('application/json');
    expect(new Set(sink.requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(sink.accepted().map((e) => e.name)).toEqual(Array.from({ length: 50 }, (_, i) => `t${i}`));
    expect(sl.stats()).toEqual({ queued: 0, sent: 50, dropped: 0, retried: 2, failed: 0, sampledOut: 0, scores: NO_SCORES });
    await sl.shutdown();
    await sink.close();
  });

  it('waits what 429 Retry-After says before retrying', async () => {
    const sink = await startSink([{ status: 429, headers: { 'retry-after': '3' } }]);
    const clock = recordingClock();
    const { sl } = client(sink, { clock });
    record(sl, 3);
    await sl.flush();
    expect(clock.waits.filter((ms) => ms !== 1000)).toEqual([3000]);
    expect(sink.requests).toHaveLength(2);
    expect(sl.stats()).toMatchObject({ sent: 3, retried: 1, failed: 0 });
    await sl.shutdown();
    await sink.close();
  });

  it.each([400, 401, 403, 413])('drops a batch answered %i without retrying, logged once with the server message', async (status) => {
    const sink = await startSink([], { status, body: JSON.stringify({ error: { message: `nope ${status}` } }) });
    const { sl, warnings } = client(sink, { maxBatchSize: 2 });
    record(sl, 4);
    await sl.flush();
    expect(sink.requests).toHaveLength(2);
    expect(sl.stats()).toEqual({ queued: 0, sent: 0, dropped: 0, retried: 0, failed: 4, sampledOut: 0, scores: NO_SCORES });
    expect(warnings).toEqual([`server refused a batch with HTTP ${status}: nope ${status} (events dropped, not retried)`]);
    await sl.shutdown();
    await sink.close();
  });

  it('treats a 200 with a garbage body as delivered', async () => {
    const sink = await startSink([], { status: 200, body: 'not json {{{' });
    const { sl } = client(sink);
    record(sl, 3);
    await sl.flush();
    expect(sl.stats()).toMatchObject({ sent: 3, failed: 0 });
    await sl.shutdown();
    await sink.close();
  });

  it('retries a dropped connection and a server slower than the request timeout', async () => {
    const sink = await startSink([{ status: 200, hangUp: true }, { status: 200, delayMs: 500 }]);
    const { sl } = client(sink, { requestTimeoutMs: 100, clock: recordingClock() });
    record(sl, 3);
    await sl.flush();
    expect(sink.requests).toHaveLength(3);
    expect(sl.stats()).toMatchObject({ sent: 3, retried: 2, failed: 0 });
    await sl.shutdown();
    await sink.close();
  });

  it('loses nothing within the queue bound when the server is down at start and comes up later', async () => {
    const port = await closedPort();
    const { sl } = client(`http://127.0.0.1:${port}`, { maxRetries: 20, retryBaseMs: 20, retryMaxMs: 100, flushIntervalMs: 10 });
    record(sl, 200);
    await new Promise((r) => setTimeout(r, 150));
    expect(sl.stats().retried).toBeGreaterThan(0);
    const sink = await startSink([], { status: 200 }, port);
    await sl.flush();
    expect(sink.accepted()).toHaveLength(200);
    expect(sl.stats()).toMatchObject({ sent: 200, dropped: 0, failed: 0 });
    await sl.shutdown();
    await sink.close();
  });

  it('keeps the hot path fast while the server hangs, and shutdown is bounded', async () => {
    const sink = await startSink([], { status: 200, delayMs: 5000 });
    const { sl } = client(sink, { maxBatchSize: 10, maxQueueSize: 100 });
    const t0 = performance.now();
    record(sl, 1000);
    const spent = performance.now() - t0;
    expect(spent).toBeLessThan(100);
    expect(sl.stats()).toMatchObject({ dropped: 900 });
    const s0 = performance.now();
    await sl.shutdown({ timeoutMs: 300 });
    expect(performance.now() - s0).toBeLessThan(1000);
    expect(sl.stats()).toMatchObject({ queued: 0, sent: 0, dropped: 900, failed: 100 });
    await sink.close();
  });
});
