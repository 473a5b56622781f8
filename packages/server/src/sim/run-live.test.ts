import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createFleet } from './fleet.js';
import { runLiveFleet, type LiveClock, type LiveProblem } from './run-live.js';
import { simulateToArray } from './simulate.js';
import type { SimEvent } from './trace.js';

const T0 = Date.UTC(2025, 0, 6, 12, 0, 0);

/** A clock whose sleeps pass instantly; it aborts the run once `until` is reached. */
function fakeClock(start: number, until: number, controller: AbortController): LiveClock & { time: number } {
  const clock = {
    time: start,
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.time += ms;
      if (clock.time >= until) controller.abort();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
  return clock;
}

interface Received {
  at: number;
  status: number;
  authorization: string | undefined;
  events: SimEvent[];
}

let server: http.Server | undefined;

afterEach(async () => {
  server?.close();
  server = undefined;
});

/** A server that answers `statuses[i]` to request i (200 after the list), recording each. */
async function startServer(statuses: { status: number; headers?: Record<string, string> }[], clock: () => number): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = statuses[received.length] ?? { status: 200 };
      received.push({ at: clock(), status: reply.status, authorization: req.headers.authorization, events: JSON.parse(Buffer.concat(chunks).toString()) as SimEvent[] });
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

describe('runLiveFleet', () => {
  it('sends each span once after it ends, honours Retry-After on 429, and stops on abort', async () => {
    const fleet = createFleet({ seed: 2 });
    const controller = new AbortController();
    const clock = fakeClock(T0, T0 + 60_000, controller);
    const { url, received } = await startServer([{ status: 429, headers: { 'retry-after': '2' } }], clock.now);
    const problems: LiveProblem[] = [];
    const stats = await runLiveFleet(fleet, { endpoint: url, apiKey: 'test-key', signal: controller.signal, clock, onError: (p) => problems.push(p) });

    expect(received[0]!.status).toBe(429);
    expect(received[1]!.at - received[0]!.at).toBeGreaterThanOrEqual(2000);
    expect(received.every((r) => r.authorization === 'Bearer test-key')).toBe(true);
    expect(problems).toEqual([{ reason: 'HTTP 429: {}', events: received[0]!.events.length, action: 'retry', retryInMs: 2000 }]);

    const delivered = received.filter((r) => r.status === 200).flatMap((r) => r.events);
    const reference = new Map(simulateToArray(fleet, { from: T0, to: T0 + 60_000 }).map((e) => [e.span_id, e]));
    expect(new Set(delivered.map((e) => e.span_id)).size).toBe(delivered.length);
    expect(delivered.filter((e) => JSON.stringify(e) !== JSON.stringify(reference.get(e.span_id)))).toEqual([]);
    // Everything that had ended well before the run stopped was delivered, nothing before it ended.
    const endedEarly = [...reference.values()].filter((e) => e.timestamp + e.latency_ms <= T0 + 55_000);
    expect(endedEarly.every((e) => delivered.some((d) => d.span_id === e.span_id))).toBe(true);
    expect(received.every((r) => r.events.every((e) => e.timestamp + e.latency_ms <= r.at))).toBe(true);
    expect(stats.acceptedEvents).toBe(delivered.length);
    expect(stats.requests).toBe(received.length);
    expect(stats.failedRequests).toBe(1);
    expect(delivered.length).toBeGreaterThan(1000);
  });

  it('survives network errors with growing backoff', async () => {
    const controller = new AbortController();
    const clock = fakeClock(T0, T0 + 120_000, controller);
    const problems: LiveProblem[] = [];
    const stats = await runLiveFleet(createFleet({ seed: 2 }), {
      endpoint: 'http://127.0.0.1:1',
      apiKey: 'k',
      signal: controller.signal,
      clock,
      onError: (p) => problems.push(p),
    });
    expect(stats.acceptedEvents).toBe(0);
    expect(stats.requests).toBeGreaterThan(3);
    expect(problems.every((p) => p.action === 'retry' && p.reason.startsWith('network error'))).toBe(true);
    expect(problems.slice(0, 4).map((p) => p.retryInMs)).toEqual([500, 1000, 2000, 4000]);
  });

  it('at speed 10 compresses simulated time onto the wall clock', async () => {
    const controller = new AbortController();
    const clock = fakeClock(T0, T0 + 6_000, controller);
    const { url, received } = await startServer([], clock.now);
    const stats = await runLiveFleet(createFleet({ seed: 2 }), { endpoint: url, apiKey: 'k', signal: controller.signal, clock, speed: 10 });
    const delivered = received.flatMap((r) => r.events);
    expect(stats.acceptedEvents).toBe(delivered.length);
    // Six wall seconds carry about a simulated minute: 8 agents × 40 traces/min.
    const roots = delivered.filter((e) => e.parent_span_id === null);
    expect(roots.length).toBeGreaterThan(150);
    expect(delivered.every((e) => e.timestamp >= T0 && e.timestamp < T0 + 6_000)).toBe(true);
  });
});
