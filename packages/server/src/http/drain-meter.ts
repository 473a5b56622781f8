// How fast this server works off ingest bodies, end to end (decode, validate, queue, commit,
// answer), in bytes per millisecond, measured on its own answers. The door (shed-load.ts) divides
// the bytes already let in, plus a new request's Content-Length, by it to predict when that request
// would be answered, and refuses before reading its body when that is past the bound. Measured
// over time when some admitted body was fully read and not yet answered, so a slow upload is not
// mistaken for a slow server, and light load does not read as low capacity for long: the rate is
// measured again every second of such work. Only answered batches count as bytes worked off (a
// decompression bomb answered 413 after seconds of work is not the pace of ingest, though its time
// counts), and a rate not measured again for STALE_MS is forgotten: it no longer says how busy the
// server is.

/** Work measured before a new rate is taken (ms of busy time). */
const WINDOW_MS = 1_000;
/** A rate older than this is not used. */
const STALE_MS = 10_000;

export interface DrainMeter {
  /** A request's body was read whole: its processing starts. */
  started(): void;
  /** A request whose body was read was answered; `bytes`: its body's size, counted when `worked` (a 2xx answer). */
  finished(bytes: number, worked: boolean): void;
  /** Bytes per ms; 0 until a window was measured, and once the last one is stale. */
  rate(): number;
}

/**
 * @example
 * const meter = createDrainMeter(() => performance.now());
 * meter.started(); … meter.finished(body.length);
 * const waitMs = (bytesInside + declared) / meter.rate();
 */
export function createDrainMeter(clock: () => number): DrainMeter {
  let rate = 0;
  let measuredAt = 0;
  let processing = 0;
  let last = clock();
  let windowBytes = 0;
  let windowBusyMs = 0;
  const tick = () => {
    const now = clock();
    if (processing > 0) windowBusyMs += now - last;
    last = now;
  };
  return {
    started() {
      tick();
      processing++;
    },
    finished(bytes, worked) {
      tick();
      processing--;
      if (worked) windowBytes += bytes;
      if (windowBusyMs < WINDOW_MS) return;
      const measured = windowBytes / windowBusyMs;
      // Half the weight on the newest second: follows a change of pace within a few seconds.
      rate = rate === 0 || last - measuredAt > STALE_MS ? measured : 0.5 * rate + 0.5 * measured;
      measuredAt = last;
      windowBytes = 0;
      windowBusyMs = 0;
    },
    rate: () => (clock() - measuredAt > STALE_MS ? 0 : rate),
  };
}
