// The insight analyses, by name, and how they are run. On DuckDB an analysis's reads are answered
// on the store's worker thread; run there (as a store task, see store/store-tasks.ts), only its
// report crosses to the main thread. That pays when the report is much smaller than what it reads:
// the correlation scan reads ~600 rows with 64-bucket histograms (carrying them cost ~1.3 ms of a
// ~5.5 ms scan at 10M spans) and reports a few KB. The decision distribution (a 214 KB report from
// 3,570 rows) and regression detection (28 KB, every scored bucket) took as long either way, so they
// run on the caller's thread. server.ts gives the DuckDB backend this module's URL as its `tasks`
// and builds the runner from the store's `runTask`; elsewhere they run here from the same reads,
// with the same result.

import type { SpanStore } from '../../store/span-store.js';
import type { RunStoreTask, StoreTask } from '../../store/store-tasks.js';
import { correlatedAnomalies } from './correlations.js';

export const ANALYSES = {
  correlations: correlatedAnomalies,
};

export type AnalysisName = keyof typeof ANALYSES;
export type AnalysisRequest<K extends AnalysisName> = Parameters<(typeof ANALYSES)[K]>[1];
export type AnalysisReport<K extends AnalysisName> = Awaited<ReturnType<(typeof ANALYSES)[K]>>;

/** The analyses as store tasks: what a DuckDB store worker loads from ANALYSES_MODULE. */
export const STORE_TASKS: Readonly<Record<AnalysisName, StoreTask>> = ANALYSES;

/** This module's URL (its .ts source under vitest and tsx), for a backend's `tasks` option. */
export const ANALYSES_MODULE = import.meta.url;

/** The reads an analysis may make: what DuckDbEngine answers on the worker thread. */
export type AnalysisReads = Pick<SpanStore, 'rollup'>;

/** Runs analysis `name` of `req`, wherever its reads are answered. */
export type AnalysisRunner = <K extends AnalysisName>(name: K, req: AnalysisRequest<K>) => Promise<AnalysisReport<K>>;

/** Runs analysis `name` on `reads` (the store's own reads, wherever they are answered). */
export function runAnalysisOn<K extends AnalysisName>(reads: AnalysisReads, name: K, req: AnalysisRequest<K>): Promise<AnalysisReport<K>> {
  // Each analysis takes its own request type; K ties `req` to `name`.
  const analysis = ANALYSES[name] as unknown as (reads: AnalysisReads, req: AnalysisRequest<K>) => Promise<AnalysisReport<K>>;
  return analysis(reads, req);
}

/**
 * A runner: by the backend where it keeps its data when it runs this module's tasks (`runTask`),
 * else here from `reads`.
 * @example const analyses = createAnalysisRunner(store, runTask); const report = await analyses('correlations', { project, from: now - HOUR, to: now, intervalMs: 5 * MINUTE });
 */
export function createAnalysisRunner(reads: AnalysisReads, runTask?: RunStoreTask | null): AnalysisRunner {
  if (runTask) return <K extends AnalysisName>(name: K, req: AnalysisRequest<K>) => runTask(name, req) as Promise<AnalysisReport<K>>;
  return (name, req) => runAnalysisOn(reads, name, req);
}
