import { describe, expect, it } from 'vitest';
import { backfill } from './backfill.js';
import { createFleet } from './fleet.js';
import { simulateToArray } from './simulate.js';
import type { SimEvent } from './trace.js';

const T0 = Date.UTC(2025, 0, 6, 12, 0, 0);

describe('backfill', () => {
  it('posts the whole window in batches of at most batchSize, never splitting a trace', async () => {
    const fleet = createFleet({ seed: 4 });
    const window = { from: T0, to: T0 + 30 * 60_000 };
    const batches: SimEvent[][] = [];
    const stats = await backfill(fleet, { ...window, batchSize: 1000, post: async (events) => void batches.push(events) });
    const expected = simulateToArray(fleet, window);
    expect(batches.flat()).toEqual(expected);
    expect(stats.events).toBe(expected.length);
    expect(stats.batches).toBe(batches.length);
    expect(stats.traces).toBe(expected.filter((e) => e.parent_span_id === null).length);
    expect(batches.every((b) => b.length <= 1000)).toBe(true);
    expect(batches.slice(0, -1).every((b) => b.length > 950)).toBe(true);
    expect(batches.every((b) => b[0]!.parent_span_id === null)).toBe(true);
    const traceIds = batches.map((b) => new Set(b.map((e) => e.trace_id)));
    for (let i = 1; i < traceIds.length; i++) {
      expect([...traceIds[i]!].some((id) => traceIds[i - 1]!.has(id))).toBe(false);
    }
  });

  it('stops at the first failed post and passes the failure on', async () => {
    const fleet = createFleet({ seed: 4 });
    let calls = 0;
    const failing = backfill(fleet, {
      from: T0,
      to: T0 + 30 * 60_000,
      batchSize: 500,
      post: async () => {
        calls++;
        if (calls === 3) throw new Error('server said no');
      },
    });
    await expect(failing).rejects.toThrow('server said no');
    expect(calls).toBe(3);
  });
});
