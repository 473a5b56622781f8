// What DuckDbEngine calls for the insight primitives (one import for the engine's thin wiring).

export { materializeInsights } from './insight-materialize.js';
export { readInsightCohortContrasts } from './insight-contrasts.js';
export { readInsightDecisionCounts } from './insight-decisions.js';
export { readInsightCohorts, readInsightPaths } from './insight-queries.js';
