// Simulated time at full speed: the fleet's traces in a time window, in order of start.
//
// Each (agent, minute) has its own generator seeded from (seed, agent, minute), and each trace
// its own generator seeded from that. So a minute's traces are the same whatever window contains
// it — backfill then live traffic join seamlessly, and adding an incident changes only the
// traces it touches.

import { AgentEffects } from './effects.js';
import type { Fleet } from './fleet.js';
import { hex32, mixSeed, Rng } from './random.js';
import { addContent } from './content.js';
import { generateTrace, type SimEvent } from './trace.js';

export interface SimWindow {
  /** Epoch ms, inclusive: traces starting at or after it. */
  from: number;
  /** Epoch ms, exclusive: traces starting before it. */
  to: number;
}

const MINUTE = 60_000;
/** Longest a trace can plausibly run; incidents this far past a minute can still touch its traces. */
const TRACE_HORIZON_MS = 10 * MINUTE;

interface PlannedTrace {
  start: number;
  agentIndex: number;
  seed: number;
  /** Unique within the fleet: (minute, agent, k), scrambled by a bijection. */
  uniqueId: string;
}

/**
 * Yields each trace (its events, root first) whose root starts in [from, to), ordered by start.
 * Spans of a trace may end after `to`.
 * @example
 *   for (const trace of simulate(fleet, { from: Date.parse('2025-01-01'), to: Date.parse('2025-01-02') })) send(trace);
 */
export function* simulate(fleet: Fleet, window: SimWindow): Generator<SimEvent[]> {
  const firstMinute = Math.floor(window.from / MINUTE);
  const lastMinute = Math.ceil(window.to / MINUTE);
  for (let minute = firstMinute; minute < lastMinute; minute++) {
    const minuteStart = minute * MINUTE;
    const incidents = fleet.schedule.overlapping(minuteStart, minuteStart + MINUTE + TRACE_HORIZON_MS);
    const effects = fleet.agents.map((agent) => (incidents.length === 0 ? null : AgentEffects.for(agent.id, incidents)));
    for (const planned of planMinute(fleet, minute)) {
      if (planned.start < window.from || planned.start >= window.to) continue;
      const agent = fleet.agents[planned.agentIndex]!;
      const trace = generateTrace(fleet, agent, planned, new Rng(planned.seed), effects[planned.agentIndex] ?? null);
      if (fleet.config.content) addContent(agent.kind.kind, trace);
      yield trace;
    }
  }
}

/** All events of a window in one array; for small windows in tests. */
export function simulateToArray(fleet: Fleet, window: SimWindow): SimEvent[] {
  const out: SimEvent[] = [];
  for (const trace of simulate(fleet, window)) {
    for (const event of trace) out.push(event);
  }
  return out;
}

/** Start times of every agent's traces in one minute: Poisson counts, uniform times, sorted. */
function planMinute(fleet: Fleet, minute: number): PlannedTrace[] {
  const minuteStart = minute * MINUTE;
  const expected = fleet.tracesPerMinute(minuteStart + MINUTE / 2);
  const planned: PlannedTrace[] = [];
  for (const agent of fleet.agents) {
    const rng = new Rng(mixSeed(fleet.config.seed, agent.index, minute));
    const count = rng.poisson(expected);
    for (let k = 0; k < count; k++) {
      const uniqueId = scrambleId(fleet.config.seed, minute, (agent.index << 16) | k);
      planned.push({ start: minuteStart + rng.int(MINUTE), agentIndex: agent.index, seed: rng.nextUint32(), uniqueId });
    }
  }
  planned.sort((a, b) => a.start - b.start || a.agentIndex - b.agentIndex);
  return planned;
}

/**
 * 16 hex digits unique to (minute, slot) — a three-round Feistel network is a bijection on 64 bits
 * whatever its round function — yet as random-looking as the rest of a trace id.
 */
function scrambleId(seed: number, minute: number, slot: number): string {
  let left = minute >>> 0;
  let right = slot >>> 0;
  for (let round = 0; round < 3; round++) {
    const next = (left ^ mixSeed(seed, round, right)) >>> 0;
    left = right;
    right = next;
  }
  return hex32(left) + hex32(right);
}
