// The DuckDB Store as seen from the main thread: a proxy that forwards every call to a worker
// thread owning the database (see worker.ts) and awaits its reply.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SightlineError } from '../../model/errors.js';
import type { Store } from '../store.js';
import type { RunStoreTask } from '../store-tasks.js';
import { unpackRows } from './row-transport.js';
import { encodeSpanColumns } from './span-columns.js';
import { FORWARDED_METHODS, type ForwardedMethods, type StoreMethod, type StoreRequest, type WorkerInit, type WorkerMessage } from './worker-protocol.js';

export interface DuckDbStoreOptions {
  /** The database file; its directory must exist. */
  path: string;
  /** Told every failed database call and every reopen after a fatal error (to log, rate-limited). */
  onEvent?: (event: { level: 'error' | 'info'; message: string }) => void;
  /** DuckDB's memory_limit in MiB; absent: DuckDB's default (80 % of RAM). */
  memoryLimitMb?: number;
  /** DuckDB's worker threads; absent: one per core. */
  threads?: number;
  /** Reads still running after this many ms are interrupted (QUERY_TIMEOUT); absent: no limit. */
  readTimeoutMs?: number;
  /**
   * URL of a module exporting STORE_TASKS (store-tasks.ts): the worker imports it at start and runs
   * its tasks from its own reads (`runTask`), so only their results cross to the main thread.
   */
  tasks?: string;
}

/** The DuckDB store: the Store contract and, beside it, the tasks its worker runs. */
export interface DuckDbStore extends Store {
  runTask: RunStoreTask;
}

/**
 * Opens (creating or migrating) the DuckDB file at `path` in a worker thread.
 * Throws STORE_LOCKED when another process holds the file, SCHEMA_TOO_NEW for newer files.
 * @example const store = await createDuckDbStore({ path: join(dataDir, 'sightline.duckdb') });
 */
export async function createDuckDbStore(options: DuckDbStoreOptions): Promise<DuckDbStore> {
  // The worker gets data only: onEvent stays on this side (a function cannot cross to a thread).
  const { onEvent, ...init } = options;
  const worker = startWorker(init);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let nextId = 1;
  let dead: SightlineError | null = null;

  const fail = (reason: string): void => {
    dead ??= new SightlineError('STORE_UNAVAILABLE', `DuckDB store worker ${reason}`);
    for (const p of pending.values()) p.reject(dead);
    pending.clear();
  };

  await new Promise<void>((resolve, reject) => {
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') resolve();
      else if (m.type === 'event') onEvent?.({ level: m.level, message: m.message });
      else if (m.type === 'failed') {
        reject(new SightlineError(m.error.code, m.error.message));
        void worker.terminate();
      } else {
        const p = pending.get(m.id);
        if (p === undefined) return;
        pending.delete(m.id);
        if (m.ok) p.resolve(unpackRows(m.value));
        else p.reject(new SightlineError(m.error.code, m.error.message));
      }
    });
    worker.on('error', (err) => {
      fail(`crashed: ${err.message}`);
      reject(dead);
    });
    worker.on('exit', (code) => {
      fail(`exited (code ${code})`);
      reject(dead);
    });
  });

  const send = <T>(method: StoreMethod, args: unknown[], transfer: ArrayBuffer[] = []): Promise<T> => {
    if (dead !== null) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, method, args } satisfies StoreRequest, transfer);
    });
  };
  const call = <T>(method: StoreMethod, ...args: unknown[]): Promise<T> => send<T>(method, args);

  // Every other method goes to the worker as it is (FORWARDED_METHODS, checked against Store).
  const forwarded = Object.fromEntries(FORWARDED_METHODS.map((m) => [m, (...args: unknown[]) => send(m, args)])) as unknown as ForwardedMethods;
  return {
    kind: 'duckdb',
    ...forwarded,
    append: (spans, opts) => {
      const { columns, transfer } = encodeSpanColumns(spans);
      return send('appendColumns', [columns, opts], transfer);
    },
    // One process owns a DuckDB file, so it is always the only candidate for any lease.
    tryAcquireLease: () => Promise.resolve(true),
    runTask: (name, req) => call('runTask', name, req),
    close: async () => {
      if (dead !== null) return;
      await call('close');
      dead = new SightlineError('STORE_UNAVAILABLE', 'DuckDB store is closed');
      await worker.terminate();
    },
  };
}

/**
 * Starts worker.js next to this file; when running from TypeScript sources (vitest, tsx) the
 * worker first registers tsx so it can import worker.ts.
 */
function startWorker(init: WorkerInit): Worker {
  const self = new URL(import.meta.url);
  if (!self.pathname.endsWith('.ts')) {
    return new Worker(new URL('./worker.js', self), { workerData: init });
  }
  const tsxApi = tsxEsmApiUrl(self);
  const workerTs = new URL('./worker.ts', self).href;
  const code = `import(${JSON.stringify(tsxApi)})
    .then((m) => (m.register ?? m.default.register)())
    .then(() => import(${JSON.stringify(workerTs)}));`;
  return new Worker(code, { eval: true, workerData: init });
}

/** URL of tsx's ESM API, read from its exports map (its CommonJS build cannot register ESM hooks here). */
function tsxEsmApiUrl(from: URL): string {
  const manifest = createRequire(from).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  const entry = pkg.exports['./esm/api']?.import.default;
  if (entry === undefined) throw new SightlineError('INTERNAL', 'tsx has no ./esm/api export');
  return new URL(entry, pathToFileURL(manifest)).href;
}
