import { execFile } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createLoadPool } from './load-pool.js';
import { runLoad, type LoadReport } from './loadgen.js';
import type { SimEvent } from './trace.js';

let server: http.Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

/** Accepts every POST (after `delayMs`), decoding gzip, and keeps the events. */
async function sink(delayMs = 0): Promise<{ url: string; events: SimEvent[]; encodings: Set<string> }> {
  const events: SimEvent[] = [];
  const encodings = new Set<string>();
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const encoding = req.headers['content-encoding'] ?? 'identity';
      encodings.add(encoding);
      const body = encoding === 'gzip' ? gunzipSync(raw) : raw;
      for (const e of JSON.parse(body.toString()) as SimEvent[]) events.push(e);
      // As Sightline does: how long it held the request (a fixed figure here, to compare exactly).
      setTimeout(() => res.writeHead(200, { 'server-timing': `ingest;dur=${delayMs + 3}` }).end('{"accepted":true}'), delayMs);
    });
  });
  server.keepAliveTimeout = 5000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, events, encodings };
}

describe('load pool', () => {
  it('gives exactly `batch` events per body, with ids unique across sends and parents inside the body', () => {
    const pool = createLoadPool({ nonce: 'abcd0123', batch: 250, templates: 4, seed: 1, agents: 20, now: Date.UTC(2025, 0, 6) });
    const ids = new Set<string>();
    for (let seq = 0; seq < 12; seq++) {
      const events = JSON.parse(pool.body(seq).toString('utf8')) as SimEvent[];
      expect(events.length).toBe(250);
      const spans = new Set(events.map((e) => e.span_id));
      expect(events.every((e) => e.parent_span_id === null || spans.has(e.parent_span_id))).toBe(true);
      expect(events.every((e) => /^abcd0123[0-9a-f]{24}$/.test(e.trace_id) && /^[0-9a-f]{16}$/.test(e.span_id))).toBe(true);
      for (const e of events) ids.add(`${e.trace_id}/${e.span_id}`);
    }
    expect(ids.size).toBe(12 * 250);
    // Sends of one template differ in their send numbers only, and each call gives a new Buffer.
    const [first, later] = [pool.body(0).toString('utf8'), pool.body(0xabcdef0).toString('utf8')];
    // In every trace id, span id and parent id.
    const parents = (JSON.parse(first) as SimEvent[]).filter((e) => e.parent_span_id !== null).length;
    expect(later.split('0abcdef0').length - 1).toBe(2 * 250 + parents);
    expect(later.replaceAll('0abcdef0', '00000000') === first).toBe(true);
    expect(pool.body(0)).not.toBe(pool.body(0));
  });
});

describe('runLoad', () => {
  it.each([false, true])('posts batches for the duration and reports them (gzip: %s)', async (gzip) => {
    const target = await sink();
    const report = await runLoad({ endpoint: target.url, apiKey: 'k', batch: 200, concurrency: 2, durationS: 0.5, gzip, seed: 1, nonce: '00c0ffee' });
    expect(report.sent_events).toBe(report.requests * 200);
    expect(report.acked_events).toBe(report.sent_events);
    expect(report.status_counts).toEqual({ '200': report.requests });
    expect(target.events.length).toBe(report.sent_events);
    expect(new Set(target.events.map((e) => `${e.trace_id}/${e.span_id}`)).size).toBe(report.sent_events);
    expect(target.events.every((e) => e.trace_id.startsWith('00c0ffee'))).toBe(true);
    expect([...target.encodings]).toEqual([gzip ? 'gzip' : 'identity']);
    expect(report.latency_ms.p50).toBeLessThanOrEqual(report.latency_ms.p99);
    expect(report.latency_ms.p99).toBeLessThanOrEqual(report.latency_ms.max);
    // Every answer was an acknowledgement: the same distribution.
    expect(report.ack_latency_ms).toEqual(report.latency_ms);
    expect(report.server_ack_ms).toEqual({ p50: 3, p99: 3, max: 3 });
    expect(report.client_loop_delay_ms!.p99).toBeLessThanOrEqual(report.client_loop_delay_ms!.max);
    expect(report.run_nonce).toBe('00c0ffee');
  });

  it('keeps to --rate', async () => {
    const target = await sink();
    const report = await runLoad({ endpoint: target.url, apiKey: 'k', batch: 100, concurrency: 2, durationS: 1, rate: 2000, gzip: false, seed: 1 });
    // 2000 events/s for 1 s in batches of 100: sends due at 0, 50, … 950 ms.
    expect(report.requests).toBe(20);
  });

  it('keeps to --rate in an open loop whatever the answers take, reporting each interval', async () => {
    const target = await sink(600);
    const intervals: LoadReport[] = [];
    const options = { endpoint: target.url, apiKey: 'k', batch: 100, concurrency: 8, durationS: 1, rate: 400, gzip: false, seed: 1 };
    // Sends due at 0, 250, 500 and 750 ms, each answered 600 ms later.
    const open = await runLoad({ ...options, openLoop: true, reportEveryS: 0.375 }, (r) => intervals.push(r));
    expect(open.requests).toBe(4);
    expect(open.acked_events).toBe(400);
    expect(open.latency_ms.p50).toBeGreaterThanOrEqual(600);
    // The first interval (0–375 ms) saw two sends and no answer yet.
    expect(intervals[0]).toMatchObject({ sent_events: 200, acked_events: 0, requests: 0, status_counts: {} });
    // A closed loop of one client waits for each answer: sends at 0 and 600 ms only.
    expect((await runLoad({ ...options, concurrency: 1 })).requests).toBe(2);
  });

  it('counts refused connections instead of failing', async () => {
    const report = await runLoad({ endpoint: 'http://127.0.0.1:1', apiKey: 'k', batch: 10, concurrency: 1, durationS: 0.2, gzip: false, seed: 1 });
    expect(report.acked_events).toBe(0);
    expect(Object.keys(report.status_counts)).toEqual(['error']);
  });

  it('runs as a child process and prints one JSON line', async () => {
    const target = await sink();
    const script = fileURLToPath(new URL('./loadgen.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, '--endpoint', target.url, '--key', 'k', '--batch', '50', '--concurrency', '1', '--duration-s', '0.3']);
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBe(1);
    const report = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(['sent_events', 'acked_events', 'requests', 'status_counts', 'duration_s', 'events_per_s', 'latency_ms', 'ack_latency_ms', 'server_ack_ms', 'run_nonce', 'client_loop_delay_ms']);
    expect(report['acked_events']).toBe(target.events.length);
  });
});
