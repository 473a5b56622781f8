// A simulated fleet of agents: its configuration, checked once, and the resolved agents, models
// and incident schedule that trace generation reads.

import { SightlineError } from '../model/errors.js';
import {
  DEFAULT_AGENT_KINDS,
  DEFAULT_MODELS,
  PROMPT_VERSIONS,
  REGIONS,
  type AgentKind,
  type DecisionNode,
  type ModelSpec,
  type ModelTier,
  type Step,
} from './catalog.js';
import { IncidentSchedule, labelIncidents, type Incident, type LabelledIncident } from './incidents.js';
import { cumulativeWeights } from './random.js';

export interface FleetConfig {
  /** Same seed, same events. */
  seed: number;
  /** Number of agents; agent i is of kind i mod kinds. 8 makes a readable demo; benchmarks use 20. */
  agents?: number;
  /** Agent kinds with their decision trees; default: support, research, coding, sales. */
  agentKinds?: AgentKind[];
  /** Models with prices and latency; default: real model names at list prices. */
  models?: ModelSpec[];
  /** Mean trace rate of one agent; 40/min × 8 agents × ~6.2 spans ≈ 33 events/s, a lively demo. */
  tracesPerMinutePerAgent?: number;
  /** Daily swing of the trace rate, 0..1: rate × (1 + a·cos(2π(hour − peak)/24)). Default 0.25. */
  seasonalityAmplitude?: number;
  /** UTC hour of peak traffic; default 15 (afternoon in Europe, morning in the US). */
  peakHourUtc?: number;
  /** Labelled incidents to inject. */
  incidents?: Incident[];
  /** Share of model spans that carry cost_usd; the rest leave it to the server's price table. Default 1. */
  costPresence?: number;
  /** Multiplies every base (non-incident) error rate; 0 makes normal traffic error-free. Default 1. */
  baseErrorScale?: number;
  /** Hex prefix of every trace id (up to 16 digits), e.g. a run nonce; default none. */
  traceIdPrefix?: string;
  /** Synthetic prompts and outputs on each trace (content.ts), for the demo's trace view; default false. */
  content?: boolean;
}

export type ResolvedFleetConfig = Required<Omit<FleetConfig, 'incidents'>>;

export interface SimAgent {
  id: string;
  index: number;
  kind: AgentKind;
  /** Model for each tier this agent's kind uses. */
  models: Partial<Record<ModelTier, ModelSpec>>;
  /** Every decision its tree can make (before incidents). */
  decisions: ReadonlySet<string>;
  categoryNames: string[];
  categoryCumulative: number[];
}

export interface Fleet {
  readonly config: ResolvedFleetConfig;
  readonly agents: readonly SimAgent[];
  readonly models: ReadonlyMap<string, ModelSpec>;
  readonly schedule: IncidentSchedule;
  /** Cumulative option weights of each decision node. */
  readonly optionWeights: WeakMap<DecisionNode, number[]>;
  /** What is injected, and when. */
  incidents(): LabelledIncident[];
  /** Expected traces per minute for one agent at `time` (seasonality applied). */
  tracesPerMinute(time: number): number;
}

export const ATTRIBUTE_WEIGHTS = {
  prompt_version: weighted(PROMPT_VERSIONS),
  region: weighted(REGIONS),
};

/**
 * Resolves defaults and checks the configuration, throwing CONFIG_INVALID naming the bad field.
 * @example
 *   const fleet = createFleet({ seed: 7, incidents: [{ kind: 'error_spike', decision: 'refund', start, durationMs: 600_000, errorRate: 0.5 }] });
 */
export function createFleet(config: FleetConfig): Fleet {
  const resolved: ResolvedFleetConfig = {
    seed: config.seed,
    agents: config.agents ?? 8,
    agentKinds: config.agentKinds ?? DEFAULT_AGENT_KINDS,
    models: config.models ?? DEFAULT_MODELS,
    tracesPerMinutePerAgent: config.tracesPerMinutePerAgent ?? 40,
    seasonalityAmplitude: config.seasonalityAmplitude ?? 0.25,
    peakHourUtc: config.peakHourUtc ?? 15,
    costPresence: config.costPresence ?? 1,
    baseErrorScale: config.baseErrorScale ?? 1,
    traceIdPrefix: (config.traceIdPrefix ?? '').toLowerCase(),
    content: config.content ?? false,
  };
  checkNumbers(resolved);
  const models = new Map(resolved.models.map((m) => [m.name, m]));
  const agents = resolveAgents(resolved, models);
  const labelled = labelIncidents(config.incidents ?? []);
  labelled.forEach((incident, i) => checkIncident(incident, i, agents, models, labelled));
  const optionWeights = new WeakMap<DecisionNode, number[]>();
  for (const kind of resolved.agentKinds) indexOptionWeights(kind.steps, optionWeights);
  const schedule = new IncidentSchedule(labelled);
  const { tracesPerMinutePerAgent: rate, seasonalityAmplitude: amplitude, peakHourUtc: peak } = resolved;
  return {
    config: resolved,
    agents,
    models,
    schedule,
    optionWeights,
    incidents: () => labelled.map((i) => ({ ...i })),
    tracesPerMinute: (time) => {
      const hour = (time / 3_600_000) % 24;
      return rate * (1 + amplitude * Math.cos((2 * Math.PI * (hour - peak)) / 24));
    },
  };
}

function weighted(weights: Record<string, number>): { names: string[]; cumulative: number[] } {
  return { names: Object.keys(weights), cumulative: cumulativeWeights(Object.values(weights)) };
}

function resolveAgents(config: ResolvedFleetConfig, models: Map<string, ModelSpec>): SimAgent[] {
  const kinds = config.agentKinds;
  if (kinds.length === 0) invalid('agentKinds', 'must list at least one agent kind');
  const perKind = new Map<string, number>();
  return Array.from({ length: config.agents }, (_, index) => {
    const kind = kinds[index % kinds.length]!;
    const n = (perKind.get(kind.kind) ?? 0) + 1;
    perKind.set(kind.kind, n);
    const resolvedModels: Partial<Record<ModelTier, ModelSpec>> = {};
    for (const [tier, name] of Object.entries(kind.models) as [ModelTier, string][]) {
      const model = models.get(name);
      if (model === undefined) invalid(`agentKinds[${kind.kind}].models.${tier}`, `names unknown model '${name}'`);
      resolvedModels[tier] = model;
    }
    const decisions = new Set<string>();
    collectDecisions(kind.steps, decisions);
    const categories = weighted(kind.inputCategories);
    return {
      id: `${kind.kind}-${n}`,
      index,
      kind,
      models: resolvedModels,
      decisions,
      categoryNames: categories.names,
      categoryCumulative: categories.cumulative,
    };
  });
}

function collectDecisions(steps: readonly Step[], into: Set<string>): void {
  for (const step of steps) {
    if (step.kind !== 'decision') continue;
    for (const option of step.options) {
      into.add(option.decision);
      collectDecisions(option.steps, into);
    }
  }
}

function indexOptionWeights(steps: readonly Step[], into: WeakMap<DecisionNode, number[]>): void {
  for (const step of steps) {
    if (step.kind !== 'decision') continue;
    into.set(step, cumulativeWeights(step.options.map((o) => o.weight)));
    for (const option of step.options) indexOptionWeights(option.steps, into);
  }
}

function checkNumbers(c: ResolvedFleetConfig): void {
  if (!Number.isInteger(c.seed)) invalid('seed', `must be an integer, got ${c.seed}`);
  if (!Number.isInteger(c.agents) || c.agents < 1 || c.agents > 10_000) invalid('agents', `must be an integer 1..10000, got ${c.agents}`);
  if (!(c.tracesPerMinutePerAgent >= 0)) invalid('tracesPerMinutePerAgent', `must be ≥ 0, got ${c.tracesPerMinutePerAgent}`);
  for (const field of ['seasonalityAmplitude', 'costPresence'] as const) {
    if (!(c[field] >= 0 && c[field] <= 1)) invalid(field, `must be within 0..1, got ${c[field]}`);
  }
  if (!(c.baseErrorScale >= 0)) invalid('baseErrorScale', `must be ≥ 0, got ${c.baseErrorScale}`);
  if (!/^[0-9a-f]{0,16}$/.test(c.traceIdPrefix)) invalid('traceIdPrefix', `must be at most 16 hex digits, got '${c.traceIdPrefix}'`);
}

function checkIncident(
  incident: LabelledIncident,
  i: number,
  agents: readonly SimAgent[],
  models: ReadonlyMap<string, ModelSpec>,
  all: readonly LabelledIncident[],
): void {
  const at = `incidents[${i}]`;
  if (!Number.isFinite(incident.start)) invalid(`${at}.start`, `must be epoch ms, got ${incident.start}`);
  if (incident.durationMs !== undefined && !(incident.durationMs > 0)) invalid(`${at}.durationMs`, `must be > 0, got ${incident.durationMs}`);
  if ('errorRate' in incident && !(incident.errorRate >= 0 && incident.errorRate <= 1)) invalid(`${at}.errorRate`, `must be within 0..1, got ${incident.errorRate}`);
  if ('factor' in incident && !(incident.factor > 0)) invalid(`${at}.factor`, `must be > 0, got ${incident.factor}`);
  if ('model' in incident && !models.has(incident.model)) invalid(`${at}.model`, `names unknown model '${incident.model}'`);
  const agent = 'agent' in incident && incident.agent !== undefined ? agents.find((a) => a.id === incident.agent) : undefined;
  if ('agent' in incident && incident.agent !== undefined && agent === undefined) {
    invalid(`${at}.agent`, `names unknown agent '${incident.agent}' (agents: ${agents.map((a) => a.id).join(', ')})`);
  }
  if (incident.kind === 'new_decision') {
    if (agent!.decisions.has(incident.decision)) invalid(`${at}.decision`, `'${incident.decision}' is already made by ${agent!.id}; a new decision must be new`);
    if (incident.share !== undefined && !(incident.share > 0 && incident.share <= 1)) invalid(`${at}.share`, `must be within (0, 1], got ${incident.share}`);
    if (!agent!.kind.steps.some((s) => s.kind === 'decision')) invalid(`${at}.agent`, `${agent!.id} has no decision point`);
  }
  if (incident.kind === 'error_spike') {
    const candidates = agent === undefined ? agents : [agent];
    const known =
      candidates.some((a) => a.decisions.has(incident.decision)) ||
      all.some((o) => o.kind === 'new_decision' && o.decision === incident.decision && candidates.some((a) => a.id === o.agent));
    if (!known) invalid(`${at}.decision`, `no agent${agent ? ` '${agent.id}'` : ''} makes decision '${incident.decision}'`);
  }
}

function invalid(field: string, problem: string): never {
  throw new SightlineError('CONFIG_INVALID', `sim config: ${field} ${problem}`);
}
