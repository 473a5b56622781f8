// Generates one trace: an agent_step root, then the agent's steps in order — LLM calls, tool calls
// and decision spans whose children are the steps of the chosen option. A failing span aborts the
// trace and marks each of its ancestors with the same error. Events come out in pre-order, so
// timestamps strictly increase along the array.

import type { SpanType } from '../model/span.js';
import { modelCallCost, type DecisionNode, type LlmStep, type Step, type ToolStep } from './catalog.js';
import type { AgentEffects } from './effects.js';
import { ATTRIBUTE_WEIGHTS, type Fleet, type SimAgent } from './fleet.js';
import { hex32, mixSeed, type Rng } from './random.js';

/** One event in Sightline's native ingest format (an element of the `POST /v1/events` array). */
export interface SimEvent {
  timestamp: number;
  agent_id: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  span_type: SpanType;
  name: string;
  model?: string;
  provider?: string;
  tokens_input?: number;
  tokens_output?: number;
  tokens_cache_read?: number;
  tokens_reasoning?: number;
  latency_ms: number;
  cost_usd?: number;
  decision_made?: string;
  confidence?: number;
  error?: { type: string; message: string };
  session_id: string;
  user_id: string;
  /** input_category, prompt_version, region; shared by all events of a trace — copy before mutating. */
  attributes: Record<string, string>;
  /** Prompt and output, only with FleetConfig.content (see content.ts). */
  input?: string;
  output?: string;
}

interface TraceState {
  fleet: Fleet;
  agent: SimAgent;
  rng: Rng;
  effects: AgentEffects | null;
  events: SimEvent[];
  traceId: string;
  sessionId: string;
  userId: string;
  attributes: Record<string, string>;
  firstLlmSeen: boolean;
  error: SimEvent['error'] | null;
}

/** Where a trace sits: its start and 16 hex digits unique to it within the fleet. */
export interface TraceSlot {
  start: number;
  uniqueId: string;
}

/** Generates the trace of `agent` in `slot` from its own generator. */
export function generateTrace(fleet: Fleet, agent: SimAgent, slot: TraceSlot, rng: Rng, effects: AgentEffects | null): SimEvent[] {
  const { start } = slot;
  // Prefix (a run nonce, say), then the unique part, then random digits up to 32.
  const traceId = (fleet.config.traceIdPrefix + slot.uniqueId + rng.hex64()).slice(0, 32);
  const userNumber = rng.int(5000);
  const attributes = {
    input_category: agent.categoryNames[rng.weightedIndex(agent.categoryCumulative)]!,
    prompt_version: ATTRIBUTE_WEIGHTS.prompt_version.names[rng.weightedIndex(ATTRIBUTE_WEIGHTS.prompt_version.cumulative)]!,
    region: ATTRIBUTE_WEIGHTS.region.names[rng.weightedIndex(ATTRIBUTE_WEIGHTS.region.cumulative)]!,
  };
  const state: TraceState = {
    fleet,
    agent,
    rng,
    effects,
    events: [],
    traceId,
    // A user's traces within one hour form a session.
    sessionId: 'sess-' + hex32(mixSeed(fleet.config.seed, userNumber, Math.floor(start / 3_600_000))),
    userId: `user-${userNumber}`,
    attributes,
    firstLlmSeen: false,
    error: null,
  };
  const root = openSpan(state, 'agent_step', agent.kind.rootName, null, start);
  const end = runSteps(state, agent.kind.steps, root.span_id, start, true);
  closeSpan(state, root, end + 1 + rng.int(5) - root.timestamp);
  return state.events;
}

/** Runs steps in order until one fails; returns the end time of the last one. */
function runSteps(state: TraceState, steps: readonly Step[], parentId: string, start: number, topLevel: boolean): number {
  let t = start;
  for (const step of steps) {
    if (state.error !== null) break;
    const at = t + 1 + state.rng.int(20);
    if (step.kind === 'llm') t = llmCall(state, step, parentId, at);
    else if (step.kind === 'tool') t = toolCall(state, step, parentId, at, null);
    else t = decide(state, step, parentId, at, topLevel);
  }
  return t;
}

function decide(state: TraceState, node: DecisionNode, parentId: string, at: number, topLevel: boolean): number {
  const { rng, effects } = state;
  let option = node.options[rng.weightedIndex(state.fleet.optionWeights.get(node)!)]!;
  if (topLevel && effects !== null && isFirstDecision(state.agent, node)) {
    const offered = effects.newDecision(at);
    if (offered !== null && rng.chance(offered.share)) option = offered.option;
  }
  const span = openSpan(state, 'decision', node.name, parentId, at);
  span.decision_made = option.decision;
  span.confidence = Math.round(clamp(rng.normal(option.confidence, 0.07), 0.01, 0.99) * 1000) / 1000;
  const spikeRate = effects?.errorSpikeRate(option.decision, at) ?? null;
  let end: number;
  if (spikeRate !== null && rng.chance(spikeRate)) {
    // The incident makes the first action of this decision fail (or the decision itself, if it has none).
    const first = option.steps[0];
    if (first !== undefined && first.kind === 'tool') {
      end = toolCall(state, first, span.span_id, at + 1 + rng.int(20), first.errorType ?? 'tool_error');
    } else {
      state.error = { type: 'decision_failed', message: `${option.decision} could not be carried out` };
      end = span.timestamp + rng.uniform(1, 5);
    }
  } else {
    end = runSteps(state, option.steps, span.span_id, at, false);
  }
  closeSpan(state, span, Math.max(end, at) + 1 - span.timestamp);
  return span.timestamp + span.latency_ms;
}

function llmCall(state: TraceState, step: LlmStep, parentId: string, at: number): number {
  const { rng, effects, fleet } = state;
  const model = state.agent.models[step.tier]!;
  const factors = effects?.tokenFactors(model.name, at);
  let input = Math.max(1, Math.round(rng.lognormal(Math.log(step.inputTokens), 0.35) * (factors?.input ?? 1)));
  let output = Math.max(1, Math.round(rng.lognormal(Math.log(step.outputTokens), 0.5) * (factors?.output ?? 1)));
  const cacheShare = model.cacheReadShare ?? 0;
  const cacheRead = cacheShare > 0 ? Math.min(input, Math.round(input * cacheShare * rng.uniform(0.3, 1.7))) : 0;
  let latency = rng.lognormal(model.latency.mu, model.latency.sigma) + output * model.msPerOutputToken;
  latency *= effects?.latencyFactor(model.name, at) ?? 1;

  let error: SimEvent['error'] | null = null;
  const cohortRate = !state.firstLlmSeen && effects !== null ? effects.cohortFailureRate(state.attributes, at) : null;
  state.firstLlmSeen = true;
  if (cohortRate !== null && rng.chance(cohortRate)) {
    error = { type: 'schema_validation', message: `${step.name}: model output failed schema validation` };
  } else if (rng.chance((model.baseErrorRate ?? 0) * fleet.config.baseErrorScale)) {
    // A provider error: nothing generated, nothing billed.
    error = { type: 'rate_limit', message: `${model.provider}: 429 rate limit exceeded` };
    input = 0;
    output = 0;
    latency = rng.lognormal(Math.log(80), 0.4);
  }
  const cached = input === 0 ? 0 : cacheRead;
  const span = openSpan(state, step.tier === 'embedding' ? 'embedding' : 'llm_call', step.name, parentId, at);
  span.model = model.name;
  span.provider = model.provider;
  span.tokens_input = input;
  span.tokens_output = output;
  span.tokens_cache_read = cached;
  span.tokens_reasoning = Math.round(output * (model.reasoningShare ?? 0));
  if (fleet.config.costPresence >= 1 || rng.chance(fleet.config.costPresence)) {
    span.cost_usd = modelCallCost(model, input, output, cached);
  }
  if (error !== null) state.error = error;
  closeSpan(state, span, latency);
  return span.timestamp + span.latency_ms;
}

function toolCall(state: TraceState, step: ToolStep, parentId: string, at: number, forcedError: string | null): number {
  const { rng, fleet } = state;
  const span = openSpan(state, step.spanType, step.name, parentId, at);
  const latency = rng.lognormal(step.latency.mu, step.latency.sigma);
  const fails = forcedError !== null || rng.chance((step.baseErrorRate ?? 0) * fleet.config.baseErrorScale);
  if (fails) state.error = { type: forcedError ?? step.errorType ?? 'tool_error', message: `${step.name} failed` };
  closeSpan(state, span, latency);
  return span.timestamp + span.latency_ms;
}

function openSpan(state: TraceState, spanType: SpanType, name: string, parentId: string | null, at: number): SimEvent {
  const event: SimEvent = {
    timestamp: Math.floor(at),
    agent_id: state.agent.id,
    trace_id: state.traceId,
    span_id: state.rng.hex64(),
    parent_span_id: parentId,
    span_type: spanType,
    name,
    latency_ms: 0,
    session_id: state.sessionId,
    user_id: state.userId,
    attributes: state.attributes,
  };
  state.events.push(event);
  return event;
}

/** Sets the latency (0.1 ms resolution); a failure anywhere below marks this span too. */
function closeSpan(state: TraceState, span: SimEvent, durationMs: number): void {
  span.latency_ms = Math.max(0.1, Math.round(durationMs * 10) / 10);
  if (state.error !== null) span.error = state.error;
}

function isFirstDecision(agent: SimAgent, node: DecisionNode): boolean {
  return agent.kind.steps.find((s) => s.kind === 'decision') === node;
}

function clamp(x: number, min: number, max: number): number {
  return x < min ? min : x > max ? max : x;
}
