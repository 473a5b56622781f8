// Client options, their defaults (and why), and the merge: explicit options → env → defaults.

import { systemClock, type Clock } from './clock.js';
import { consoleLogger, silentLogger, type Logger } from './log.js';
import type { Transport } from './transport.js';

export interface SightlineOptions {
  /** Server base URL. Env SIGHTLINE_ENDPOINT. Default http://localhost:4318 (the OTLP/HTTP port Sightline serves). */
  endpoint?: string;
  /** Ingest key. Env SIGHTLINE_API_KEY. */
  apiKey?: string;
  /** Names this agent on every event. Env SIGHTLINE_AGENT_ID. Default "agent". */
  agentId?: string;
  /** Events per request. 500 keeps a gzipped batch around 20–40 KB, far below the server's body limit. */
  maxBatchSize?: number;
  /** A partial batch is sent after this long, so a quiet agent still shows up within a second. */
  flushIntervalMs?: number;
  /** Events held in memory while the server is slow or down; beyond it new events are dropped and counted. 10,000 ≈ 5–10 MB. */
  maxQueueSize?: number;
  /** Gzip request bodies (off the main thread). Default true: agent events compress ~8×. */
  gzip?: boolean;
  /** Retries per batch after the first attempt, for network errors, 408, 429 and 5xx. Default 5 (~15 s of backoff). */
  maxRetries?: number;
  /** First backoff; doubles each retry, with jitter. Default 500 ms. */
  retryBaseMs?: number;
  /** Longest backoff between two attempts. Default 30 s. */
  retryMaxMs?: number;
  /** A server's Retry-After is honoured up to this. Default 60 s, so a bad header cannot park the exporter for hours. */
  maxRetryAfterMs?: number;
  /** One request's deadline, response included. Default 10 s. */
  requestTimeoutMs?: number;
  /** Time the SDK may hold the process open at exit to send what is queued. Default 2 s. */
  exitFlushTimeoutMs?: number;
  /** Flush when the event loop empties or on SIGTERM/SIGINT. Default true. */
  flushOnExit?: boolean;
  /** Fraction of traces kept, decided at the root. Traces with an error are always kept. Default 1. */
  sampleRate?: number;
  /** Send prompts and completions (input/output). Default false: content often holds personal data. */
  captureContent?: boolean;
  /** Characters kept of each captured input/output. Default 16,384. */
  maxContentChars?: number;
  /** Where problems are reported; `false` silences the SDK. Default console.warn. */
  logger?: Logger | false;
  /** Injected for tests. */
  clock?: Clock;
  /** Injected for tests: returns [0, 1). */
  random?: () => number;
  /** Replaces the HTTP transport (tests, custom sinks). */
  transport?: Transport;
}

export interface ResolvedConfig {
  endpoint: string;
  apiKey: string;
  agentId: string;
  maxBatchSize: number;
  flushIntervalMs: number;
  maxQueueSize: number;
  gzip: boolean;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxRetryAfterMs: number;
  requestTimeoutMs: number;
  exitFlushTimeoutMs: number;
  flushOnExit: boolean;
  sampleRate: number;
  captureContent: boolean;
  maxContentChars: number;
  logger: Logger;
  clock: Clock;
  random: () => number;
  transport: Transport | undefined;
}

/** Never throws: an invalid value is reported and replaced by its default, so bad config cannot crash the agent. */
export function resolveConfig(opts: SightlineOptions, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const logger = opts.logger === false ? silentLogger : (opts.logger ?? consoleLogger);
  const num = (name: keyof SightlineOptions, fallback: number, min: number, max: number): number => {
    const v = opts[name];
    if (v === undefined) return fallback;
    if (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max) return v;
    logger.warn(`option ${name}=${String(v)} must be a number in [${min}, ${max}]; using ${fallback}`);
    return fallback;
  };
  const endpoint = (opts.endpoint ?? env.SIGHTLINE_ENDPOINT ?? 'http://localhost:4318').replace(/\/+$/, '');
  return {
    endpoint,
    apiKey: opts.apiKey ?? env.SIGHTLINE_API_KEY ?? '',
    agentId: opts.agentId ?? env.SIGHTLINE_AGENT_ID ?? 'agent',
    maxBatchSize: Math.floor(num('maxBatchSize', 500, 1, 100_000)),
    flushIntervalMs: num('flushIntervalMs', 1000, 1, 3_600_000),
    maxQueueSize: Math.floor(num('maxQueueSize', 10_000, 1, 10_000_000)),
    gzip: opts.gzip ?? true,
    maxRetries: Math.floor(num('maxRetries', 5, 0, 100)),
    retryBaseMs: num('retryBaseMs', 500, 0, 3_600_000),
    retryMaxMs: num('retryMaxMs', 30_000, 0, 3_600_000),
    maxRetryAfterMs: num('maxRetryAfterMs', 60_000, 0, 3_600_000),
    requestTimeoutMs: num('requestTimeoutMs', 10_000, 1, 3_600_000),
    exitFlushTimeoutMs: num('exitFlushTimeoutMs', 2000, 0, 600_000),
    flushOnExit: opts.flushOnExit ?? true,
    sampleRate: num('sampleRate', 1, 0, 1),
    captureContent: opts.captureContent ?? false,
    maxContentChars: Math.floor(num('maxContentChars', 16_384, 0, 10_000_000)),
    logger,
    clock: opts.clock ?? systemClock,
    random: opts.random ?? Math.random,
    transport: opts.transport,
  };
}
