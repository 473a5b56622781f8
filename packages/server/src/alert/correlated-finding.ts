// Links a firing alert to the Insight engine's correlated findings (src/query/insights): the
// strongest finding of the last hour that involves one of the alert's label values.

import type { AnalysisRunner } from '../query/insights/analyses.js';
import type { AlertState, CorrelatedFinding } from './state-machine.js';

const HOUR = 3_600_000;

export function createFindingLookup(analyses: AnalysisRunner, clock: () => number): (state: AlertState) => Promise<CorrelatedFinding | undefined> {
  return async (state) => {
    const to = clock();
    const from = to - HOUR;
    const report = await analyses('correlations', { project: state.project, from, to, intervalMs: 5 * 60_000, limit: 20 });
    const values = new Set(Object.values(state.labels).filter((v): v is string => v !== null));
    const hit = report.findings.find((f) => values.has(f.a.group) || values.has(f.b.group));
    if (!hit) return undefined;
    return { id: `${hit.from}-${hit.a.dimension}:${hit.a.group}-${hit.b.dimension}:${hit.b.group}`, title: hit.sentence, url: `/api/insights/correlations?from=${from}&to=${to}` };
  };
}
