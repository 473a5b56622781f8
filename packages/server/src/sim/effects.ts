// How active incidents change one agent's traces. Every effect is decided at the timestamp of the
// span it changes, so "inside the window" means exactly: the span's timestamp is in [start, end).

import type { DecisionOption } from './catalog.js';
import { isActive, type LabelledIncident, type NewDecisionIncident } from './incidents.js';

export interface TokenFactors {
  input: number;
  output: number;
}

const NO_CHANGE: TokenFactors = { input: 1, output: 1 };

/** Incidents that concern one agent during one stretch of time. */
export class AgentEffects {
  private readonly newOptions = new Map<NewDecisionIncident, DecisionOption>();

  private constructor(private readonly incidents: readonly LabelledIncident[]) {}

  /** Null when no incident concerns the agent, so the common path costs nothing. */
  static for(agentId: string, incidents: readonly LabelledIncident[]): AgentEffects | null {
    const relevant = incidents.filter((i) => !('agent' in i) || i.agent === undefined || i.agent === agentId);
    return relevant.length === 0 ? null : new AgentEffects(relevant);
  }

  latencyFactor(model: string, time: number): number {
    let factor = 1;
    for (const i of this.incidents) {
      if (i.kind === 'latency_regression' && i.model === model && isActive(i, time)) factor *= i.factor;
    }
    return factor;
  }

  tokenFactors(model: string, time: number): TokenFactors {
    let input = 1;
    let output = 1;
    for (const i of this.incidents) {
      if (!isActive(i, time)) continue;
      if (i.kind === 'cost_drift' && i.model === model) {
        input *= i.factor;
        output *= i.factor;
      } else if (i.kind === 'token_efficiency_drop') {
        input *= i.factor;
        output /= i.factor;
      }
    }
    return input === 1 && output === 1 ? NO_CHANGE : { input, output };
  }

  /** Probability that taking `decision` at `time` fails, or null when no spike applies. */
  errorSpikeRate(decision: string, time: number): number | null {
    let rate: number | null = null;
    for (const i of this.incidents) {
      if (i.kind === 'error_spike' && i.decision === decision && isActive(i, time)) rate = Math.max(rate ?? 0, i.errorRate);
    }
    return rate;
  }

  /** Probability that a trace with these attributes fails at its first LLM call, or null. */
  cohortFailureRate(attributes: Readonly<Record<string, string>>, time: number): number | null {
    let rate: number | null = null;
    for (const i of this.incidents) {
      if (i.kind === 'cohort_failure' && attributes[i.attribute] === i.value && isActive(i, time)) {
        rate = Math.max(rate ?? 0, i.errorRate);
      }
    }
    return rate;
  }

  /** The new decision offered at the agent's first decision point at `time`, with its share. */
  newDecision(time: number): { option: DecisionOption; share: number } | null {
    for (const i of this.incidents) {
      if (i.kind !== 'new_decision' || !isActive(i, time)) continue;
      let option = this.newOptions.get(i);
      if (option === undefined) {
        option = {
          decision: i.decision,
          weight: 0,
          confidence: 0.6,
          steps: [{ kind: 'tool', spanType: 'tool_call', name: i.decision, latency: { mu: Math.log(200), sigma: 0.5 } }],
        };
        this.newOptions.set(i, option);
      }
      return { option, share: i.share ?? 0.15 };
    }
    return null;
  }
}
