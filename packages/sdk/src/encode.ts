// Turns a batch into a request body without blocking the event loop: JSON in slices sized to take
// about a quarter of a millisecond each, with a yield between them; gzip on libuv's thread pool.

import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { gzip } from 'node:zlib';
import type { EncodedBatch } from './transport.js';

/** Time one slice of JSON work may hold the agent's loop; well under the 1 ms budget. */
const SLICE_BUDGET_MS = 0.25;
/** Below this gzip saves too little to be worth a thread-pool round trip. */
const GZIP_MIN_BYTES = 1024;
const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

export interface EncodeResult {
  batch: EncodedBatch | undefined;
  /** Events that could not be serialized (cycles, BigInt in attributes) and were left out. */
  unserializable: number;
}

/** Encodes span events for /v1/events, or scores for /v1/scores: anything JSON.stringify takes. */
export async function encodeBatch(events: readonly object[], useGzip: boolean): Promise<EncodeResult> {
  const parts: Buffer[] = [OPEN];
  let unserializable = 0;
  let count = 0;
  // Adaptive: small events go 100+ at a time, events carrying captured content a few at a time.
  let sliceSize = 32;
  for (let i = 0; i < events.length; ) {
    if (i > 0) await yieldToLoop();
    const started = performance.now();
    const slice = events.slice(i, i + sliceSize);
    i += slice.length;
    for (const piece of stringifySlice(slice)) {
      if (piece === undefined) {
        unserializable++;
        continue;
      }
      if (count > 0) parts.push(COMMA);
      parts.push(Buffer.from(piece.json, 'utf8'));
      count += piece.events;
    }
    const spent = performance.now() - started;
    sliceSize = Math.max(1, Math.min(1000, Math.floor(sliceSize * Math.min(4, SLICE_BUDGET_MS / Math.max(spent, 0.01)))));
  }
  if (count === 0) return { batch: undefined, unserializable };
  parts.push(CLOSE);
  const raw = Buffer.concat(parts);
  const idempotencyKey = randomUUID();
  if (!useGzip || raw.length < GZIP_MIN_BYTES) return { batch: { body: raw, gzipped: false, count, idempotencyKey }, unserializable };
  try {
    const body = await gzipAsync(raw);
    return { batch: { body, gzipped: true, count, idempotencyKey }, unserializable };
  } catch {
    return { batch: { body: raw, gzipped: false, count, idempotencyKey }, unserializable };
  }
}

/** Comma-joined JSON of the slice when it all serializes, else one piece per event (undefined for the bad ones). */
function stringifySlice(slice: readonly object[]): ({ json: string; events: number } | undefined)[] {
  try {
    const json = JSON.stringify(slice);
    return slice.length > 0 ? [{ json: json.slice(1, -1), events: slice.length }] : [];
  } catch {
    return slice.map((e) => {
      try {
        return { json: JSON.stringify(e), events: 1 };
      } catch {
        return undefined;
      }
    });
  }
}

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function gzipAsync(buf: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => gzip(buf, { level: 6, chunkSize: 64 * 1024 }, (err, out) => (err ? reject(err) : resolve(out))));
}
