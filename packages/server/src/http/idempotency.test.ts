// The Idempotency-Key cache: claims, waits for an attempt in flight, and knows when it forgot a
// key for space (then ingest asks the store instead of trusting a miss).

import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { IDEMPOTENCY_TTL_MS, MAX_CACHE_BYTES, bodyHash, createBodyHash, createIdempotencyCache, scopedKey, splitHash, withHash } from './idempotency.js';

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
    // 200,000 keys fit; completing one more drops the oldest, completed at t = 0.
    for (let i = 0; i <= 200_000; i++) {
      cache.claim(`k${i}`, 0);
      cache.complete(`k${i}`, 'r', i === 0 ? 0 : 1_000);
    }
    expect(cache.claim('k1', 2_000)).toEqual({ status: 'done', response: 'r' });
    expect(cache.mayHaveForgotten(2_000)).toBe(true);
    expect(cache.mayHaveForgotten(IDEMPOTENCY_TTL_MS)).toBe(true);
    expect(cache.mayHaveForgotten(IDEMPOTENCY_TTL_MS + 1)).toBe(false);
    expect(cache.claim('k0', 2_000)).toEqual({ status: 'new' });
  });

  it('keeps its bytes under MAX_CACHE_BYTES, forgetting the oldest replies first', () => {
    const cache = createIdempotencyCache();
    const reply = 'x'.repeat(16 * 1024);
    // 5,000 replies of 16 Ki characters are 160 MiB as UTF-16: twice the budget and more.
    for (let i = 0; i < 5_000; i++) {
      cache.claim(`k${i}`, i);
      cache.complete(`k${i}`, reply, i);
      expect(cache.bytes()).toBeLessThanOrEqual(MAX_CACHE_BYTES);
    }
    expect(cache.claim('k4999', 5_000)).toEqual({ status: 'done', response: reply });
    expect(cache.claim('k0', 5_000)).toEqual({ status: 'new' });
    expect(cache.mayHaveForgotten(5_000)).toBe(true);
  });

  it('after forgetBefore (a restart), sends misses to the store until those records expire', () => {
    const cache = createIdempotencyCache();
    cache.forgetBefore(10_000);
    expect(cache.mayHaveForgotten(10_000 + IDEMPOTENCY_TTL_MS)).toBe(true);
    expect(cache.mayHaveForgotten(10_001 + IDEMPOTENCY_TTL_MS)).toBe(false);
  });

  it('tells a retry from a reused key by the body, ignoring a gzip timestamp', () => {
    const gzipAt = (mtime: number) => Uint8Array.from([0x1f, 0x8b, 8, 0, mtime, 0, 0, 0, 0, mtime === 0 ? 3 : 255, 1, 2, 3]);
    expect(bodyHash('application/json', gzipAt(0))).toBe(bodyHash('application/json', gzipAt(7)));
    expect(bodyHash('application/json', Buffer.from('[1]'))).not.toBe(bodyHash('application/json', Buffer.from('[2]')));
    expect(bodyHash('application/json', Buffer.from('[1]'))).not.toBe(bodyHash('application/x-protobuf', Buffer.from('[1]')));
    const stored = withHash('abc', '{"accepted":1}\n');
    expect(splitHash(stored)).toEqual({ hash: 'abc', record: '{"accepted":1}\n' });
    expect(splitHash('{"accepted":1}')).toEqual({ hash: null, record: '{"accepted":1}' });
  });

  it('hashes a body chunk by chunk as it arrives exactly as whole, however it is split (also inside a gzip header)', () => {
    const gz = gzipSync(Buffer.from(JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ agent_id: `a${i}` })))));
    const plain = Buffer.from('{"agent_id":"plain"}');
    const tiny = Buffer.from([0x1f, 0x8b, 8]);
    for (const body of [gz, plain, tiny, Buffer.alloc(0)]) {
      for (const sizes of [[1], [3], [9], [10], [11], [4, 7], [body.length || 1]]) {
        const hash = createBodyHash('application/json');
        for (let at = 0, i = 0; at < body.length; i++) {
          const n = sizes[i % sizes.length]!;
          hash.update(body.subarray(at, at + n));
          at += n;
        }
        expect(hash.digest()).toBe(bodyHash('application/json', body));
      }
    }
    // The gzip header's timestamp is still left out when it arrives in pieces.
    const later = Buffer.from(gz);
    later.writeUInt32LE(gz.readUInt32LE(4) + 60, 4);
    const split = createBodyHash('application/json');
    for (let at = 0; at < later.length; at += 3) split.update(later.subarray(at, at + 3));
    expect(split.digest()).toBe(bodyHash('application/json', gz));
  });

  it('scopes keys by project and by route', () => {
    expect(scopedKey('p', 'k')).toBe('p\u0000k');
    expect(scopedKey('p', 'k', 'otlp-traces')).toBe('p\u0000otlp-traces\u0000k');
  });
});
