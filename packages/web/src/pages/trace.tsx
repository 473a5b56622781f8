// One trace as a waterfall: spans in tree order, bars placed by start and latency; selecting a
// span shows its model, tokens, cost, decision, confidence, error, attributes and content.
// Everything user-supplied is rendered as text (Preact escapes it), never as HTML.

import { useState } from 'preact/hooks';
import type { Span, TraceDetail, TraceNode } from '@sightline/api';
import { Panel } from '../components/panel';
import { fmtDateTime, fmtMs, fmtUsd } from '../format';
import { hrefWith } from '../state/route';
import { useApi } from '../state/use-api';

interface Row {
  span: Span;
  depth: number;
}

export function flatten(detail: TraceDetail): Row[] {
  const byId = new Map(detail.spans.map((s) => [s.span_id, s]));
  const rows: Row[] = [];
  const walk = (nodes: TraceNode[], depth: number) => {
    const sorted = [...nodes].sort((a, b) => (byId.get(a.span_id)?.timestamp ?? 0) - (byId.get(b.span_id)?.timestamp ?? 0));
    for (const n of sorted) {
      const span = byId.get(n.span_id);
      if (span) rows.push({ span, depth });
      walk(n.children, depth + 1);
    }
  };
  walk(detail.tree, 0);
  return rows;
}

function Waterfall({ detail }: { detail: TraceDetail }) {
  const rows = flatten(detail);
  const start = Math.min(...detail.spans.map((s) => s.timestamp));
  const end = Math.max(...detail.spans.map((s) => s.timestamp + s.latency_ms));
  const total = Math.max(1, end - start);
  const [selected, setSelected] = useState<string>(rows[0]?.span.span_id ?? '');
  const span = detail.spans.find((s) => s.span_id === selected) ?? rows[0]?.span;
  return (
    <div class="trace-view">
      <div class="waterfall" role="list" aria-label="Spans in time order">
        <div class="wf-scale" aria-hidden="true">
          <span>0</span>
          <span>{fmtMs(total / 2)}</span>
          <span>{fmtMs(total)}</span>
        </div>
        {rows.map(({ span: s, depth }) => (
          <button
            type="button"
            role="listitem"
            key={s.span_id}
            class={`wf-row${s.span_id === span?.span_id ? ' selected' : ''}${s.error_type ? ' error' : ''}`}
            aria-pressed={s.span_id === span?.span_id}
            data-span={s.span_id}
            onClick={() => setSelected(s.span_id)}
          >
            <span class="wf-label" style={{ paddingLeft: `${depth * 14}px` }}>
              <span class={`type-tag ${s.span_type}`}>{s.span_type.replace('_', ' ')}</span> {s.name ?? '(unnamed)'}
              {s.decision_made !== null && <span class="muted"> = {s.decision_made}</span>}
            </span>
            <span class="wf-track">
              <span class={`wf-bar ${s.span_type}`} style={{ left: `${((s.timestamp - start) / total) * 100}%`, width: `${Math.max(0.4, (s.latency_ms / total) * 100)}%` }} />
            </span>
            <span class="wf-dur">{fmtMs(s.latency_ms)}</span>
          </button>
        ))}
      </div>
      {span && <SpanDetail span={span} />}
    </div>
  );
}

function SpanDetail({ span: s }: { span: Span }) {
  const fields: [string, string][] = [
    ['type', s.span_type],
    ['agent', s.agent_id],
    ['started', fmtDateTime(s.timestamp)],
    ['latency', fmtMs(s.latency_ms)],
    ['model', s.model ? `${s.model}${s.provider ? ` (${s.provider})` : ''}` : '—'],
    ['tokens in / out', `${s.tokens_input} / ${s.tokens_output}${s.tokens_cache_read ? ` (cached ${s.tokens_cache_read})` : ''}${s.tokens_reasoning ? ` (reasoning ${s.tokens_reasoning})` : ''}`],
    ['cost', s.cost_usd === null ? '—' : `${fmtUsd(s.cost_usd)} (${s.cost_source})`],
    ['decision', s.decision_made ?? '—'],
    ['confidence', s.confidence === null ? '—' : s.confidence.toFixed(2)],
    ['session / user', `${s.session_id ?? '—'} / ${s.user_id ?? '—'}`],
    ['span id', s.span_id],
  ];
  return (
    <aside class="span-detail" aria-label="Selected span">
      <h3>{s.name ?? '(unnamed span)'}</h3>
      {s.error_type && (
        <p class="error-box" role="note">
          <strong>{s.error_type}</strong>
          {s.error_message ? `: ${s.error_message}` : ''}
        </p>
      )}
      <dl>
        {fields.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {Object.keys(s.attributes).length > 0 && (
        <>
          <h4>Attributes</h4>
          <pre class="attrs">{JSON.stringify(s.attributes, null, 2)}</pre>
        </>
      )}
      {s.input !== null && (
        <>
          <h4>Input</h4>
          <pre class="content">{s.input}</pre>
        </>
      )}
      {s.output !== null && (
        <>
          <h4>Output</h4>
          <pre class="content">{s.output}</pre>
        </>
      )}
    </aside>
  );
}

export function TracePage({ id }: { id: string }) {
  // The trace's start, when we came from a list: lets the server skip row groups by time.
  const at = new URLSearchParams(location.search).get('at');
  const detail = useApi<TraceDetail>(`/api/traces/${encodeURIComponent(id)}${at && /^\d+$/.test(at) ? `?at=${at}` : ''}`);
  return (
    <div class="page">
      <p>
        <a href={hrefWith('/traces', ['range', 'from', 'to', 'agent', 'decision', 'errors', 'min_latency_ms', 'min_cost_usd'])}>← Traces</a>
      </p>
      <h1>
        Trace <code>{id}</code>
      </h1>
      <Panel title="Waterfall" load={detail} wide>
        {(d) => {
          const cost = d.spans.reduce((a, s) => a + (s.cost_usd ?? 0), 0);
          const errors = d.spans.filter((s) => s.error_type).length;
          return (
            <>
              <p class="trace-summary">
                {d.spans.length} spans · {fmtUsd(cost)} · {errors} error{errors === 1 ? '' : 's'} · agent {d.spans[0]?.agent_id}
              </p>
              <Waterfall detail={d} />
            </>
          );
        }}
      </Panel>
    </div>
  );
}
