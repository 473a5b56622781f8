// Keeps the store worker's DuckDB engine usable. After a fatal error DuckDB invalidates the
// database (a checkpoint that found the disk full, some I/O errors) and refuses every later call
// until it is opened again; the supervisor lets go of it and opens it again with backoff until the
// cause is gone, so ingest resumes without a restart. Meanwhile calls fail fast with the cause.

import { SightlineError } from '../../model/errors.js';
import type { StoreHealth } from '../store.js';
import { diskFreeBytesAt, DuckDbEngine, type DuckDbEngineOptions, type InDoubtBatch } from './duckdb-engine.js';
import type { StoreMethod } from './worker-protocol.js';

export interface StoreEvent {
  level: 'error' | 'info';
  message: string;
}

export interface SupervisorOptions extends DuckDbEngineOptions {
  /** Told every failed database call and every reopen attempt (the main thread logs them, rate-limited). */
  report: (event: StoreEvent) => void;
  /** First wait before reopening, doubled after each failed attempt up to maxBackoffMs. */
  firstBackoffMs?: number;
  maxBackoffMs?: number;
}

interface Down {
  /** The fatal error that invalidated the database. */
  cause: string;
  /** Why the last attempt to open it again failed. */
  lastError: string | null;
  attempts: number;
}

export class EngineSupervisor {
  private engine: DuckDbEngine | null;
  private down: Down | null = null;
  /** In-doubt appends of invalidated engines, discarded by the next successful open. */
  private discard: InDoubtBatch[] = [];
  private abandoned: DuckDbEngine | null = null;
  /** Settles once the abandoned engine has answered its calls in flight and released the file. */
  private released: Promise<void> = Promise.resolve();
  private stopped = false;
  private wake: (() => void) | null = null;

  private constructor(
    private readonly options: SupervisorOptions,
    engine: DuckDbEngine,
  ) {
    this.engine = engine;
  }

  static async open(options: SupervisorOptions): Promise<EngineSupervisor> {
    let supervisor: EngineSupervisor | null = null;
    const engine = await DuckDbEngine.open({ ...options, onError: (m) => supervisor?.onError(m) });
    supervisor = new EngineSupervisor(options, engine);
    return supervisor;
  }

  /** Calls `method` on the open engine, or fails fast while the database is being opened again. */
  call(method: StoreMethod | 'compact' | 'flushRollups', args: unknown[]): Promise<unknown> {
    const engine = this.engine;
    if (method === 'close') return this.close();
    if (engine === null) {
      const down = this.down;
      // Closed (or closing): a call that was in flight, or the worker's compaction timer.
      if (down === null) return Promise.reject(new SightlineError('STORE_UNAVAILABLE', 'DuckDB store is closed'));
      if (method === 'health') return Promise.resolve(this.downHealth(down));
      return Promise.reject(
        new SightlineError('STORE_UNAVAILABLE', `DuckDB store is being reopened after a fatal error (${down.lastError ?? down.cause}); retry later`),
      );
    }
    const fn = engine[method as keyof DuckDbEngine] as (...a: unknown[]) => Promise<unknown>;
    return fn.apply(engine, args).finally(() => this.checkFatal(engine));
  }

  private onError(message: string): void {
    this.options.report({ level: 'error', message });
    // The failing call may be a background one (rollup flush timer): check once it has settled.
    const engine = this.engine;
    if (engine !== null) queueMicrotask(() => this.checkFatal(engine));
  }

  private checkFatal(engine: DuckDbEngine): void {
    const cause = engine.fatalError();
    if (cause === null || this.engine !== engine || this.stopped) return;
    this.engine = null;
    // Its in-doubt appends are collected when opening again, once every call in flight on it has
    // settled: the failing append itself notes its batch only after the error that brought us here.
    this.abandoned = engine;
    this.released = engine.abandon().catch((err: unknown) => {
      this.options.report({ level: 'error', message: `letting go of the invalidated database failed: ${(err as Error).message}` });
    });
    this.down = { cause, lastError: null, attempts: 0 };
    this.options.report({ level: 'error', message: `database invalidated by a fatal error; reopening it (${cause})` });
    void this.reopen();
  }

  private async reopen(): Promise<void> {
    let backoff = this.options.firstBackoffMs ?? 250;
    const max = this.options.maxBackoffMs ?? 5_000;
    while (!this.stopped && this.down !== null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
      if (this.stopped) return;
      const down = this.down;
      down.attempts++;
      if (this.abandoned !== null) {
        // Opening the file again before the old instance lets go of it would run two on one file.
        await this.released;
        if (this.stopped) return;
        this.discard.push(...this.abandoned.inDoubtBatches());
        this.abandoned = null;
      }
      try {
        const engine = await DuckDbEngine.open({ ...this.options, discard: this.discard, onError: (m) => this.onError(m) });
        if (this.stopped) {
          await engine.close().catch(() => undefined);
          return;
        }
        const discarded = this.discard.length;
        this.discard = [];
        this.engine = engine;
        this.down = null;
        this.options.report({
          level: 'info',
          message: `database reopened after ${down.attempts} attempt${down.attempts === 1 ? '' : 's'}${discarded > 0 ? `; ${discarded} append batch${discarded === 1 ? '' : 'es'} answered with an error discarded` : ''}`,
        });
      } catch (err) {
        down.lastError = (err as Error).message;
        this.options.report({ level: 'error', message: `reopening the database failed (attempt ${down.attempts}): ${down.lastError}` });
        backoff = Math.min(backoff * 2, max);
      }
    }
  }

  private downHealth(down: Down): StoreHealth {
    return {
      writeError: `the database is being reopened after a fatal error (${down.lastError ?? down.cause})`,
      diskFreeBytes: diskFreeBytesAt(this.options.path),
      rollupLagSpans: 0,
      rollupError: null,
    };
  }

  private async close(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const engine = this.engine;
    this.engine = null;
    await this.released;
    await engine?.close();
  }
}
