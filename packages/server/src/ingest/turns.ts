// Ingest's synchronous work — decoding a small body inline, validating a batch — queued and run one
// piece per turn of the event loop. Four hundred connections finishing their bodies in one poll of
// the event loop each ran its decode and validation (~25 ms a 1,000-event batch) right away, one
// after another, before anything else: /api/health waited seconds behind them. Queued, each piece
// runs in its own turn (a setImmediate), and between two pieces the loop reads sockets, answers
// health checks and hands committed batches back. The order is first come, first served.

export interface Turns {
  /** Runs `work` in a later turn of the event loop, after the work queued before it. */
  run<T>(work: () => T): Promise<T>;
  /** Pieces waiting for their turn. */
  waiting(): number;
}

/**
 * @example
 * const turns = createTurns();
 * const decoded = await turns.run(() => decodeEventsBody(body, type, encoding, limits));
 */
export function createTurns(): Turns {
  const queue: (() => void)[] = [];
  let scheduled = false;
  const next = () => {
    queue.shift()?.();
    // Scheduled after the piece ran, so a piece it queued comes after what the loop queued meanwhile.
    if (queue.length > 0) setImmediate(next);
    else scheduled = false;
  };
  return {
    run<T>(work: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push(() => {
          try {
            resolve(work());
          } catch (err) {
            reject(err as Error);
          }
        });
        if (!scheduled) {
          scheduled = true;
          setImmediate(next);
        }
      });
    },
    waiting: () => queue.length,
  };
}
