// Trace search: filters (content, attribute value, agent, decision, session, user, errors,
// latency, cost, time) kept in the URL; a table of matching traces, newest first; each opens its
// trace.

import { qs } from '../api/client';
import type { TraceSummary } from '@sightline/api';
import { CheckFilter, TextFilter } from '../components/filters';
import { Panel } from '../components/panel';
import { fmtDateTime, fmtMs, fmtUsd } from '../format';
import { hrefWith, useRoute } from '../state/route';
import { rangeParams, timeRange } from '../state/time-range';
import { useApi, useLiveTick } from '../state/use-api';

/** The dashboard's `attr=key=value` as the API's `attr.key=value`; null when it names no key. */
export function attributeParam(raw: string | null): Record<string, string> {
  if (raw === null) return {};
  const at = raw.indexOf('=');
  if (at <= 0) return {};
  return { [`attr.${raw.slice(0, at).trim()}`]: raw.slice(at + 1).trim() };
}

export function tracesUrl(params: URLSearchParams, range: Record<string, string>, limit = 100): string {
  return `/api/traces${qs({
    ...range,
    agent: params.get('agent'),
    decision: params.get('decision'),
    errors: params.get('errors') === '1' ? '1' : null,
    min_latency_ms: params.get('min_latency_ms'),
    min_cost_usd: params.get('min_cost_usd'),
    text: params.get('text'),
    session_id: params.get('session_id'),
    user_id: params.get('user_id'),
    ...attributeParam(params.get('attr')),
    limit,
  })}`;
}

export function TraceTable({ traces }: { traces: TraceSummary[] }) {
  return (
    <div class="table-wrap">
      <table aria-label="Traces">
        <thead>
          <tr>
            <th>Started</th>
            <th>Agent</th>
            <th>Root</th>
            <th>Decisions</th>
            <th class="num">Spans</th>
            <th class="num">Duration</th>
            <th class="num">Cost</th>
            <th class="num">Tokens</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {traces.map((t) => (
            <tr key={t.trace_id} class={t.error_count > 0 ? 'has-error' : ''}>
              <td>
                <a href={hrefWith(`/traces/${encodeURIComponent(t.trace_id)}`, undefined, { at: String(t.start) })} data-trace={t.trace_id}>
                  {fmtDateTime(t.start)}
                </a>
              </td>
              <td>{t.agent_id}</td>
              <td>{t.root_name ?? '—'}</td>
              <td class="path">{t.decisions.join(' → ') || '—'}</td>
              <td class="num">{t.span_count}</td>
              <td class="num">{fmtMs(t.duration_ms)}</td>
              <td class="num">{fmtUsd(t.cost_usd)}</td>
              <td class="num">{t.tokens.toLocaleString('en-US')}</td>
              <td>{t.error_count > 0 ? <span class="badge bad">{t.error_count} error{t.error_count > 1 ? 's' : ''}</span> : <span class="badge good">ok</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function TracesPage() {
  const route = useRoute();
  const t = timeRange(route);
  const tick = useLiveTick(t.relative);
  const traces = useApi<{ traces: TraceSummary[] }>(tracesUrl(route.params, rangeParams(t)), tick);
  return (
    <div class="page">
      <h1>Traces</h1>
      <form class="filters" aria-label="Trace filters" onSubmit={(e) => e.preventDefault()}>
        <TextFilter name="text" label="Content" placeholder="refund" />
        <TextFilter name="attr" label="Attribute" placeholder="region=eu-west" />
        <TextFilter name="agent" label="Agent" placeholder="support-1" />
        <TextFilter name="decision" label="Decision" placeholder="refund" />
        <TextFilter name="min_latency_ms" label="Min latency (ms)" type="number" />
        <TextFilter name="min_cost_usd" label="Min cost ($)" type="number" />
        <TextFilter name="session_id" label="Session" placeholder="sess-…" />
        <TextFilter name="user_id" label="User" placeholder="user-42" />
        <CheckFilter name="errors" label="Errors only" />
      </form>
      <Panel title="Matching traces" load={traces} wide isEmpty={(r) => r.traces.length === 0} empty="No trace matches these filters in this time range.">
        {(r) => <TraceTable traces={r.traces} />}
      </Panel>
    </div>
  );
}
