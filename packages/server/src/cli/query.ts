// `sightline query <insight> [--range 24h] [--agent A] [--json]`: the Insight engine's findings
// (GET /api/insights/<insight>) as a table, or the server's JSON as is. Known insights:
// regressions, paths, cohorts (failing ones), new-decisions, correlations; any other name is
// fetched as is and its first list of findings shown.

import { SightlineError } from '../model/errors.js';
import { clientOf } from './client.js';
import type { Flags } from './main.js';
import { colorEnabled, painter, table } from './term.js';

type Row = Record<string, unknown>;

function scalar(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toPrecision(4).replace(/\.?0+$/, '');
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.every((x) => typeof x !== 'object' || x === null) ? v.join(' → ') : `[${v.length}]`;
  return JSON.stringify(v);
}

/** The findings in an answer: the answer itself when it is a list, else its first list of objects. */
export function findingsOf(body: unknown): { name: string; rows: Row[] } {
  if (Array.isArray(body)) return { name: 'findings', rows: body as Row[] };
  if (typeof body === 'object' && body !== null) {
    for (const [name, v] of Object.entries(body)) {
      if (Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x))) return { name, rows: v as Row[] };
    }
  }
  return { name: 'findings', rows: [] };
}

/** Findings as a table: columns are the keys of the rows, in first-seen order, capped at `maxColumns`. */
export function findingsTable(rows: Row[], color: boolean, maxColumns = 10): string {
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const shown = columns.slice(0, maxColumns);
  return table(shown, rows.map((r) => shown.map((c) => scalar(r[c]))), painter(color));
}

const pct = (v: unknown) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : '-');
const signedPct = (v: unknown) => (typeof v === 'number' ? `${v >= 0 ? '+' : ''}${(v * 100).toFixed(0)}%` : '-');
const usd = (v: unknown) => (typeof v === 'number' ? `$${v >= 1 ? v.toFixed(2) : v.toPrecision(3)}` : '-');
const time = (v: unknown) => (typeof v === 'number' ? new Date(v).toISOString().slice(0, 16).replace('T', ' ') : '-');

/** How a known insight is shown: its endpoint, the list of findings in the answer, and columns. */
interface InsightView {
  endpoint: string;
  list: string;
  columns: [string, (r: Row) => string][];
}

const VIEWS: Record<string, InsightView> = {
  regressions: {
    endpoint: 'regressions',
    list: 'regressions',
    columns: [
      ['group', (r) => scalar(r.group)],
      ['hour', (r) => time(r.bucket)],
      ['direction', (r) => `${scalar(r.direction)}${r.worse ? ' (worse)' : ''}`],
      ['value', (r) => scalar(r.value)],
      ['expected', (r) => scalar(r.expected)],
      ['change', (r) => signedPct(r.change)],
      ['sigma', (r) => scalar(r.sigma)],
      ['spans', (r) => scalar(r.count)],
    ],
  },
  paths: {
    endpoint: 'paths',
    list: 'paths',
    columns: [
      ['decision path', (r) => scalar(r.path)],
      ['traces', (r) => scalar(r.traces)],
      ['share', (r) => pct(r.share)],
      ['cost', (r) => usd(r.cost_usd)],
      ['per trace', (r) => usd(r.mean_cost_usd)],
      ['errors', (r) => pct(r.error_rate)],
      ['cost change', (r) => signedPct(r.cost_change)],
    ],
  },
  cohorts: {
    endpoint: 'cohorts',
    list: 'failing',
    columns: [
      ['cohort', (r) => `${scalar(r.key)}=${scalar(r.value)}`],
      ['unit', (r) => scalar(r.unit)],
      ['n', (r) => scalar(r.n)],
      ['error rate', (r) => pct(r.error_rate)],
      ['rest', (r) => pct(r.rest_error_rate)],
      ['lift', (r) => scalar(r.lift)],
      ['q', (r) => scalar(r.q)],
    ],
  },
  'new-decisions': {
    endpoint: 'decisions',
    list: 'new_decisions',
    columns: [
      ['agent', (r) => scalar(r.agent)],
      ['decision', (r) => scalar(r.decision)],
      ['first seen', (r) => time(r.first_seen)],
      ['count', (r) => scalar(r.count)],
    ],
  },
  correlations: {
    endpoint: 'correlations',
    list: 'findings',
    columns: [
      ['finding', (r) => scalar(r.sentence)],
      ['score', (r) => scalar(r.score)],
    ],
  },
};
VIEWS.decisions = VIEWS['new-decisions']!;
VIEWS['failing-cohorts'] = VIEWS.cohorts!;

export const INSIGHT_NAMES = Object.keys(VIEWS);

/** The answer of a known insight as its table, or any answer as a generic one. */
export function insightTable(insight: string, body: unknown, color: boolean): { name: string; text: string | null } {
  const view = VIEWS[insight];
  if (view === undefined) {
    const { name, rows } = findingsOf(body);
    return { name, text: rows.length === 0 ? null : findingsTable(rows, color) };
  }
  const rows = ((body as Record<string, unknown>)[view.list] ?? []) as Row[];
  if (rows.length === 0) return { name: view.list.replace(/_/g, ' '), text: null };
  return {
    name: view.list,
    text: table(view.columns.map(([h]) => h), rows.map((r) => view.columns.map(([, f]) => f(r))), painter(color), 64),
  };
}

export async function runQuery(rest: string[], flags: Flags, env: NodeJS.ProcessEnv): Promise<number> {
  const [insight] = rest;
  if (insight === undefined || !/^[a-z][a-z0-9_-]{0,63}$/.test(insight)) {
    throw new SightlineError('CONFIG_INVALID', 'query: name an insight, e.g. sightline query regressions --range 24h (see sightline --help)');
  }
  const client = clientOf(flags, env);
  const params = new URLSearchParams({ range: flags.range ?? '24h' });
  if (flags.agent !== undefined) params.set('agent', flags.agent);
  let body: unknown;
  try {
    body = await client.json(`/api/insights/${VIEWS[insight]?.endpoint ?? insight}?${params}`);
  } catch (err) {
    if (err instanceof SightlineError && err.code === 'NOT_FOUND') {
      throw new SightlineError('NOT_FOUND', `the server has no insight "${insight}" (${err.message})`);
    }
    throw err;
  }
  if (flags.json) {
    console.log(JSON.stringify(body));
    return 0;
  }
  const { name, text } = insightTable(insight, body, colorEnabled(process.stdout, env));
  console.log(text ?? `no ${name} over the last ${flags.range ?? '24h'}`);
  return 0;
}
