// Decision counts on ClickHouse: the rollup read of read-queries.ts grouped by agent and decision,
// rows without a decision left out, so both backends answer from the same rollup layout rules.

import type { DecisionCountQuery, DecisionCountRow } from '../store.js';
import type { Connection } from './connection.js';
import { readRollup } from './read-queries.js';

export async function readInsightDecisionCounts(conn: Connection, rollups: { minute: string; hour: string }, q: DecisionCountQuery): Promise<DecisionCountRow[]> {
  const rows = await readRollup(conn, rollups, {
    project: q.project,
    from: q.from,
    to: q.to,
    bucketMs: q.bucketMs,
    groupBy: ['agent', 'decision'],
    filter: { has_decision: true, ...(q.agent !== undefined && { agent: q.agent }), ...(q.decision !== undefined && { decision: q.decision }) },
    histogram: false,
  });
  const out: DecisionCountRow[] = [];
  for (const r of rows) {
    const [agent, decision] = r.group;
    if (agent === null || agent === undefined || decision === null || decision === undefined) continue;
    out.push({ bucket: r.bucket, agent_id: agent, decision, count: r.count, confidence_sum: r.confidence_sum, confidence_count: r.confidence_count });
  }
  return out;
}
