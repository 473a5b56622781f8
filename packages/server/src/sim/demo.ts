// The `sightline demo` fleet: lively traffic, a few incidents in the history so charts have
// something to explain, and a ten-minute cycle of incidents from the start so a newcomer sees an
// error spike, a latency regression and a new decision within the first ten minutes.

import { DEFAULT_AGENT_KINDS } from './catalog.js';
import type { FleetConfig } from './fleet.js';
import type { Incident } from './incidents.js';

export interface DemoScheduleOptions {
  /** Epoch ms when live traffic starts (usually now). */
  start: number;
  seed?: number;
  /** Number of agents; default 8. Incidents of agents that do not exist then are left out. */
  agents?: number;
  /** How much history before `start` gets incidents (match the backfill). Default 24 h. */
  historyMs?: number;
  /** How long after `start` the cycle keeps repeating. Default 24 h. */
  horizonMs?: number;
}

const MINUTE = 60_000;
export const DEMO_CYCLE_MS = 10 * MINUTE;

const NEW_DECISIONS = [
  'offer_store_credit',
  'escalate_to_legal',
  'request_photo_proof',
  'apply_goodwill_discount',
  'transfer_to_billing',
  'schedule_callback',
];

/**
 * Configuration of the demo fleet (8 agents, ~33 events/s). Every cycle of ten minutes from
 * `start`: +3 min error spike on `refund` (60% for 2 min), +6 min latency regression of
 * claude-sonnet-4 (×4 for 2 min), +8 min a new decision for support-1 (25% of its traces for 2 min,
 * a different decision each cycle).
 * @example
 *   const fleet = createFleet(demoFleetConfig({ start: Date.now() }));
 */
export function demoFleetConfig(options: DemoScheduleOptions): FleetConfig {
  return { seed: options.seed ?? 42, agents: options.agents ?? 8, content: true, incidents: demoIncidents(options) };
}

export function demoIncidents(options: DemoScheduleOptions): Incident[] {
  const { start } = options;
  const historyMs = options.historyMs ?? 24 * 60 * MINUTE;
  const horizonMs = options.horizonMs ?? 24 * 60 * MINUTE;
  const history: Incident[] = [
    { kind: 'cost_drift', agent: 'research-1', model: 'gpt-4o', factor: 3, start: start - 9 * 60 * MINUTE, durationMs: 90 * MINUTE },
    { kind: 'cohort_failure', attribute: 'input_category', value: 'returns', errorRate: 0.4, start: start - 4 * 60 * MINUTE, durationMs: 45 * MINUTE },
    { kind: 'token_efficiency_drop', agent: 'coding-1', factor: 2.5, start: start - 2 * 60 * MINUTE, durationMs: 60 * MINUTE },
  ];
  const incidents = history.filter((i) => i.start >= start - historyMs && agentExists(i, options.agents ?? 8));
  for (let cycle = 0; cycle * DEMO_CYCLE_MS < horizonMs; cycle++) {
    const at = start + cycle * DEMO_CYCLE_MS;
    const round = Math.floor(cycle / NEW_DECISIONS.length);
    const name = NEW_DECISIONS[cycle % NEW_DECISIONS.length]!;
    incidents.push(
      { kind: 'error_spike', decision: 'refund', errorRate: 0.6, start: at + 3 * MINUTE, durationMs: 2 * MINUTE },
      { kind: 'latency_regression', model: 'claude-sonnet-4-20250514', factor: 4, start: at + 6 * MINUTE, durationMs: 2 * MINUTE },
      {
        kind: 'new_decision',
        agent: 'support-1',
        decision: round === 0 ? name : `${name}_${round + 1}`,
        share: 0.25,
        start: at + 8 * MINUTE,
        durationMs: 2 * MINUTE,
      },
    );
  }
  return incidents;
}

/** Agent `<kind>-1` exists when there are more agents than the kind's position in the default kinds. */
function agentExists(incident: Incident, agents: number): boolean {
  if (!('agent' in incident) || incident.agent === undefined) return true;
  const kind = incident.agent.replace(/-\d+$/, '');
  return DEFAULT_AGENT_KINDS.findIndex((k) => k.kind === kind) < agents;
}
