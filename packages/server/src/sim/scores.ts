// Quality signals of the simulated fleet: an evaluator's helpfulness score on some traces and an
// end user's thumbs on fewer, drawn from each trace's own generator (seeded by its trace id), so
// they are deterministic and window-independent like the traces. A quality incident lowers one
// agent's scores for a while, without touching its spans: an answer can be wrong and still fast,
// cheap and error-free, which is what scores are for.

import { hashString, mixSeed, Rng } from './random.js';
import type { SimEvent } from './trace.js';

export interface QualityIncident {
  agent: string;
  start: number;
  durationMs: number;
  /** How much both the mean helpfulness and the thumbs-up rate fall. */
  drop: number;
}

/** What POST /v1/scores takes. */
export interface SimScore {
  score_id: string;
  trace_id: string;
  timestamp: number;
  name: 'helpfulness' | 'thumbs';
  value: number | boolean;
  source: 'evaluator' | 'user';
  comment?: string;
}

/** Share of traces an evaluator scores, and of traces whose user gives a thumb. */
const EVALUATED = 0.3;
const FEEDBACK = 0.1;

/**
 * Scores of the traces whose root is among `events` (a trace's root has no parent).
 * @example qualityScores(batch, 42, [{ agent: 'support-1', start, durationMs: 3_600_000, drop: 0.3 }])
 */
export function qualityScores(events: readonly SimEvent[], seed: number, incidents: readonly QualityIncident[] = []): SimScore[] {
  const out: SimScore[] = [];
  for (const e of events) {
    if (e.parent_span_id !== null) continue;
    const rng = new Rng(mixSeed(seed, hashString(e.trace_id)));
    const end = e.timestamp + e.latency_ms;
    const drop = incidents.find((i) => i.agent === e.agent_id && e.timestamp >= i.start && e.timestamp < i.start + i.durationMs)?.drop ?? 0;
    if (rng.chance(EVALUATED)) {
      const value = Math.round(Math.min(1, Math.max(0, rng.normal(0.8 - drop, 0.15))) * 100) / 100;
      out.push({ score_id: `eval-${e.trace_id}`, trace_id: e.trace_id, timestamp: Math.floor(end + 5_000), name: 'helpfulness', value, source: 'evaluator' });
    }
    if (rng.chance(FEEDBACK)) {
      const up = rng.chance(0.85 - drop);
      const score: SimScore = { score_id: `fb-${e.trace_id}`, trace_id: e.trace_id, timestamp: Math.floor(end + 30_000), name: 'thumbs', value: up, source: 'user' };
      if (!up) score.comment = drop > 0 ? 'the answer was wrong' : 'not what I asked';
      out.push(score);
    }
  }
  return out;
}

/**
 * The demo's one scheduled quality incident: the first agent's answers get worse for an hour,
 * two hours before the demo started (inside the backfilled history, so the score insights and the
 * "score below baseline" rule have something to find).
 */
export function demoQualityIncidents(agentIds: readonly string[], start: number): QualityIncident[] {
  const agent = agentIds[0];
  return agent === undefined ? [] : [{ agent, start: start - 3 * 3_600_000, durationMs: 3_600_000, drop: 0.3 }];
}
