// Live tail: spans as they are committed, newest first, pausable and filterable (filters in the URL).

import { useEffect, useRef, useState } from 'preact/hooks';
import { live } from '../api/live';
import { SPAN_TYPES, type Span } from '@sightline/api';
import { CheckFilter, SelectFilter, TextFilter } from '../components/filters';
import { fmtMs, fmtTime, fmtUsd } from '../format';
import { hrefWith, useRoute } from '../state/route';

const KEEP = 500;

export function matches(s: Span, p: URLSearchParams): boolean {
  const agent = p.get('agent');
  const type = p.get('span_type');
  if (agent && s.agent_id !== agent) return false;
  if (type && s.span_type !== type) return false;
  if (p.get('errors') === '1' && !s.error_type) return false;
  return true;
}

export function LivePage() {
  const route = useRoute();
  const [spans, setSpans] = useState<Span[]>([]);
  const [paused, setPaused] = useState(false);
  const held = useRef<Span[]>([]);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const params = route.params.toString();

  useEffect(() => {
    const p = new URLSearchParams(params);
    return live.onSpans((batch) => {
      const kept = batch.filter((s) => matches(s, p)).reverse();
      if (kept.length === 0) return;
      if (pausedRef.current) held.current = [...kept, ...held.current].slice(0, KEEP);
      else setSpans((old) => [...kept, ...old].slice(0, KEEP));
    });
  }, [params]);

  const resume = () => {
    setSpans((old) => [...held.current, ...old].slice(0, KEEP));
    held.current = [];
    setPaused(false);
  };

  return (
    <div class="page">
      <h1>Live</h1>
      <form class="filters" aria-label="Live filters" onSubmit={(e) => e.preventDefault()}>
        <TextFilter name="agent" label="Agent" placeholder="support-1" />
        <SelectFilter name="span_type" label="Span type" options={SPAN_TYPES} />
        <CheckFilter name="errors" label="Errors only" />
        <button type="button" onClick={() => (paused ? resume() : setPaused(true))} aria-pressed={paused}>
          {paused ? `Resume (${held.current.length} waiting)` : 'Pause'}
        </button>
        <button type="button" class="ghost" onClick={() => setSpans([])}>
          Clear
        </button>
      </form>
      <section class="panel wide" aria-label="Live spans">
        {spans.length === 0 ? (
          <div class="state empty">Waiting for spans… New spans appear here within a second of being committed.</div>
        ) : (
          <div class="table-wrap">
            <table aria-label="Live spans" class="live-table">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Agent</th>
                  <th>Type</th>
                  <th>Name</th>
                  <th>Model</th>
                  <th>Decision</th>
                  <th class="num">Latency</th>
                  <th class="num">Cost</th>
                  <th>Error</th>
                </tr>
              </thead>
              <tbody>
                {spans.map((s) => (
                  <tr key={s.span_id + s.trace_id} class={s.error_type ? 'has-error' : ''} data-live-span={s.span_id}>
                    <td>{fmtTime(s.timestamp)}</td>
                    <td>{s.agent_id}</td>
                    <td>
                      <span class={`type-tag ${s.span_type}`}>{s.span_type.replace('_', ' ')}</span>
                    </td>
                    <td>
                      <a href={hrefWith(`/traces/${encodeURIComponent(s.trace_id)}`)}>{s.name ?? '(unnamed)'}</a>
                    </td>
                    <td>{s.model ?? '—'}</td>
                    <td>{s.decision_made ?? '—'}</td>
                    <td class="num">{fmtMs(s.latency_ms)}</td>
                    <td class="num">{s.cost_usd === null ? '—' : fmtUsd(s.cost_usd)}</td>
                    <td>{s.error_type ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
