// Per-API-key ingest rate limits: a token bucket of events per key, so one noisy agent fleet gets
// 429 with Retry-After instead of filling the shared commit queue for everyone else.

export interface RateLimitConfig {
  /** Events per second each key may ingest; 0 means unlimited. */
  eventsPerSecond: number;
  /** Bucket size, in seconds of the rate: how long a burst may run at full speed. */
  burstSeconds: number;
  /** Per-key overrides by key id: events per second, 0 means unlimited. */
  keys: Record<string, number>;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number; message: string };

export interface RateLimiter {
  /** Takes `events` from `keyId`'s bucket, or says how long until they would fit. */
  take(keyId: string, events: number, now: number): RateDecision;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A limiter, or null when no key is limited.
 * @example const limiter = createRateLimiter({ eventsPerSecond: 1000, burstSeconds: 5, keys: {} });
 * limiter?.take(key.id, spans.length, Date.now());
 */
export function createRateLimiter(config: RateLimitConfig): RateLimiter | null {
  const limited = config.eventsPerSecond > 0 || Object.values(config.keys).some((r) => r > 0);
  if (!limited) return null;
  const buckets = new Map<string, Bucket>();
  return {
    take(keyId, events, now) {
      const rate = config.keys[keyId] ?? config.eventsPerSecond;
      if (rate <= 0 || events <= 0) return { ok: true };
      const capacity = rate * config.burstSeconds;
      let bucket = buckets.get(keyId);
      if (bucket === undefined) {
        bucket = { tokens: capacity, at: now };
        buckets.set(keyId, bucket);
      }
      bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * rate);
      bucket.at = now;
      // A batch larger than the whole bucket passes when the bucket is full and leaves a debt,
      // so a limit below a client's batch size slows it down instead of refusing it forever.
      const needed = Math.min(events, capacity);
      if (bucket.tokens >= needed) {
        bucket.tokens -= events;
        return { ok: true };
      }
      const retryAfterMs = Math.ceil(((needed - bucket.tokens) / rate) * 1000);
      return {
        ok: false,
        retryAfterMs,
        message: `this API key may ingest ${rate} events per second (bursts up to ${capacity}); ${events} events arrived too fast, retry in ${Math.ceil(retryAfterMs / 1000)} s`,
      };
    },
  };
}
