// DuckDB SQL for decision counts: the rollup tables read for the decision distribution, only the
// three figures it needs and only rows with a decision (a third of the work of a full rollup read).

import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { SightlineError } from '../../model/errors.js';
import { HOUR_MS, MINUTE_MS, floorToBucket } from '../rollup.js';
import type { DecisionCountQuery, DecisionCountRow } from '../store.js';
import { filterConditions } from './read-queries.js';

export async function readInsightDecisionCounts(conn: DuckDBConnection, q: DecisionCountQuery): Promise<DecisionCountRow[]> {
  if (!Number.isInteger(q.bucketMs) || q.bucketMs <= 0 || q.bucketMs % MINUTE_MS !== 0) {
    throw new SightlineError('QUERY_INVALID', `bucketMs must be a positive multiple of 60000, got ${q.bucketMs}`);
  }
  const table = q.bucketMs % HOUR_MS === 0 ? 'rollup_hour' : 'rollup_minute';
  const where = ['project = ?', 'bucket >= ?', 'bucket < ?', 'decision_made IS NOT NULL'];
  const params: DuckDBValue[] = [q.project, BigInt(floorToBucket(q.from, q.bucketMs)), BigInt(Math.ceil(q.to))];
  filterConditions({ agent: q.agent, decision: q.decision }, where, params);
  const sql = `SELECT (bucket // ${q.bucketMs}) * ${q.bucketMs} AS b, agent_id, decision_made,
      sum(count)::DOUBLE, sum(confidence_sum), sum(confidence_count)::DOUBLE
    FROM ${table} WHERE ${where.join(' AND ')}
    GROUP BY b, agent_id, decision_made ORDER BY b, agent_id, decision_made`;
  const rows = (await conn.runAndReadAll(sql, params)).getRows();
  return rows.map((r) => ({
    bucket: Number(r[0]),
    agent_id: r[1] as string,
    decision: r[2] as string,
    count: r[3] as number,
    confidence_sum: r[4] as number,
    confidence_count: r[5] as number,
  }));
}
