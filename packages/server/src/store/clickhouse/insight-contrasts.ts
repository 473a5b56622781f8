// ClickHouse SQL for cohort contrasts, figure for figure the DuckDB query of
// ../duckdb/insight-contrasts.ts. Without CTEs a subquery named twice is computed twice, so the
// per-agent rows (insight-queries.ts's cohortSourceSql) are read once and carried up as arrays:
// per agent × key the key's totals and the values; per key its unit (any root span) and the
// agents; then ARRAY JOIN back down to agent × value rows, summed per value.

import { COHORT_SIDE_COLUMNS, COHORT_SUMS, type CohortContrastRow, type CohortScan, type CohortSide } from '../store.js';
import type { Connection } from './connection.js';
import { cohortSourceSql, type InsightTables } from './insight-queries.js';

/** Position (1-based) of a COHORT_SUMS column in the tuples below. */
const at = (c: string) => COHORT_SUMS.indexOf(c as (typeof COHORT_SUMS)[number]) + 1;
const TRACES = at('traces');

const pick = (tuple: string, trace: string, span: string) =>
  trace === span ? `tupleElement(${tuple}, ${at(trace)})` : `if(by_trace, tupleElement(${tuple}, ${at(trace)}), tupleElement(${tuple}, ${at(span)}))`;

export async function readInsightCohortContrasts(conn: Connection, t: InsightTables, q: CohortScan): Promise<CohortContrastRow[]> {
  const source = await cohortSourceSql(conn, t, q);
  if (source === null) return [];
  const min = Math.max(0, Math.floor(q.minCount ?? 0));
  const tuple = `tuple(${COHORT_SUMS.join(', ')})`;
  const perAgentKey = `SELECT agent_id, key, tuple(${COHORT_SUMS.map((c) => `sum(${c})`).join(', ')}) AS total,
      groupArray(value) AS vals, groupArray(${tuple}) AS figures
    FROM (${source}) GROUP BY agent_id, key`;
  const perKey = `SELECT key, max(tupleElement(total, ${TRACES})) > 0 AS by_trace,
      groupArray(agent_id) AS agent_list, groupArray(total) AS totals, groupArray(vals) AS val_lists, groupArray(figures) AS figure_lists
    FROM (${perAgentKey}) GROUP BY key`;
  const perAgent = `SELECT key, by_trace, agent_id, total, vals, figures
    FROM (${perKey}) ARRAY JOIN agent_list AS agent_id, totals AS total, val_lists AS vals, figure_lists AS figures`;
  const perValue = `SELECT key, by_trace, agent_id, value,
      ${COHORT_SIDE_COLUMNS.map(([f, tr, sp]) => `${pick('v', tr, sp)} AS c_${f}, ${pick('total', tr, sp)} AS a_${f}`).join(', ')}
    FROM (${perAgent}) ARRAY JOIN vals AS value, figures AS v`;
  const rows = await conn.rows(
    `SELECT key, value, by_trace, arraySort(groupArray(agent_id)) AS agents,
      ${COHORT_SIDE_COLUMNS.map(([f]) => `toFloat64(sum(c_${f})) AS cohort_${f}, toFloat64(sum(a_${f}) - sum(c_${f})) AS rest_${f}`).join(', ')}
    FROM (${perValue})
    WHERE value != '(other)' AND c_n > 0
    GROUP BY key, value, by_trace
    HAVING sum(c_n) >= ${min} AND sum(a_n) - sum(c_n) >= ${min}
    ORDER BY key, value`,
  );
  return rows.map((r) => {
    const cohort = {} as CohortSide;
    const rest = {} as CohortSide;
    for (const [f] of COHORT_SIDE_COLUMNS) {
      cohort[f] = Number(r[`cohort_${f}`]);
      rest[f] = Number(r[`rest_${f}`]);
    }
    return { key: r.key as string, value: r.value as string, unit: Number(r.by_trace) > 0 ? 'trace' : 'span', agents: r.agents as string[], cohort, rest };
  });
}
