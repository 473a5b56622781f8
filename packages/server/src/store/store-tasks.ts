// Named work a backend may run next to its data, from its own reads: DuckDB runs it on its store
// worker thread, where the reads are answered, so only the result crosses to the main thread. The
// work belongs to a higher layer (src/query/insights/analyses.ts names the insight analyses): a
// backend is given the URL of a module exporting STORE_TASKS (wired in server.ts), so no store file
// imports it and the tasks are no part of the Store contract.

import type { SpanStore } from './span-store.js';

/** One task: its reads are the backend's own (on DuckDB's worker: the engine itself). */
export type StoreTask = (reads: SpanStore, req: never) => Promise<unknown>;

/** What a module named as a backend's `tasks` exports. */
export interface StoreTaskModule {
  STORE_TASKS: Readonly<Record<string, StoreTask>>;
}

/** Runs task `name` of `req` where the backend keeps its data; rejects names its module lacks. */
export type RunStoreTask = (name: string, req: unknown) => Promise<unknown>;
