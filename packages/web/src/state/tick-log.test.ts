import { describe, expect, it } from 'vitest';
import { createTickLog } from './tick-log';

describe('tick log', () => {
  it('answers the union of the ranges changed after a tick', () => {
    const log = createTickLog(3);
    expect(log.since(0)).toBe(null);
    expect(log.record({ from: 100, to: 200 })).toBe(1);
    expect(log.record({ from: 50, to: 60 })).toBe(2);
    expect(log.since(0)).toEqual({ from: 50, to: 200 });
    expect(log.since(1)).toEqual({ from: 50, to: 60 });
    expect(log.since(2)).toBe(null);
    log.record('all');
    expect(log.since(1)).toBe('all');
    log.record({ from: 300, to: 400 });
    expect(log.since(3)).toEqual({ from: 300, to: 400 });
    // Tick 0's successors are no longer all remembered (keep = 3).
    expect(log.since(0)).toBe('all');
  });
});
