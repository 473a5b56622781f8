// The insight store slice of the Store contract (read by src/query/insights): hourly
// pre-aggregates of traces by decision path and of spans by attribute value, combined with raw
// spans for hours not yet materialized, and the decision counts. Checked by insight.case.ts,
// cohort-contrasts.case.ts and decision-counts.case.ts; the row types are in insight-types.ts.

import type {
  CohortContrastRow, CohortRow, CohortScan, DecisionCountQuery, DecisionCountRow, InsightScan, MaterializeReport, PathRow,
} from './insight-types.js';

export interface InsightStore {
  /**
   * Recomputes the hourly aggregates of hours that received spans since the last run and closed
   * at least `graceMs` (default 2 min) before `now` (default the wall clock). Idempotent.
   */
  materializeInsights(opts?: { now?: number; graceMs?: number }): Promise<MaterializeReport>;
  /** Traces whose first span lies in the scanned hours, by agent × decision path. */
  insightPaths(q: InsightScan): Promise<PathRow[]>;
  /** Spans in the scanned hours by agent × attribute key × value. */
  insightCohorts(q: CohortScan): Promise<CohortRow[]>;
  /**
   * Each value of each key (never '(other)') against the rest of its agents, from the same figures
   * as insightCohorts, one row per value, ordered by key then value (byte order). Only values whose
   * cohort and rest both reach `minCount` units.
   * @example const rows = await store.insightCohortContrasts({ project, from, to, keys: ['input_category'], minCount: 30 });
   */
  insightCohortContrasts(q: CohortScan): Promise<CohortContrastRow[]>;
  /**
   * Decisions per bucket × agent from the rollups (spans without a decision left out), ordered by
   * bucket, agent, decision: the decision distribution's one read, without the other rollup columns.
   */
  insightDecisionCounts(q: DecisionCountQuery): Promise<DecisionCountRow[]>;
}
