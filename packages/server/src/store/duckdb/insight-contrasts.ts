// DuckDB SQL for cohort contrasts: each attribute value against the rest of the agents that have
// it, computed in one query over the same figures as insightCohorts (insight-queries.ts), so the
// analysis receives one row per cohort instead of one per agent × value.

import type { DuckDBConnection } from '@duckdb/node-api';
import { COHORT_SIDE_COLUMNS, COHORT_SUMS, type CohortContrastRow, type CohortScan, type CohortSide } from '../store.js';
import { cohortSourceSql } from './insight-queries.js';
import { queryRows } from './read-queries.js';

const pick = (table: string, trace: string, span: string) =>
  trace === span ? `${table}.${trace}` : `CASE WHEN u.by_trace THEN ${table}.${trace} ELSE ${table}.${span} END`;

export async function readInsightCohortContrasts(conn: DuckDBConnection, q: CohortScan): Promise<CohortContrastRow[]> {
  const source = await cohortSourceSql(conn, q);
  if (source === null) return [];
  const min = Math.max(0, Math.floor(q.minCount ?? 0));
  const sums = COHORT_SUMS.map((c) => `sum(${c}) AS ${c}`).join(', ');
  // big: values that can reach minCount units (traces, or spans for keys without traces), found
  // first so only their rows are summed per agent (most user ids are small at 1M spans);
  // av: per agent × key × value of those; ak: per agent × key, every value; ku: each key's unit.
  const rows = await queryRows(
    conn,
    `WITH src AS MATERIALIZED (${source.sql}),
      big AS (SELECT key, value FROM src WHERE value <> '(other)' GROUP BY key, value
        HAVING sum(traces) >= ${min} OR (sum(traces) = 0 AND sum(spans) >= ${min})),
      av AS (SELECT agent_id, key, value, ${sums} FROM src SEMI JOIN big USING (key, value) GROUP BY agent_id, key, value),
      ak AS (SELECT agent_id, key, ${sums} FROM src GROUP BY agent_id, key),
      ku AS (SELECT key, bool_or(traces > 0) AS by_trace FROM ak GROUP BY key),
      pairs AS (
        SELECT v.key, v.value, u.by_trace, v.agent_id,
          ${COHORT_SIDE_COLUMNS.map(([f, t, s]) => `${pick('v', t, s)} AS c_${f}, ${pick('a', t, s)} AS a_${f}`).join(', ')}
        FROM av v JOIN ak a ON a.agent_id = v.agent_id AND a.key = v.key JOIN ku u ON u.key = v.key
      )
    SELECT key, value, by_trace, list(agent_id ORDER BY agent_id) AS agents,
      ${COHORT_SIDE_COLUMNS.map(([f]) => `sum(c_${f})::DOUBLE AS cohort_${f}, (sum(a_${f}) - sum(c_${f}))::DOUBLE AS rest_${f}`).join(', ')}
    FROM pairs WHERE c_n > 0
    GROUP BY key, value, by_trace
    HAVING sum(c_n) >= ${min} AND sum(a_n) - sum(c_n) >= ${min}
    ORDER BY key, value`,
    source.params,
  );
  return rows.map((r) => {
    const cohort = {} as CohortSide;
    const rest = {} as CohortSide;
    for (const [f] of COHORT_SIDE_COLUMNS) {
      cohort[f] = r[`cohort_${f}`] as number;
      rest[f] = r[`rest_${f}`] as number;
    }
    return { key: r.key as string, value: r.value as string, unit: r.by_trace ? 'trace' : 'span', agents: r.agents as string[], cohort, rest };
  });
}
