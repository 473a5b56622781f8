import { describe, expect, it } from 'vitest';
import { createRefreshQueue } from './refresh-queue';

/** A run whose end the test decides. */
function runs() {
  const pending: (() => void)[] = [];
  let started = 0;
  return {
    run: () => {
      started++;
      return new Promise<void>((resolve) => pending.push(resolve));
    },
    started: () => started,
    finish: async () => {
      pending.shift()!();
      // let the queue's finally() run
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

describe('refresh queue', () => {
  it('keeps one run in flight and folds every ask made meanwhile into one follow-up', async () => {
    const r = runs();
    const q = createRefreshQueue(r.run);
    q.request();
    q.request();
    q.request();
    expect([r.started(), q.busy()]).toEqual([1, true]);
    await r.finish();
    expect([r.started(), q.busy()]).toEqual([2, true]);
    await r.finish();
    expect([r.started(), q.busy()]).toEqual([2, false]);
    q.request();
    expect(r.started()).toBe(3);
  });

  it('starts nothing after dispose, and survives a failing run', async () => {
    let n = 0;
    const q = createRefreshQueue(async () => {
      n++;
      throw new Error('boom');
    });
    q.request();
    q.request();
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    expect(n).toBe(2);
    q.dispose();
    q.request();
    expect(n).toBe(2);
  });
});
