// The Agents table in one query: each agent's KPIs over a range (exact to the minute, like the
// overview filtered to that agent) and when it was last seen, instead of one overview per agent.

import type { AgentRow, AgentTableReply } from '@sightline/api';
import { addFigures, emptyFigures, type Figures } from '../store/figures.js';
import type { SpanStore } from '../store/span-store.js';
import type { SpanFilter } from '../store/store.js';
import { metricValue } from './aggregate.js';
import { HOUR, MINUTE, readRollupsExact } from './read-rollups.js';

/** The reply of GET /api/agents, as the API contract (@sightline/api) declares it. */
export type AgentTable = AgentTableReply;
export type { AgentRow };


/** Latest bucket end per agent among rows with spans. */
function lastBuckets(rows: { bucket: number; group: (string | null)[]; count: number }[], widthMs: number, to: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    if (r.count <= 0) continue;
    const agent = r.group[0] ?? '';
    const end = Math.min(r.bucket + widthMs, to);
    if (end > (out.get(agent) ?? -Infinity)) out.set(agent, end);
  }
  return out;
}

/** Agents with spans in [from, to), most spans first. */
export async function agentTable(store: SpanStore, project: string, from: number, to: number, filter: SpanFilter = {}): Promise<AgentTable> {
  // Minute rows from the start of the previous hour: at least an hour of them, and every hour
  // row read for older spans ends at or before their start.
  const recentFrom = Math.floor(Math.max(from, Math.floor(to / HOUR) * HOUR - HOUR) / MINUTE) * MINUTE;
  const [totals, hours, minutes] = await Promise.all([
    readRollupsExact(store, { project, from, to, groupBy: ['agent'], filter, collapse: true }),
    store.rollup({ project, from: Math.floor(from / HOUR) * HOUR, to, bucketMs: HOUR, groupBy: ['agent'], filter, histogram: false }),
    store.rollup({ project, from: recentFrom, to, bucketMs: MINUTE, groupBy: ['agent'], filter, histogram: false }),
  ]);
  const byAgent = new Map<string, Figures>();
  for (const r of totals) {
    const agent = r.group[0] ?? '';
    let t = byAgent.get(agent);
    if (!t) byAgent.set(agent, (t = emptyFigures()));
    addFigures(t, r);
  }
  const lastHour = lastBuckets(hours.filter((r) => r.bucket + HOUR > from), HOUR, to);
  const lastMinute = lastBuckets(minutes, MINUTE, to);
  const agents: AgentRow[] = [];
  for (const [agent, t] of byAgent) {
    if (t.count === 0) continue;
    agents.push({
      agent,
      spans: t.count,
      errors: t.errors,
      error_rate: metricValue('error_rate', t),
      latency_p95_ms: metricValue('latency_p95', t),
      cost_usd: t.cost_usd,
      tokens: t.tokens_input + t.tokens_output,
      last_seen: lastMinute.get(agent) ?? lastHour.get(agent) ?? null,
    });
  }
  agents.sort((a, b) => b.spans - a.spans || (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));
  return { from, to, agents };
}
