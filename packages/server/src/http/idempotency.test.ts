// The Idempotency-Key cache: claims, waits for an attempt in flight, and knows when it forgot a
// key for space (then ingest asks the store instead of trusting a miss).

import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_TTL_MS, createIdempotencyCache, scopedKey } from './idempotency.js';

describe('idempotency cache', () => {
  it('answers a claimed key with its response, and a retry in flight once the first completes', async () => {
    const cache = createIdempotencyCache();
    expect(cache.claim('k', 0)).toEqual({ status: 'new' });
    const waiting = cache.claim('k', 1);
    expect(waiting.status).toBe('in_flight');
    cache.complete('k', 'first', 2);
    expect(await (waiting as { outcome: Promise<string | null> }).outcome).toBe('first');
    expect(cache.claim('k', 3)).toEqual({ status: 'done', response: 'first' });
    expect(cache.claim('k', 2 + IDEMPOTENCY_TTL_MS + 1)).toEqual({ status: 'new' });
  });

  it('says it may have forgotten keys only after dropping one within the TTL', () => {
    const cache = createIdempotencyCache();
    expect(cache.mayHaveForgotten(0)).toBe(false);
    // 200,000 keys fit; loading one more drops the oldest, completed at t = 0.
    cache.load(Array.from({ length: 200_001 }, (_, i) => ({ key: `k${i}`, response: 'r', created_at: i === 0 ? 0 : 1_000 })));
    expect(cache.claim('k1', 2_000)).toEqual({ status: 'done', response: 'r' });
    expect(cache.mayHaveForgotten(2_000)).toBe(true);
    expect(cache.mayHaveForgotten(IDEMPOTENCY_TTL_MS)).toBe(true);
    expect(cache.mayHaveForgotten(IDEMPOTENCY_TTL_MS + 1)).toBe(false);
    expect(cache.claim('k0', 2_000)).toEqual({ status: 'new' });
  });

  it('scopes keys by project and by route', () => {
    expect(scopedKey('p', 'k')).toBe('p\u0000k');
    expect(scopedKey('p', 'k', 'otlp-traces')).toBe('p\u0000otlp-traces\u0000k');
  });
});
