// Scheduled, labelled incidents: what the simulator injects, and exactly when, so that tests of
// the insight and alert engines can assert that each one is found.

interface IncidentBase {
  /** Stable id; defaults to `inc-<n>` in schedule order. */
  id?: string;
  /** Human-readable description; a default is derived from the fields. */
  label?: string;
  /** Epoch ms, inclusive. */
  start: number;
}

/** Traces that take `decision` (of `agent`, or of any agent) fail with probability `errorRate`. */
export interface ErrorSpikeIncident extends IncidentBase {
  kind: 'error_spike';
  agent?: string;
  decision: string;
  durationMs: number;
  errorRate: number;
}

/** Every call to `model` takes `factor` times longer. */
export interface LatencyRegressionIncident extends IncidentBase {
  kind: 'latency_regression';
  model: string;
  durationMs: number;
  factor: number;
}

/** Calls to `model` (by `agent`, or by any agent) use `factor` times more input and output tokens. */
export interface CostDriftIncident extends IncidentBase {
  kind: 'cost_drift';
  agent?: string;
  model: string;
  durationMs: number;
  factor: number;
}

/** `agent` starts choosing `decision`, never seen before, at its first decision point. */
export interface NewDecisionIncident extends IncidentBase {
  kind: 'new_decision';
  agent: string;
  decision: string;
  /** Absent: the decision stays for good. */
  durationMs?: number;
  /** Share of the agent's traces that take the new decision; default 0.15. */
  share?: number;
}

/** `agent`'s LLM calls take `factor` times more input tokens and give `factor` times fewer output tokens. */
export interface TokenEfficiencyDropIncident extends IncidentBase {
  kind: 'token_efficiency_drop';
  agent: string;
  durationMs: number;
  factor: number;
}

/** Traces whose `attribute` equals `value` fail at their first LLM call with probability `errorRate`. */
export interface CohortFailureIncident extends IncidentBase {
  kind: 'cohort_failure';
  attribute: 'input_category' | 'prompt_version' | 'region';
  value: string;
  errorRate: number;
  durationMs: number;
}

export type Incident =
  | ErrorSpikeIncident
  | LatencyRegressionIncident
  | CostDriftIncident
  | NewDecisionIncident
  | TokenEfficiencyDropIncident
  | CohortFailureIncident;

/** An incident as scheduled: id and label filled in, end computed (null: never ends). */
export type LabelledIncident = Incident & { id: string; label: string; end: number | null };

/** Fills ids, labels and ends; order is preserved. */
export function labelIncidents(incidents: readonly Incident[]): LabelledIncident[] {
  return incidents.map((incident, i) => ({
    ...incident,
    id: incident.id ?? `inc-${i + 1}`,
    label: incident.label ?? describeIncident(incident),
    end: incident.durationMs === undefined ? null : incident.start + incident.durationMs,
  }));
}

export function describeIncident(incident: Incident): string {
  const who = 'agent' in incident && incident.agent !== undefined ? ` (${incident.agent})` : '';
  switch (incident.kind) {
    case 'error_spike':
      return `error spike: ${pct(incident.errorRate)} of '${incident.decision}' decisions fail${who}`;
    case 'latency_regression':
      return `latency regression: ${incident.model} ×${incident.factor}`;
    case 'cost_drift':
      return `cost drift: ${incident.model} uses ×${incident.factor} tokens${who}`;
    case 'new_decision':
      return `new decision: '${incident.decision}' appears${who}`;
    case 'token_efficiency_drop':
      return `token efficiency drop: input ×${incident.factor}, output ÷${incident.factor}${who}`;
    case 'cohort_failure':
      return `cohort failure: ${pct(incident.errorRate)} of ${incident.attribute}=${incident.value} traces fail`;
  }
}

function pct(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

/** Whether the incident is in effect at `time` (start inclusive, end exclusive). */
export function isActive(incident: LabelledIncident, time: number): boolean {
  return time >= incident.start && (incident.end === null || time < incident.end);
}

/**
 * Finds the incidents that may be active during a time span quickly: the schedule is sorted by
 * start, and a span looks only at incidents starting before it ends.
 */
export class IncidentSchedule {
  private readonly byStart: LabelledIncident[];
  private readonly openEnded: LabelledIncident[];
  private readonly longest: number;

  constructor(incidents: readonly LabelledIncident[]) {
    this.openEnded = incidents.filter((i) => i.end === null);
    this.byStart = incidents.filter((i) => i.end !== null).sort((a, b) => a.start - b.start);
    this.longest = this.byStart.reduce((m, i) => Math.max(m, (i.end ?? 0) - i.start), 0);
  }

  /** Incidents overlapping [from, to). */
  overlapping(from: number, to: number): LabelledIncident[] {
    const out = this.openEnded.filter((i) => i.start < to);
    // First incident that could still be running at `from`.
    let lo = 0;
    let hi = this.byStart.length;
    const earliest = from - this.longest;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.byStart[mid]!.start < earliest) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < this.byStart.length; k++) {
      const incident = this.byStart[k]!;
      if (incident.start >= to) break;
      if (incident.end! > from) out.push(incident);
    }
    return out;
  }
}
