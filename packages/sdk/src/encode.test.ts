import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeBatch } from './encode.js';
import type { SpanEvent } from './event.js';

const ev = (i: number, attributes?: Record<string, unknown>): SpanEvent => ({
  timestamp: i, agent_id: 'a', trace_id: '0'.repeat(32), span_id: String(i).padStart(16, '0'), span_type: 'custom', name: `e${i}`, attributes,
});

describe('encodeBatch', () => {
  it('produces one gzipped JSON array across many slices', async () => {
    const events = Array.from({ length: 2500 }, (_, i) => ev(i));
    const { batch, unserializable } = await encodeBatch(events, true);
    expect(unserializable).toBe(0);
    expect(batch?.gzipped).toBe(true);
    expect(batch?.count).toBe(2500);
    expect(batch?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(gunzipSync(batch!.body).toString('utf8'))).toEqual(events);
  });

  it('leaves out only the events that cannot be serialized', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.me = cyclic;
    const events = [ev(0), ev(1, cyclic), ev(2, { big: 1n }), ev(3)];
    const { batch, unserializable } = await encodeBatch(events, false);
    expect(unserializable).toBe(2);
    expect(batch?.count).toBe(2);
    expect(JSON.parse(batch!.body.toString('utf8'))).toEqual([ev(0), ev(3)]);
  });

  it('does not gzip tiny bodies, and returns no batch when nothing serializes', async () => {
    expect((await encodeBatch([ev(0)], true)).batch?.gzipped).toBe(false);
    const cyclic: Record<string, unknown> = {};
    cyclic.me = cyclic;
    expect(await encodeBatch([ev(1, cyclic)], true)).toEqual({ batch: undefined, unserializable: 1 });
  });
});
