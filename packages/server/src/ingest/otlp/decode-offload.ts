// Where an ingest body is decoded: small ones (every exporter's and SDK's usual batch) inline,
// where it is cheapest; larger ones — up to 16 MiB that may expand to millions of values — in a
// worker thread, so the event loop keeps answering /api/health and other requests meanwhile. OTLP
// bodies are decoded and mapped there; native /v1/events bodies are decoded and screened
// (../screen-events.ts: invalid events come back as bounded stand-ins). The worker's heap is
// capped, and so are the bodies waiting for it: past that, 503 with Retry-After.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { IngestLimits } from '../../model/limits.js';
import { AGENT_FALLBACK } from '../../model/span.js';
import { decodeEventsBody, type DecodedBody } from '../decode-body.js';
import { decompress } from '../decompress.js';
import { createTurns, type Turns } from '../turns.js';
import { decodeAndScreenEvents, reviveStandIns, standInsOf, type ScreenContext, type StandIns } from '../screen-events.js';
import { decodeOtlpLogs, decodeOtlpMetrics, decodeOtlpTraces, type DecodedLogs, type DecodedMetrics, type DecodedTraces } from './handle.js';

/** What a body carries: an OTLP signal, or native events (/v1/events). */
export type BodySignal = 'traces' | 'metrics' | 'logs' | 'events';

export interface DecodeJob {
  id: number;
  signal: BodySignal;
  body: Uint8Array;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  /** Native events are validated against the request's project and clock. */
  screen?: ScreenContext;
}

export type Result = DecodedTraces | DecodedMetrics | DecodedLogs | DecodedBody | Overloaded;

export interface DecodeReply {
  id: number;
  result: Result;
  /** Events whose agent fell back to service.name (see fallbackIndices). */
  fallbacks?: number[];
  /** Native events that are stand-ins (see screen-events.ts). */
  standIns?: StandIns;
}

export type Overloaded = { ok: false; status: 503; message: string; retryAfterMs: number };

export interface BodyDecoder {
  /** A native /v1/events body: decoded inline when small, else decoded and screened in the worker. */
  events(body: Buffer, contentType: string | undefined, contentEncoding: string | undefined, screen: ScreenContext): Promise<DecodedBody | Overloaded>;
  traces(body: Buffer, contentType: string | undefined, contentEncoding: string | undefined): Promise<DecodedTraces | Overloaded>;
  metrics(body: Buffer, contentType: string | undefined, contentEncoding: string | undefined): Promise<DecodedMetrics | Overloaded>;
  logs(body: Buffer, contentType: string | undefined, contentEncoding: string | undefined): Promise<DecodedLogs | Overloaded>;
  /**
   * Runs other synchronous ingest work (validating a decoded batch) in the queue the inline decodes
   * take their turns in (../turns.ts): one piece per turn of the event loop.
   */
  turn<T>(work: () => T): Promise<T>;
}

export interface OffloadOptions {
  /**
   * Bodies up to this size after decompression are decoded inline. 1 MiB holds a 512-span batch
   * with room to spare and decodes in a few milliseconds even when hostile.
   */
  inlineBytes?: number;
  /** Bytes of bodies queued for the worker before new ones get 503: four full-size bodies. */
  maxQueuedBytes?: number;
  /**
   * Bodies queued for the worker before new ones get 503. A 16 KiB gzip body may expand to
   * 16 MiB of JSON that takes a second or more to parse, so bytes alone do not bound the wait.
   */
  maxQueuedBodies?: number;
  /** The worker's heap: a 16 MiB body decodes in far less; a hostile one stops here (413). */
  workerHeapMb?: number;
  /** Where inline decodes wait for their turn (default: a queue of this decoder's own). */
  turns?: Turns;
}

const MIB = 1024 * 1024;

function size(bytes: number): string {
  return bytes < MIB ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / MIB).toFixed(1)} MiB`;
}

/** Spans from /v1/traces carry the doctor's READ_MARK (see map-span.ts). */
const traces = (body: Uint8Array, contentType: string | undefined, contentEncoding: string | undefined, limits: IngestLimits) =>
  decodeOtlpTraces(body, contentType, contentEncoding, limits, { markRead: true });

/** Inline, native events are validated by the pipeline alone; in the worker they are screened first. */
const events = (body: Uint8Array, contentType: string | undefined, contentEncoding: string | undefined, limits: IngestLimits, screen?: ScreenContext) =>
  screen === undefined ? decodeEventsBody(body, contentType, contentEncoding, limits) : decodeAndScreenEvents(body, contentType, contentEncoding, limits, screen);

export const DECODERS = { traces, metrics: decodeOtlpMetrics, logs: decodeOtlpLogs, events } as const;

/** Runs `job` as the worker does. */
export function runJob(job: DecodeJob, limits: IngestLimits): Result {
  const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
  if (job.signal === 'events') return events(body, job.contentType, job.contentEncoding, limits, job.screen);
  return DECODERS[job.signal](body, job.contentType, job.contentEncoding, limits);
}

/**
 * A structured clone drops the AGENT_FALLBACK symbol the mapper puts on events whose agent is
 * service.name; the worker sends their indices and they are marked again here.
 */
export function fallbackIndices(result: Result): number[] | undefined {
  if (!result.ok || !('events' in result)) return undefined;
  const out: number[] = [];
  result.events.forEach((e, i) => {
    if ((e as Record<symbol, unknown>)[AGENT_FALLBACK] === true) out.push(i);
  });
  return out;
}

function markFallbacks(result: Result, indices: readonly number[] | undefined): void {
  if (indices === undefined || !result.ok || !('events' in result)) return;
  for (const i of indices) Object.defineProperty(result.events[i] as object, AGENT_FALLBACK, { value: true });
}

/** The worker's reply to a job: the result, and what a structured clone cannot carry. */
export function replyOf(job: DecodeJob, result: Result): DecodeReply {
  if (job.signal === 'events') return { id: job.id, result, standIns: result.ok && 'events' in result ? standInsOf(result.events) : undefined };
  return { id: job.id, result, fallbacks: fallbackIndices(result) };
}

/** Decompressed bytes when the body is small enough to decode inline, else null. */
function inlineBody(body: Buffer, contentEncoding: string | undefined, inlineBytes: number): { bytes: Uint8Array; encoding: string | undefined } | null {
  const encoding = contentEncoding?.trim().toLowerCase() ?? '';
  if (encoding === '' || encoding === 'identity') return body.byteLength <= inlineBytes ? { bytes: body, encoding: contentEncoding } : null;
  if (body.byteLength > inlineBytes) return null;
  const decompressed = decompress(body, encoding, inlineBytes);
  if (decompressed.ok) return { bytes: decompressed.bytes, encoding: undefined };
  // Over the inline size goes to the worker; any other failure (415, 400) is answered inline.
  return decompressed.status === 413 ? null : { bytes: body, encoding: contentEncoding };
}

function startWorker(limits: IngestLimits, heapMb: number): Worker {
  const self = new URL(import.meta.url);
  const options = { workerData: { limits }, resourceLimits: { maxOldGenerationSizeMb: heapMb } };
  if (!self.pathname.endsWith('.ts')) return new Worker(new URL('./decode-worker.js', self), options);
  // Under vitest or tsx the worker is TypeScript too: register tsx's loader in it first.
  const manifest = createRequire(self).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const api = new URL(pkg.exports['./esm/api']!.import.default, pathToFileURL(manifest)).href;
  const code = `import(${JSON.stringify(api)}).then((m) => (m.register ?? m.default.register)()).then(() => import(${JSON.stringify(new URL('./decode-worker.ts', self).href)}));`;
  return new Worker(code, { ...options, eval: true });
}

/** ArrayBuffers whose owners gave them up (giveBody): moved to the worker without a copy. */
const given = new WeakSet<ArrayBufferLike>();

/**
 * Marks `body` as no longer read by its caller, so a large one moves to the decode worker without
 * a copy: its memory is transferred and the Buffer is left empty. Copying an 8 MB body held the
 * event loop ~80 ms on a machine where fresh memory is slow to touch. Only a Buffer that spans its
 * whole ArrayBuffer (http/body.ts reads large bodies into one) can move; any other is copied.
 * @example const decoded = await decoder.events(giveBody(read.body), …);
 */
export function giveBody(body: Buffer): Buffer {
  if (body.byteOffset === 0 && body.byteLength === body.buffer.byteLength) given.add(body.buffer);
  return body;
}

interface Pending {
  job: DecodeJob;
  bytes: number;
  resolve: (result: Result) => void;
}

/**
 * @example
 * const decoder = createBodyDecoder(limits);
 * const decoded = await decoder.traces(body, req.header('content-type'), req.header('content-encoding'));
 */
export function createBodyDecoder(limits: IngestLimits, options: OffloadOptions = {}): BodyDecoder {
  const inlineBytes = options.inlineBytes ?? 1024 * 1024;
  const maxQueuedBytes = options.maxQueuedBytes ?? 4 * limits.maxBodyBytes;
  const maxQueuedBodies = options.maxQueuedBodies ?? 8;
  const heapMb = options.workerHeapMb ?? 384;
  const turns = options.turns ?? createTurns();
  let worker: Worker | null = null;
  let nextId = 1;
  let queuedBytes = 0;
  const pending = new Map<number, Pending>();

  const settle = (id: number, result: Result) => {
    const p = pending.get(id);
    if (p === undefined) return;
    pending.delete(id);
    queuedBytes -= p.bytes;
    p.resolve(result);
  };

  const ensureWorker = (): Worker => {
    if (worker !== null) return worker;
    const w = startWorker(limits, heapMb);
    // Idle, it must not keep the process alive; a pending request keeps its socket open anyway.
    w.unref();
    w.on('message', (reply: DecodeReply) => {
      markFallbacks(reply.result, reply.fallbacks);
      if (reply.standIns !== undefined && reply.result.ok && 'events' in reply.result) reviveStandIns(reply.result.events, reply.standIns);
      settle(reply.id, reply.result);
    });
    w.on('error', (err: Error & { code?: string }) => {
      // Jobs run in order, so the oldest pending one is the job that broke the worker.
      const [first] = pending.keys();
      if (first !== undefined) {
        const outOfMemory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
        settle(first, {
          ok: false,
          status: outOfMemory ? 413 : 400,
          message: outOfMemory
            ? `decoding this body needs more than the decoder's ${heapMb} MiB of memory; send fewer or smaller spans per request`
            : `the body could not be decoded: ${err.message}`,
        });
      }
    });
    w.on('exit', () => {
      if (worker !== w) return;
      worker = null;
      // Their bodies went to the dead worker (transferred, not copied): the senders retry.
      for (const id of [...pending.keys()]) {
        settle(id, { ok: false, status: 503, message: 'the body decoder restarted before this body was decoded; retry', retryAfterMs: 1000 } as Overloaded);
      }
    });
    worker = w;
    return w;
  };

  const decode = async (signal: BodySignal, body: Buffer, contentType: string | undefined, contentEncoding: string | undefined, screen?: ScreenContext): Promise<Result | Overloaded> => {
    // Decompressing and decoding a small body inline takes its turn: see ../turns.ts.
    const inline = await turns.run(() => {
      const bytes = inlineBody(body, contentEncoding, inlineBytes);
      return bytes === null ? null : DECODERS[signal](bytes.bytes, contentType, bytes.encoding, limits);
    });
    if (inline !== null) return inline;
    if (queuedBytes + body.byteLength > maxQueuedBytes || pending.size >= maxQueuedBodies) {
      return {
        ok: false,
        status: 503,
        message: `${pending.size} ingest ${pending.size === 1 ? 'body' : 'bodies'} (${size(queuedBytes)}) ${pending.size === 1 ? 'is' : 'are'} already waiting to be decoded (the limit is ${maxQueuedBodies} bodies or ${size(maxQueuedBytes)}); retry later`,
        retryAfterMs: 1000,
      };
    }
    const bytes = given.has(body.buffer) ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : new Uint8Array(body);
    const job: DecodeJob = { id: nextId++, signal, body: bytes, contentType, contentEncoding, ...(screen && { screen }) };
    queuedBytes += body.byteLength;
    return new Promise<Result>((resolve) => {
      pending.set(job.id, { job, bytes: body.byteLength, resolve });
      // Transferred: a given body itself, any other a copy (the request's Buffer may share a pooled ArrayBuffer).
      ensureWorker().postMessage(job, [job.body.buffer as ArrayBuffer]);
    });
  };

  return {
    events: (body, contentType, contentEncoding, screen) => decode('events', body, contentType, contentEncoding, screen) as Promise<DecodedBody | Overloaded>,
    traces: (body, contentType, contentEncoding) => decode('traces', body, contentType, contentEncoding) as Promise<DecodedTraces | Overloaded>,
    metrics: (body, contentType, contentEncoding) => decode('metrics', body, contentType, contentEncoding) as Promise<DecodedMetrics | Overloaded>,
    logs: (body, contentType, contentEncoding) => decode('logs', body, contentType, contentEncoding) as Promise<DecodedLogs | Overloaded>,
    turn: (work) => turns.run(work),
  };
}
