// Queued ingest work runs one piece per turn of the event loop: what the loop has to do meanwhile
// (here an immediate queued after the pieces, standing for a socket read or a health check) runs
// between two pieces, not after all of them.

import { describe, expect, it } from 'vitest';
import { createTurns } from './turns.js';

describe('createTurns', () => {
  it('runs pieces in order, one per turn, letting other work run between them', async () => {
    const turns = createTurns();
    const order: string[] = [];
    const pieces = [turns.run(() => order.push('a')), turns.run(() => order.push('b')), turns.run(() => order.push('c'))];
    expect(turns.waiting()).toBe(3);
    setImmediate(() => order.push('other'));
    await Promise.all(pieces);
    expect(order).toEqual(['a', 'other', 'b', 'c']);
    expect(turns.waiting()).toBe(0);
  });

  it('resolves with the piece’s value and rejects with its error, and goes on with the next piece', async () => {
    const turns = createTurns();
    const failing = turns.run(() => {
      throw new Error('bad batch');
    });
    const next = turns.run(() => 42);
    await expect(failing).rejects.toThrow('bad batch');
    expect(await next).toBe(42);
  });

  it('runs a piece queued by a running piece in a later turn', async () => {
    const turns = createTurns();
    const order: string[] = [];
    let inner: Promise<number> | undefined;
    await turns.run(() => {
      inner = turns.run(() => order.push('inner'));
      setImmediate(() => order.push('other'));
      order.push('outer');
    });
    await inner;
    expect(order).toEqual(['outer', 'other', 'inner']);
  });
});
