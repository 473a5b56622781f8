import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createManualClock, settle } from '../test/support/manual-clock.js';
import type { SpanEvent } from './event.js';
import { createBatchExporter, type ExporterOptions } from './exporter.js';
import { createOnceLogger } from './log.js';
import type { EncodedBatch, ExportResult, Transport } from './transport.js';

/** An in-memory transport answering from a script; records every batch it was given. */
function scriptedTransport(script: ExportResult[], fallback: ExportResult = { status: 'ok', accepted: -1, rejected: [] }) {
  const batches: { key: string; names: string[] }[] = [];
  const transport: Transport = {
    send(b: EncodedBatch) {
      const body = b.gzipped ? gunzipSync(b.body) : b.body;
      const events = JSON.parse(body.toString('utf8')) as SpanEvent[];
      batches.push({ key: b.idempotencyKey, names: events.map((e) => e.name) });
      return Promise.resolve(script.shift() ?? fallback);
    },
  };
  return { transport, batches };
}

function event(i: number): SpanEvent {
  return { timestamp: 1, agent_id: 'a', trace_id: 't'.repeat(32), span_id: 's'.repeat(16), span_type: 'custom', name: `e${i}` };
}

function setup(script: ExportResult[], over: Partial<ExporterOptions> = {}) {
  const clock = createManualClock();
  const problems: string[] = [];
  const log = createOnceLogger({ warn: (m) => problems.push(m) });
  const { transport, batches } = scriptedTransport(script);
  const exporter = createBatchExporter({
    transport,
    clock,
    random: () => 0,
    maxBatchSize: 3,
    flushIntervalMs: 1000,
    maxQueueSize: 10,
    gzip: true,
    maxRetries: 3,
    retryBaseMs: 100,
    retryMaxMs: 1000,
    maxRetryAfterMs: 60_000,
    onProblem: (key, m) => log.once(key, `${key}: ${m}`),
    ...over,
  });
  return { clock, exporter, batches, problems };
}

describe('batch exporter', () => {
  it('sends a full batch at once and a partial one when the interval passes', async () => {
    const { clock, exporter, batches } = setup([]);
    for (let i = 0; i < 4; i++) exporter.enqueue(event(i));
    await settle();
    expect(batches.map((b) => b.names)).toEqual([['e0', 'e1', 'e2']]);
    await clock.advance(999);
    expect(batches).toHaveLength(1);
    await clock.advance(1);
    expect(batches.map((b) => b.names)).toEqual([['e0', 'e1', 'e2'], ['e3']]);
    expect(exporter.stats()).toEqual({ queued: 0, sent: 4, dropped: 0, retried: 0, failed: 0 });
  });

  it('drops and counts new events when the queue is full, logging once', async () => {
    const { exporter, problems } = setup([], { maxBatchSize: 100, maxQueueSize: 5 });
    for (let i = 0; i < 8; i++) exporter.enqueue(event(i));
    expect(exporter.stats()).toMatchObject({ queued: 5, dropped: 3 });
    expect(problems).toEqual(['queue-full: queue full (5 events): dropping new events until the server catches up']);
  });

  it('backs off exponentially with jitter and reuses the idempotency key', async () => {
    const retry: ExportResult = { status: 'retryable', reason: 'ECONNREFUSED' };
    const { clock, exporter, batches } = setup([retry, retry], { random: () => 0.5 });
    for (let i = 0; i < 3; i++) exporter.enqueue(event(i));
    await settle();
    expect(batches).toHaveLength(1);
    // ceiling 100 → 50 + 0.5 * 50 = 75 ms; then ceiling 200 → 150 ms.
    await clock.advance(74);
    expect(batches).toHaveLength(1);
    await clock.advance(1);
    expect(batches).toHaveLength(2);
    await clock.advance(150);
    expect(batches).toHaveLength(3);
    expect(new Set(batches.map((b) => b.key)).size).toBe(1);
    expect(exporter.stats()).toEqual({ queued: 0, sent: 3, dropped: 0, retried: 2, failed: 0 });
  });

  it('waits exactly what Retry-After says (random 0)', async () => {
    const { clock, exporter, batches } = setup([{ status: 'retryable', reason: 'HTTP 429', retryAfterMs: 7000 }]);
    for (let i = 0; i < 3; i++) exporter.enqueue(event(i));
    await settle();
    await clock.advance(6999);
    expect(batches).toHaveLength(1);
    await clock.advance(1);
    expect(batches).toHaveLength(2);
    expect(exporter.stats()).toMatchObject({ sent: 3, retried: 1 });
  });

  it('never retries a refused batch and logs the server message once', async () => {
    const refused: ExportResult = { status: 'rejected', httpStatus: 400, message: 'agent_id: required' };
    const { exporter, batches, problems } = setup([refused, refused]);
    for (let i = 0; i < 6; i++) exporter.enqueue(event(i));
    await exporter.flush();
    expect(batches).toHaveLength(2);
    expect(exporter.stats()).toEqual({ queued: 0, sent: 0, dropped: 0, retried: 0, failed: 6 });
    expect(problems).toEqual(['http-400: server refused a batch with HTTP 400: agent_id: required (events dropped, not retried)']);
  });

  it('counts per-event rejections in a 200 answer as failed', async () => {
    const { exporter, problems } = setup([{ status: 'ok', accepted: 2, rejected: [{ index: 1, field: 'confidence', error: 'must be in [0, 1]' }] }]);
    for (let i = 0; i < 3; i++) exporter.enqueue(event(i));
    await exporter.flush();
    expect(exporter.stats()).toMatchObject({ sent: 2, failed: 1 });
    expect(problems).toEqual(['event-rejected: server rejected 1 event(s); first: field confidence: must be in [0, 1]']);
  });

  it('gives up after maxRetries and counts the batch failed', async () => {
    const down: ExportResult = { status: 'retryable', reason: 'ECONNREFUSED' };
    const { clock, exporter, batches } = setup([down, down, down, down], { maxRetries: 2 });
    exporter.enqueue(event(0));
    const flushed = exporter.flush();
    await clock.advance(10_000);
    await flushed;
    expect(batches).toHaveLength(3);
    expect(exporter.stats()).toEqual({ queued: 0, sent: 0, dropped: 0, retried: 2, failed: 1 });
  });

  it('flush with a deadline gives up on retries that would outlast it', async () => {
    const { clock, exporter } = setup([{ status: 'retryable', reason: 'HTTP 503', retryAfterMs: 30_000 }]);
    exporter.enqueue(event(0));
    const flushed = exporter.flush(clock.now() + 2000);
    await settle();
    await flushed;
    expect(exporter.stats()).toEqual({ queued: 0, sent: 0, dropped: 0, retried: 0, failed: 1 });
  });

  it('shutdown wakes a long backoff, then drops and counts new events', async () => {
    const { clock, exporter } = setup([{ status: 'retryable', reason: 'HTTP 503', retryAfterMs: 30_000 }]);
    for (let i = 0; i < 3; i++) exporter.enqueue(event(i));
    await settle();
    await clock.advance(100);
    await exporter.shutdown(clock.now() + 1000);
    exporter.enqueue(event(9));
    expect(exporter.stats()).toEqual({ queued: 0, sent: 0, dropped: 1, retried: 0, failed: 3 });
  });
});
