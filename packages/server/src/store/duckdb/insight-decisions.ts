// DuckDB SQL for decision counts: the rollup tables read for the decision distribution, only the
// three figures it needs and only rows with a decision (a third of the work of a full rollup read).

import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { SightlineError } from '../../model/errors.js';
import { HOUR_MS, MINUTE_MS, floorToBucket } from '../rollup.js';
import type { DecisionCountQuery, DecisionCountRow } from '../store.js';
import { readPrepared } from './prepared.js';
import { filterConditions } from './read-queries.js';

export async function readInsightDecisionCounts(conn: DuckDBConnection, q: DecisionCountQuery): Promise<DecisionCountRow[]> {
  if (!Number.isInteger(q.bucketMs) || q.bucketMs <= 0 || q.bucketMs % MINUTE_MS !== 0) {
    throw new SightlineError('QUERY_INVALID', `bucketMs must be a positive multiple of 60000, got ${q.bucketMs}`);
  }
  const table = q.bucketMs % HOUR_MS === 0 ? 'rollup_hour' : 'rollup_minute';
  const where = ['project = ?', 'bucket >= ?', 'bucket < ?', 'decision_made IS NOT NULL'];
  const params: DuckDBValue[] = [q.project, BigInt(floorToBucket(q.from, q.bucketMs)), BigInt(Math.ceil(q.to))];
  filterConditions({ agent: q.agent, decision: q.decision }, where, params);
  // ORDER BY: the distribution's series and the conformance suite rely on bucket, agent, decision order.
  const sql = `SELECT ((bucket // ${q.bucketMs}) * ${q.bucketMs})::DOUBLE AS b, agent_id, decision_made,
      sum(count)::DOUBLE, sum(confidence_sum), sum(confidence_count)::DOUBLE
    FROM ${table} WHERE ${where.join(' AND ')}
    GROUP BY b, agent_id, decision_made ORDER BY b, agent_id, decision_made`;
  return readPrepared(conn, sql, params, (columns, r) => ({
    bucket: columns[0]!.getItem(r) as number,
    agent_id: columns[1]!.getItem(r) as string,
    decision: columns[2]!.getItem(r) as string,
    count: columns[3]!.getItem(r) as number,
    confidence_sum: columns[4]!.getItem(r) as number,
    confidence_count: columns[5]!.getItem(r) as number,
  }));
}
