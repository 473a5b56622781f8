// Doctor: what each source's instrumentation leaves out and what to set, from the telemetry
// doctor (/api/doctor): the server's sentences first, then per source the share of LLM calls with
// model, tokens, cost, session and decision (as bars), models without a price, attributes no
// mapping reads and orphan spans. Figures are shown as the API gives them.

import type { DoctorFinding, DoctorReport, DoctorSource } from '@sightline/api';
import { qs } from '../api/client';
import { DataTable, type Column } from '../components/data-table';
import { Panel } from '../components/panel';
import { fmtDateTime, fmtMs, fmtShare } from '../format';
import { hrefWith, useRoute } from '../state/route';
import { rangeParams, timeRange } from '../state/time-range';
import { useApi } from '../state/use-api';

const SEVERITY: Record<DoctorFinding['severity'], { badge: string; label: string }> = {
  problem: { badge: 'bad', label: 'fix' },
  warning: { badge: 'warn', label: 'check' },
  info: { badge: 'info', label: 'note' },
};

function Findings({ r }: { r: DoctorReport }) {
  if (r.findings.length === 0) return <div class="state empty">Nothing to fix: every source sends model, tokens, cost, session and decisions.</div>;
  return (
    <ul class="alerts doctor-findings">
      {r.findings.map((f, i) => (
        <li key={i} data-finding={f.topic} data-severity={f.severity}>
          <span class={`badge ${SEVERITY[f.severity].badge}`}>{SEVERITY[f.severity].label}</span> <span class="finding-text">{f.text}</span>
        </li>
      ))}
    </ul>
  );
}

/** A share of the source's LLM calls as text and a bar; '—' without LLM calls. */
function Share({ s, n, field }: { s: DoctorSource; n: number; field: string }) {
  if (s.llm_calls === 0) return <span class="muted">—</span>;
  const full = n === s.llm_calls;
  return (
    <span class="share" data-share={field} data-value={n}>
      <span class={`share-bar${full ? ' full' : ''}`} aria-hidden="true">
        <span style={{ width: `${(100 * n) / s.llm_calls}%` }} />
      </span>
      {fmtShare(n, s.llm_calls)}
    </span>
  );
}

const SHARES: [keyof DoctorSource['llm'], string][] = [
  ['with_model', 'Model'],
  ['with_tokens', 'Tokens'],
  ['with_session', 'Session'],
  ['with_decision', 'Decision'],
];

function sourceColumns(): Column<DoctorSource>[] {
  return [
    { key: 'label', label: 'Source', value: (s) => s.label, render: (s) => <span data-source={s.label}>{s.label}</span> },
    { key: 'transport', label: 'Via', value: (s) => s.transport },
    { key: 'spans', label: 'Spans', value: (s) => s.spans, render: (s) => s.spans.toLocaleString('en-US'), numeric: true },
    { key: 'llm_calls', label: 'LLM calls', value: (s) => s.llm_calls, render: (s) => s.llm_calls.toLocaleString('en-US'), numeric: true },
    ...SHARES.map(([field, label]): Column<DoctorSource> => ({
      key: field,
      label,
      value: (s) => (s.llm_calls === 0 ? null : s.llm[field] / s.llm_calls),
      render: (s) => <Share s={s} n={s.llm[field]} field={field} />,
      numeric: true,
    })),
    {
      key: 'cost',
      label: 'Cost given / computed / no price',
      value: (s) => (s.llm_calls === 0 ? null : (s.llm.cost_given + s.llm.cost_computed) / s.llm_calls),
      render: (s) =>
        s.llm_calls === 0 ? '—' : `${fmtShare(s.llm.cost_given, s.llm_calls)} / ${fmtShare(s.llm.cost_computed, s.llm_calls)} / ${fmtShare(s.llm.cost_no_price, s.llm_calls)}`,
      numeric: true,
    },
    { key: 'orphans', label: 'Orphans', value: (s) => s.orphans, render: (s) => s.orphans.toLocaleString('en-US'), numeric: true },
    { key: 'arrival', label: 'Arrival (median)', value: (s) => s.arrival_ms.median, render: (s) => fmtSignedMs(s.arrival_ms.median), numeric: true },
  ];
}

/** A span ending after it arrived has a negative arrival: the sign stays visible. */
const fmtSignedMs = (ms: number): string => (ms < 0 ? `−${fmtMs(-ms)}` : fmtMs(ms));

export function DoctorPage() {
  const route = useRoute();
  const t = timeRange(route);
  // Not refreshed on every live batch: the doctor reads raw spans, and its figures move slowly.
  // ?grace=30s in the page's URL sets how late a parent may arrive (the API's default is 60 s).
  const load = useApi<DoctorReport>(`/api/doctor${qs({ ...rangeParams(t), grace: route.params.get('grace') })}`);
  const noSpans = (r: DoctorReport) => r.sources.length === 0;
  return (
    <div class="page">
      <h1>Doctor</h1>
      <p class="muted">What your instrumentation leaves out, source by source ({t.label.toLowerCase()}), and what to set so costs, sessions and decisions add up.</p>
      <div class="grid">
        <Panel title="What to fix" load={load} wide isEmpty={noSpans} empty="No spans in this time range.">
          {(r) => <Findings r={r} />}
        </Panel>
        <Panel title="Sources" load={load} wide isEmpty={noSpans} empty="No spans in this time range.">
          {(r) => (
            <>
              <DataTable rows={r.sources} columns={sourceColumns()} initialSort="spans" label="Sources" rowKey={(s) => s.label} />
              <p class="muted small">
                Shares are of each source's LLM calls. Arrival: when the server received a span after it ended (median); negative means the sender's clock runs ahead. Orphans: spans whose parent
                had not arrived {fmtMs(r.grace_ms)} after them.
              </p>
            </>
          )}
        </Panel>
        <Panel title="Models without a price" load={load} isEmpty={(r) => r.unpriced_models.length === 0} empty="Every model with tokens has a price.">
          {(r) => (
            <DataTable
              rows={r.unpriced_models}
              label="Models without a price"
              initialSort="spans"
              rowKey={(m) => `${m.model}\u0000${m.provider ?? ''}`}
              columns={[
                { key: 'model', label: 'Model', value: (m) => m.model, render: (m) => <span data-model={m.model}>{m.model}</span> },
                { key: 'provider', label: 'Provider', value: (m) => m.provider, render: (m) => m.provider ?? '—' },
                { key: 'spans', label: 'Spans', value: (m) => m.spans, render: (m) => m.spans.toLocaleString('en-US'), numeric: true },
                { key: 'tokens', label: 'Tokens', value: (m) => m.tokens_input + m.tokens_output, render: (m) => (m.tokens_input + m.tokens_output).toLocaleString('en-US'), numeric: true },
              ]}
            />
          )}
        </Panel>
        <Panel title="Attributes no mapping reads" load={load} isEmpty={(r) => r.unread_attributes.length === 0} empty="Every OTLP attribute is read by a mapping.">
          {(r) => (
            <DataTable
              rows={r.unread_attributes}
              label="Attributes no mapping reads"
              initialSort="spans"
              rowKey={(a) => `${a.source}\u0000${a.attribute}`}
              columns={[
                { key: 'attribute', label: 'Attribute', value: (a) => a.attribute, render: (a) => <code data-attribute={a.attribute}>{a.attribute}</code> },
                { key: 'spans', label: 'Spans', value: (a) => a.spans, render: (a) => a.spans.toLocaleString('en-US'), numeric: true },
                { key: 'source', label: 'Source', value: (a) => a.source },
              ]}
            />
          )}
        </Panel>
        <Panel title="Orphan spans" load={load} wide isEmpty={(r) => r.orphans.total === 0} empty="Every span's parent arrived.">
          {(r) => (
            <>
              <p data-orphans={r.orphans.total}>
                {r.orphans.total === 1 ? '1 span names' : `${r.orphans.total.toLocaleString('en-US')} spans name`} a parent that had not arrived {fmtMs(r.grace_ms)} later. The newest:
              </p>
              <ul class="alerts">
                {r.orphans.examples.map((o) => (
                  <li key={o.span_id}>
                    {fmtDateTime(o.timestamp)} · {o.service} ·{' '}
                    <a href={hrefWith(`/traces/${encodeURIComponent(o.trace_id)}`)} data-orphan-trace={o.trace_id}>
                      {o.name ?? o.span_id}
                    </a>{' '}
                    <span class="muted small">parent {o.parent_span_id}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </Panel>
      </div>
    </div>
  );
}
