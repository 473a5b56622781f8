// One agent's decisions over time: its few most frequent decisions and "other" for the rest,
// stacked as decisions per minute, so the mix and the volume read together. One agent at a time
// (picked from a list, the agent whose entropy dropped first) instead of every decision of every
// agent in one 100 % area, where nineteen colours answered nothing.

import { useState } from 'preact/hooks';
import type { Series } from '@sightline/api';
import { TimeChart } from '../components/time-chart';
import { fmtPercent } from '../format';
import { coveredMs } from './fleet-view';
import type { AgentDistribution, DecisionReport } from '@sightline/api';

/** Decisions shown by name per agent; the rest are summed as "other". */
export const TOP_DECISIONS = 4;

/** The decisions an agent's chart names: its most frequent, all of them when only one would be "other". */
export function topDecisions(a: AgentDistribution, top = TOP_DECISIONS): string[] {
  const ranked = [...a.decisions].sort((x, y) => y.count - x.count || (x.decision < y.decision ? -1 : 1)).map((d) => d.decision);
  return ranked.length <= top + 1 ? ranked : ranked.slice(0, top);
}

/** Decisions per minute of an agent, per bucket: its top decisions and "other" (the newest bucket over the time it has had). */
export function decisionMix(a: AgentDistribution, intervalMs: number, now: number, top = TOP_DECISIONS): Series[] {
  const shown = topDecisions(a, top);
  const perMin = (b: { bucket: number }, n: number) => n / (coveredMs(b.bucket, intervalMs, now) / 60_000);
  const out: Series[] = shown.map((d) => ({ group: d, points: a.series.map((b) => [b.bucket, perMin(b, b.total * (b.shares[d] ?? 0))]) }));
  if (a.decisions.length > shown.length) {
    out.push({ group: 'other', points: a.series.map((b) => [b.bucket, perMin(b, b.total * Math.max(0, 1 - shown.reduce((s, d) => s + (b.shares[d] ?? 0), 0)))]) });
  }
  return out;
}

/** The agent shown first: the first whose entropy dropped, else the one with the most decisions. */
export function defaultAgent(r: DecisionReport): string | null {
  const drop = r.entropy_drops[0]?.agent;
  if (drop) return drop;
  const total = (a: AgentDistribution) => a.decisions.reduce((s, d) => s + d.count, 0);
  return [...r.agents].sort((x, y) => total(y) - total(x) || (x.agent < y.agent ? -1 : 1))[0]?.agent ?? null;
}

/** One sentence under the chart: what "other" holds. */
export function mixCaption(a: AgentDistribution, top = TOP_DECISIONS): string {
  const shown = topDecisions(a, top);
  const total = a.decisions.reduce((s, d) => s + d.count, 0);
  const kinds = a.decisions.length;
  if (kinds === shown.length) return `${a.agent} made ${kinds} different decision${kinds === 1 ? '' : 's'} in this range; all are shown.`;
  const rest = a.decisions.filter((d) => !shown.includes(d.decision)).reduce((s, d) => s + d.count, 0);
  return `${a.agent} made ${kinds} different decisions in this range; the ${shown.length} most frequent are shown, "other" holds the remaining ${kinds - shown.length} (${fmtPercent(rest / total)} of its decisions).`;
}

export function DecisionMix({ report, intervalMs }: { report: DecisionReport; intervalMs: number }) {
  const [picked, setPicked] = useState<string | null>(null);
  const agents = [...report.agents].sort((a, b) => (a.agent < b.agent ? -1 : 1));
  const agent = agents.find((a) => a.agent === picked) ?? agents.find((a) => a.agent === defaultAgent(report))!;
  return (
    <div class="decision-mix" data-mix-agent={agent.agent}>
      <div class="band-controls">
        <label class="filter">
          agent
          <select aria-label="Decisions of agent" value={agent.agent} onChange={(e) => setPicked((e.target as HTMLSelectElement).value)}>
            {agents.map((a) => (
              <option key={a.agent} value={a.agent}>
                {a.agent}
              </option>
            ))}
          </select>
        </label>
        <span class="muted small" data-mix-caption>
          {mixCaption(agent)}
        </span>
      </div>
      <TimeChart title="Decisions per agent" series={decisionMix(agent, intervalMs, Date.now())} unit="count" yLabel="decisions / min" stacked intervalMs={intervalMs} />
    </div>
  );
}
