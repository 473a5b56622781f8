// The fleet simulator: deterministic agent traffic with labelled incidents, for the demo,
// tests and benchmarks. See README.md for what is guaranteed.

export { Rng, mixSeed, hashString, cumulativeWeights } from './random.js';
export {
  DEFAULT_AGENT_KINDS,
  DEFAULT_MODELS,
  modelCallCost,
  type AgentKind,
  type DecisionNode,
  type DecisionOption,
  type LlmStep,
  type Lognormal,
  type ModelSpec,
  type ModelTier,
  type Step,
  type ToolStep,
} from './catalog.js';
export { createFleet, type Fleet, type FleetConfig, type ResolvedFleetConfig, type SimAgent } from './fleet.js';
export {
  describeIncident,
  isActive,
  type CohortFailureIncident,
  type CostDriftIncident,
  type ErrorSpikeIncident,
  type Incident,
  type LabelledIncident,
  type LatencyRegressionIncident,
  type NewDecisionIncident,
  type TokenEfficiencyDropIncident,
} from './incidents.js';
export type { SimEvent } from './trace.js';
export { simulate, simulateToArray, type SimWindow } from './simulate.js';
export { backfill, type BackfillOptions, type BackfillStats } from './backfill.js';
export { createEventPoster, postEvents, parseRetryAfter, type PostOutcome, type PostTarget } from './post-events.js';
export { runLiveFleet, systemClock, type LiveClock, type LiveProblem, type LiveRunOptions, type LiveRunStats } from './run-live.js';
export { demoFleetConfig, demoIncidents, DEMO_CYCLE_MS, type DemoScheduleOptions } from './demo.js';
export { runLoad, parseLoadArgs, type LoadOptions, type LoadReport } from './loadgen.js';
