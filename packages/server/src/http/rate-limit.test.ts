import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit.js';

describe('createRateLimiter', () => {
  it('is absent when no key is limited', () => {
    expect(createRateLimiter({ eventsPerSecond: 0, burstSeconds: 5, keys: {} })).toBeNull();
    expect(createRateLimiter({ eventsPerSecond: 0, burstSeconds: 5, keys: { a: 0 } })).toBeNull();
  });

  it('lets a burst through, refuses with the wait until it fits, and recovers as time passes', () => {
    const limiter = createRateLimiter({ eventsPerSecond: 100, burstSeconds: 2, keys: {} })!;
    expect(limiter.take('k', 150, 0)).toEqual({ ok: true });
    expect(limiter.take('k', 50, 0)).toEqual({ ok: true });
    expect(limiter.take('k', 30, 0)).toEqual({
      ok: false,
      retryAfterMs: 300,
      message: 'this API key may ingest 100 events per second (bursts up to 200); 30 events arrived too fast, retry in 1 s',
    });
    expect(limiter.take('k', 30, 299).ok).toBe(false);
    expect(limiter.take('k', 30, 300)).toEqual({ ok: true });
    // Other keys have their own bucket.
    expect(limiter.take('other', 200, 300)).toEqual({ ok: true });
    // Refill is capped at the bucket size.
    expect(limiter.take('k', 200, 1_000_000)).toEqual({ ok: true });
    expect(limiter.take('k', 1, 1_000_000).ok).toBe(false);
  });

  it('passes a batch larger than the bucket when full, then waits out the debt', () => {
    const limiter = createRateLimiter({ eventsPerSecond: 10, burstSeconds: 1, keys: {} })!;
    expect(limiter.take('k', 50, 0)).toEqual({ ok: true });
    const refused = limiter.take('k', 50, 0);
    expect(refused).toMatchObject({ ok: false, retryAfterMs: 5_000 });
    expect(limiter.take('k', 50, 5_000)).toEqual({ ok: true });
  });

  it('applies per-key overrides, 0 meaning unlimited', () => {
    const limiter = createRateLimiter({ eventsPerSecond: 10, burstSeconds: 1, keys: { vip: 0, slow: 1 } })!;
    expect(limiter.take('vip', 1_000_000, 0)).toEqual({ ok: true });
    expect(limiter.take('slow', 1, 0)).toEqual({ ok: true });
    expect(limiter.take('slow', 1, 0)).toMatchObject({ ok: false, retryAfterMs: 1_000 });
    expect(limiter.take('anyone', 10, 0)).toEqual({ ok: true });
    expect(limiter.take('anyone', 1, 0).ok).toBe(false);
  });
});
