// Worker thread that owns the DuckDB database: the appender blocks the thread that calls it, so
// no DuckDB work runs on the thread that serves HTTP. Started by duckdb-store.ts.

import { parentPort, workerData } from 'node:worker_threads';
import { SightlineError } from '../../model/errors.js';
import { EngineSupervisor } from './engine-supervisor.js';
import { packRows } from './row-transport.js';
import type { StoreTaskModule } from '../store-tasks.js';
import type { StoreRequest, TransportedError, WorkerInit, WorkerMessage } from './worker-protocol.js';

/** Compaction also runs on a timer, so a quiet store still merges its closed buckets. */
const COMPACT_INTERVAL_MS = 60_000;

function transport(err: unknown): TransportedError {
  if (err instanceof SightlineError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('worker.ts must run in a worker thread');
  const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  const { tasks: tasksModule, ...init } = workerData as WorkerInit;
  let engine: EngineSupervisor;
  try {
    const tasks = tasksModule === undefined ? {} : ((await import(tasksModule)) as StoreTaskModule).STORE_TASKS;
    engine = await EngineSupervisor.open({ ...init, tasks, report: (e) => post({ type: 'event', ...e }) });
  } catch (err) {
    post({ type: 'failed', error: transport(err) });
    return;
  }
  const timer = setInterval(() => void engine.call('compact', []).catch(() => undefined), COMPACT_INTERVAL_MS);
  timer.unref();
  port.on('message', (req: StoreRequest) => {
    engine
      .call(req.method, req.args)
      .then(
        (result) => {
          const { value, transfer } = packRows(result);
          post({ type: 'reply', id: req.id, ok: true, value }, transfer);
        },
        (err: unknown) => post({ type: 'reply', id: req.id, ok: false, error: transport(err) }),
      )
      .finally(() => {
        if (req.method === 'close') {
          clearInterval(timer);
          port.close();
        }
      });
  });
  post({ type: 'ready' });
}

main().catch((err: unknown) => {
  parentPort?.postMessage({ type: 'failed', error: transport(err) } satisfies WorkerMessage);
});
