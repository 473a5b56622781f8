// `sightline doctor [--range 24h | --from T --to T] [--grace 60s] [--json]`: the telemetry
// doctor's report from the running server's GET /api/doctor — what each source's instrumentation
// leaves out and what to set — as findings, then the per-source shares behind them.

import { formatShareOf as percent } from '@sightline/api';
import { duration } from '../query/doctor/format.js';
import type { DoctorFinding, DoctorReport, DoctorSource } from '../query/doctor/report-types.js';
import { describeWindow } from '../query/insights/sentences.js';
import { clientOf } from './client.js';
import type { Flags } from './flags.js';
import { colorEnabled, painter, table, type Paint } from './term.js';

const MARK: Record<DoctorFinding['severity'], [string, 'red' | 'yellow' | 'dim']> = {
  problem: ['✖', 'red'],
  warning: ['!', 'yellow'],
  info: ['·', 'dim'],
};

/** A share of a source's LLM calls, or '-' when it made none. */
const share = (s: DoctorSource, n: number): string => (s.llm_calls === 0 ? '-' : percent(n, s.llm_calls));

function sourcesTable(sources: readonly DoctorSource[], paint: Paint): string {
  return table(
    ['source', 'spans', 'LLM calls', 'model', 'tokens', 'cost given / computed / no price', 'session', 'decision', 'orphans', 'arrival (median)'],
    sources.map((s) => [
      s.label,
      s.spans.toLocaleString('en-US'),
      s.llm_calls.toLocaleString('en-US'),
      share(s, s.llm.with_model),
      share(s, s.llm.with_tokens),
      s.llm_calls === 0 ? '-' : `${percent(s.llm.cost_given, s.llm_calls)} / ${percent(s.llm.cost_computed, s.llm_calls)} / ${percent(s.llm.cost_no_price, s.llm_calls)}`,
      share(s, s.llm.with_session),
      share(s, s.llm.with_decision),
      s.orphans.toLocaleString('en-US'),
      duration(s.arrival_ms.median),
    ]),
    paint,
    64,
  );
}

export function doctorText(r: DoctorReport, paint: Paint): string {
  const out = [paint('bold', `Telemetry doctor · project ${r.project} · ${describeWindow(r.from, r.to)}`), ''];
  if (r.sources.length === 0) {
    out.push('No spans in this range: send some, or widen it with --range.');
    return out.join('\n');
  }
  out.push(paint('bold', r.findings.length === 0 ? 'Nothing to fix: every source sends model, tokens, cost, session and decisions.' : `What to fix (${r.findings.length})`));
  for (const f of r.findings) out.push(`  ${paint(MARK[f.severity][1], MARK[f.severity][0])} ${f.text}`);
  out.push('', paint('bold', 'Sources (shares of LLM calls)'), sourcesTable(r.sources, paint));
  if (r.unpriced_models.length > 0) {
    out.push('', paint('bold', 'Models without a price'));
    out.push(table(['model', 'provider', 'spans', 'tokens in', 'tokens out'], r.unpriced_models.map((m) => [
      m.model, m.provider ?? '-', m.spans.toLocaleString('en-US'), m.tokens_input.toLocaleString('en-US'), m.tokens_output.toLocaleString('en-US'),
    ]), paint, 64));
  }
  if (r.unread_attributes.length > 0) {
    out.push('', paint('bold', 'Attributes no mapping reads'));
    out.push(table(['attribute', 'spans', 'source'], r.unread_attributes.map((a) => [a.attribute, a.spans.toLocaleString('en-US'), a.source]), paint, 64));
  }
  if (r.orphans.total > 0) {
    out.push('', paint('bold', `Orphan spans: ${r.orphans.total.toLocaleString('en-US')} (parent not arrived after ${duration(r.grace_ms)})`));
    for (const o of r.orphans.examples) {
      out.push(`  ${new Date(o.timestamp).toISOString()}  ${o.service}  ${o.name ?? '(no name)'}  trace ${o.trace_id}  parent ${o.parent_span_id}`);
    }
  }
  return out.join('\n');
}

export async function runDoctor(flags: Flags, env: NodeJS.ProcessEnv): Promise<number> {
  const client = clientOf(flags, env);
  const params = new URLSearchParams();
  if (flags.from !== undefined) params.set('from', flags.from);
  if (flags.to !== undefined) params.set('to', flags.to);
  if (flags.from === undefined) params.set('range', flags.range ?? '24h');
  if (flags.grace !== undefined) params.set('grace', flags.grace);
  const report = await client.json<DoctorReport>(`/api/doctor?${params.toString()}`);
  console.log(flags.json ? JSON.stringify(report) : doctorText(report, painter(colorEnabled(process.stdout, env))));
  return 0;
}
