// Sending simulated events to a Sightline server over HTTP, with the outcome as a value:
// accepted, rejected for good (do not resend), or retryable after a delay (429/503/network).

import { SightlineError } from '../model/errors.js';
import type { SimEvent } from './trace.js';

export type PostOutcome =
  | { status: 'ok'; httpStatus: number }
  | { status: 'rejected'; httpStatus: number; reason: string }
  | { status: 'retryable'; retryAfterMs: number | null; reason: string };

export interface PostTarget {
  /** Server base URL, e.g. http://127.0.0.1:4318 */
  endpoint: string;
  apiKey: string;
  /** The route posted to; default /v1/events (scores go to /v1/scores). */
  path?: string;
}

/** One POST of a JSON array to `${endpoint}/v1/events` (or `target.path`); never throws. */
export async function postEvents(target: PostTarget, events: readonly object[], signal?: AbortSignal): Promise<PostOutcome> {
  let response: Response;
  try {
    response = await fetch(`${target.endpoint.replace(/\/+$/, '')}${target.path ?? '/v1/events'}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${target.apiKey}` },
      body: JSON.stringify(events),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    return { status: 'retryable', retryAfterMs: null, reason: `network error: ${errorMessage(error)}` };
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return { status: 'ok', httpStatus: response.status };
  const reason = `HTTP ${response.status}: ${text.slice(0, 300)}`;
  if (response.status === 429 || response.status === 503 || response.status >= 500) {
    return { status: 'retryable', retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()), reason };
  }
  return { status: 'rejected', httpStatus: response.status, reason };
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Exponential backoff with a cap: 500 ms, 1 s, 2 s … 30 s. */
export function backoffMs(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
}

/**
 * A `post` for `backfill`: retries retryable outcomes (honouring Retry-After) until `signal`
 * aborts or `maxAttempts` is reached, and throws when the server rejects a batch.
 */
export function createEventPoster<E extends object = SimEvent>(
  target: PostTarget,
  options: { signal?: AbortSignal; maxAttempts?: number } = {},
): (events: readonly E[]) => Promise<void> {
  const maxAttempts = options.maxAttempts ?? 20;
  return async (events) => {
    for (let attempt = 0; ; attempt++) {
      const outcome = await postEvents(target, events, options.signal);
      if (outcome.status === 'ok') return;
      if (outcome.status === 'rejected') {
        // 401/403 means a wrong key; anything else means the simulator sent something invalid.
        const code = outcome.httpStatus === 401 || outcome.httpStatus === 403 ? 'CONFIG_INVALID' : 'INTERNAL';
        throw new SightlineError(code, `posting ${events.length} events to ${target.endpoint} was rejected: ${outcome.reason}`);
      }
      if (attempt + 1 >= maxAttempts || options.signal?.aborted) {
        throw new SightlineError('STORE_UNAVAILABLE', `posting ${events.length} events to ${target.endpoint} failed ${attempt + 1} times: ${outcome.reason}`);
      }
      await sleep(outcome.retryAfterMs ?? backoffMs(attempt), options.signal);
    }
  };
}

/** Resolves after `ms`, or early when `signal` aborts; never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return error.message + cause;
  }
  return String(error);
}
