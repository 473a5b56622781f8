// The insight analyses that a store may run where it keeps its data, by name. On DuckDB an
// analysis's reads are answered on the store's worker thread; run there, only its report crosses
// to the main thread. That pays when the report is much smaller than what it reads: the correlation
// scan reads ~600 rows with 64-bucket histograms (carrying them cost ~1.3 ms of a ~5.5 ms scan at
// 10M spans) and reports a few KB. The decision distribution (a 214 KB report from 3,570 rows) and
// regression detection (28 KB, every scored bucket) took as long either way, so they run on the
// caller's thread. A store with `analyse` runs these there; others run them here from the same
// Store reads, with the same result.

import type { Store } from '../../store/store.js';
import { correlatedAnomalies } from './correlations.js';

export const ANALYSES = {
  correlations: correlatedAnomalies,
};

export type AnalysisName = keyof typeof ANALYSES;
export type AnalysisRequest<K extends AnalysisName> = Parameters<(typeof ANALYSES)[K]>[1];
export type AnalysisReport<K extends AnalysisName> = Awaited<ReturnType<(typeof ANALYSES)[K]>>;

/** The reads an analysis may make: what DuckDbEngine answers on the worker thread. */
export type AnalysisReads = Pick<Store, 'rollup'>;

/** Runs analysis `name` on `reads` (the store's own reads, wherever they are answered). */
export function runAnalysisOn<K extends AnalysisName>(reads: AnalysisReads, name: K, req: AnalysisRequest<K>): Promise<AnalysisReport<K>> {
  // Each analysis takes its own request type; K ties `req` to `name`.
  const analysis = ANALYSES[name] as unknown as (reads: AnalysisReads, req: AnalysisRequest<K>) => Promise<AnalysisReport<K>>;
  return analysis(reads, req);
}

/**
 * Analysis `name` of `req`: by the store where it keeps its data when it can (Store.analyse),
 * else here from its reads.
 * @example const report = await runAnalysis(store, 'correlations', { project, from: now - HOUR, to: now, intervalMs: 5 * MINUTE });
 */
export function runAnalysis<K extends AnalysisName>(store: Store, name: K, req: AnalysisRequest<K>): Promise<AnalysisReport<K>> {
  return store.analyse ? store.analyse(name, req) : runAnalysisOn(store, name, req);
}
