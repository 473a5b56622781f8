// One trace: the conversation at its centre (the prompt and output of its last model call with
// captured content), then a waterfall of every span. The waterfall reads the trace's outline (no
// content or attributes), draws only the rows in view (a trace of 10,000 spans keeps a few dozen
// rows in the DOM) and folds subtrees; selecting a span fetches it in full for the detail pane.
// Scores of the trace and its spans sit between the two (trace-scores.tsx), the selected span's
// also in its detail pane, with the reviewer's form for keys that may score.
// Everything user-supplied is rendered as text (Preact escapes it), never as HTML.

import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Score, Span, TraceScoresReply } from '@sightline/api';
import { ConversationView, FoldedText } from '../components/conversation-view';
import { ScoreTable } from '../components/score-table';
import { Panel } from '../components/panel';
import { fmtDateTime, fmtMs, fmtUsd } from '../format';
import { hrefWith } from '../state/route';
import { useApi } from '../state/use-api';
import { conversationOf } from './conversation';
import { decodeOutline, outlineUrl, visibleRows, type OutlineBody, type OutlineSpan, type TraceOutline } from './trace-outline';
import { mergeScores, TraceScores } from './trace-scores';

/** Row height in px (styles.css .wf-line); rows are placed by index, so it must match. */
const ROW_PX = 24;
/** Rows drawn above and below the visible ones, so scrolling does not show gaps. */
const OVERSCAN = 10;
/** The waterfall's scroll box is at most this tall. */
const MAX_HEIGHT_PX = 600;

function markPainted(): void {
  if (document.body.dataset.waterfallPainted) return;
  // Called as the rows enter the DOM (a layout effect), so the next frame is the one that paints
  // them; a timeout queued from that frame's callback runs after its paint. (A plain effect already
  // waits for a painted frame in Preact, and timing from it would count a second frame.)
  requestAnimationFrame(() =>
    setTimeout(() => {
      performance.mark('waterfall-painted');
      document.body.dataset.waterfallPainted = '1';
    }),
  );
}

function Waterfall({ outline, selected, onSelect }: { outline: TraceOutline; selected: string; onSelect: (id: string) => void }) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [scrollTop, setScrollTop] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const shown = useMemo(() => visibleRows(outline.rows, collapsed), [outline, collapsed]);
  const total = Math.max(1, outline.end - outline.start);
  const height = Math.min(MAX_HEIGHT_PX, shown.length * ROW_PX);
  const first = Math.max(0, Math.floor(scrollTop / ROW_PX) - OVERSCAN);
  const last = Math.min(shown.length, Math.ceil((scrollTop + height) / ROW_PX) + OVERSCAN);
  useLayoutEffect(markPainted, []);
  const toggle = (id: string) => {
    const next = new Set(collapsed);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setCollapsed(next);
  };
  return (
    <div class="waterfall">
      <div class="wf-scale" aria-hidden="true">
        <span>0</span>
        <span>{fmtMs(total / 2)}</span>
        <span>{fmtMs(total)}</span>
      </div>
      <div
        class="wf-box"
        ref={box}
        style={{ height: `${height}px` }}
        role="list"
        aria-label="Spans in time order"
        data-rows={shown.length}
        onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}
      >
        <div class="wf-spacer" style={{ height: `${shown.length * ROW_PX}px` }}>
          {shown.slice(first, last).map((index, k) => {
            const { span: s, depth, descendants } = outline.rows[index]!;
            const isCollapsed = collapsed.has(s.span_id);
            return (
              <div class="wf-line" role="listitem" key={s.span_id} style={{ top: `${(first + k) * ROW_PX}px` }}>
                {descendants > 0 && (
                  <button
                    type="button"
                    class="wf-toggle"
                    style={{ left: `${depth * 14}px` }}
                    aria-expanded={!isCollapsed}
                    aria-label={`${isCollapsed ? 'Expand' : 'Collapse'} ${s.name ?? 'span'} (${descendants} span${descendants === 1 ? '' : 's'} below)`}
                    onClick={() => toggle(s.span_id)}
                  >
                    {isCollapsed ? '▸' : '▾'}
                  </button>
                )}
                <button
                  type="button"
                  class={`wf-row${s.span_id === selected ? ' selected' : ''}${s.error_type ? ' error' : ''}`}
                  aria-pressed={s.span_id === selected}
                  data-span={s.span_id}
                  onClick={() => onSelect(s.span_id)}
                >
                  <span class="wf-label" style={{ paddingLeft: `${depth * 14 + 16}px` }}>
                    <span class={`type-tag ${s.span_type}`}>{s.span_type.replace('_', ' ')}</span> {s.name ?? '(unnamed)'}
                    {s.decision_made !== null && <span class="muted"> = {s.decision_made}</span>}
                    {isCollapsed && <span class="muted"> (+{descendants})</span>}
                  </span>
                  <span class="wf-track">
                    <span
                      class={`wf-bar ${s.span_type}`}
                      style={{ left: `${((s.timestamp - outline.start) / total) * 100}%`, width: `${Math.max(0.4, (s.latency_ms / total) * 100)}%` }}
                    />
                  </span>
                  <span class="wf-dur">{fmtMs(s.latency_ms)}</span>
                </button>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function spanUrl(traceId: string, spanId: string, start: number): string {
  return `/api/traces/${encodeURIComponent(traceId)}/spans/${encodeURIComponent(spanId)}?at=${start}`;
}

function SpanFields({ s }: { s: Span }) {
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
    <dl>
      {fields.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function SpanDetail({ traceId, outline, start, scores }: { traceId: string; outline: OutlineSpan; start: number; scores: Score[] }) {
  const load = useApi<Span>(spanUrl(traceId, outline.span_id, start));
  const s = load.status === 'ok' ? load.data : null;
  const messages = s === null ? [] : conversationOf(s);
  return (
    <aside class="span-detail" aria-label="Selected span">
      <h3>{outline.name ?? '(unnamed span)'}</h3>
      {s !== null && (s.error_type !== null || s.error_message !== null) && (
        <p class="error-box" role="note">
          <strong>{s.error_type ?? 'error'}</strong>
          {s.error_message ? `: ${s.error_message}` : ''}
        </p>
      )}
      {load.status === 'error' && <div class="state error" role="alert">Could not load the span: {load.error.message}</div>}
      {s === null ? load.status === 'loading' && <div class="state loading">Loading span…</div> : (
        <>
          <SpanFields s={s} />
          {scores.length > 0 && (
            <>
              <h4>Scores of this span</h4>
              <ScoreTable scores={scores} label="Span scores" />
            </>
          )}
          {messages.length > 0 && (
            <>
              <h4>Conversation</h4>
              <ConversationView messages={messages} />
            </>
          )}
          {Object.keys(s.attributes).length > 0 && (
            <>
              <h4>Attributes</h4>
              <FoldedText class="attrs" text={JSON.stringify(s.attributes, null, 2)} />
            </>
          )}
        </>
      )}
    </aside>
  );
}

/** The span whose content best tells what the trace was asked and answered: its last model call with content, else its first span with content. */
export function centreSpan(spans: OutlineSpan[]): OutlineSpan | null {
  let centre: OutlineSpan | null = null;
  for (const s of spans) if (s.has_content && s.span_type === 'llm_call') centre = s;
  return centre ?? spans.find((s) => s.has_content) ?? null;
}

function TraceConversation({ traceId, span, start }: { traceId: string; span: OutlineSpan; start: number }) {
  const load = useApi<Span>(spanUrl(traceId, span.span_id, start));
  return (
    <Panel title="Conversation" load={load} wide isEmpty={(s) => conversationOf(s).length === 0} empty="This span's content could not be read as a conversation.">
      {(s) => (
        <>
          <p class="muted conversation-source">
            Prompt and output of <strong>{s.name ?? '(unnamed span)'}</strong> ({s.span_type.replace('_', ' ')}{s.model ? `, ${s.model}` : ''})
          </p>
          <ConversationView messages={conversationOf(s)} />
        </>
      )}
    </Panel>
  );
}

function TraceBody({ traceId, body }: { traceId: string; body: OutlineBody }) {
  const outline = useMemo(() => decodeOutline(body), [body]);
  const [selected, setSelected] = useState(outline.rows[0]?.span.span_id ?? '');
  const selectedSpan = outline.spans.find((s) => s.span_id === selected) ?? outline.rows[0]?.span;
  const cost = outline.spans.reduce((a, s) => a + (s.cost_usd ?? 0), 0);
  const errors = outline.spans.filter((s) => s.error_type).length;
  const centre = centreSpan(outline.spans);
  const [stored, setStored] = useState<Score[]>([]);
  // A stored score is shown from the POST's reply at once; the list is then read again.
  const scores = useApi<TraceScoresReply>(`/api/traces/${encodeURIComponent(traceId)}/scores`, stored.length);
  const allScores = scores.status === 'ok' ? mergeScores(stored, scores.data.scores) : stored;
  const spanNames = useMemo(() => new Map(outline.spans.map((s) => [s.span_id, s.name ?? s.span_id])), [outline]);
  return (
    <>
      {centre !== null && <TraceConversation traceId={traceId} span={centre} start={outline.start} />}
      <TraceScores traceId={traceId} load={scores} added={stored} onStored={(s) => setStored([s, ...stored])} spanNames={spanNames} />
      <section class="panel wide" aria-label="Waterfall">
        <header>
          <h2>Waterfall</h2>
        </header>
        <p class="trace-summary">
          {outline.spans.length.toLocaleString('en-US')} spans · {fmtUsd(cost)} · {errors} error{errors === 1 ? '' : 's'} · agent {outline.rows[0]?.span.agent_id}
          {outline.rows[0]?.span.session_id && (
            <>
              {' '}· session{' '}
              <a href={hrefWith(`/sessions/${encodeURIComponent(outline.rows[0].span.session_id)}`)}>{outline.rows[0].span.session_id}</a>
            </>
          )}
        </p>
        <div class="trace-view">
          <Waterfall outline={outline} selected={selectedSpan?.span_id ?? ''} onSelect={setSelected} />
          {selectedSpan && <SpanDetail key={selectedSpan.span_id} traceId={traceId} outline={selectedSpan} start={outline.start} scores={allScores.filter((x) => x.target === 'span' && x.span_id === selectedSpan.span_id)} />}
        </div>
      </section>
    </>
  );
}

export function TracePage({ id }: { id: string }) {
  const outline = useApi<OutlineBody>(outlineUrl(id, location.search));
  return (
    <div class="page">
      <p>
        <a href={hrefWith('/traces', ['range', 'from', 'to', 'agent', 'decision', 'errors', 'min_latency_ms', 'min_cost_usd', 'text', 'attr', 'session_id', 'user_id'])}>← Traces</a>
      </p>
      <h1>
        Trace <code>{id}</code>
      </h1>
      {outline.status === 'ok' ? (
        <TraceBody traceId={id} body={outline.data} />
      ) : (
        <Panel title="Waterfall" load={outline} wide>
          {() => null}
        </Panel>
      )}
    </div>
  );
}
