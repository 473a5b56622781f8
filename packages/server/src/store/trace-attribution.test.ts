import { describe, expect, it } from 'vitest';
import type { Span } from '../model/span.js';
import { makeSpan } from './store-fixtures.case.js';
import { createTraceAttribution } from './trace-attribution.js';

const span = (id: string, parent: string | null, over: Partial<Span> = {}): Span =>
  makeSpan({ trace_id: 't', span_id: id, parent_span_id: parent, agent_id: 'svc', agent_fallback: true, session_id: null, user_id: null, attributes: {}, ...over });

describe('trace attribution', () => {
  let now = 0;
  const fresh = (maxSpans = 1000) => createTraceAttribution({ windowMs: 60_000, maxSpans, clock: () => now });
  const commit = (a: ReturnType<typeof fresh>, spans: Span[]) => {
    a.prepare(spans);
    return a.committed(spans);
  };
  const fields = (s: Span) => [s.span_id, s.agent_id, s.session_id, s.user_id, s.decision_made];

  it('attributes a batch from ancestors already known, through spans that name nothing, and keeps explicit values', () => {
    now = 0;
    const a = fresh();
    expect(commit(a, [span('root', null, { agent_id: 'support', agent_fallback: undefined, session_id: 'c-1', user_id: 'u-1' })])).toEqual(new Map());
    const children = [
      span('tool', 'mid'),
      span('mid', 'root'),
      span('own', 'root', { agent_id: 'billing', agent_fallback: undefined, session_id: 'c-2' }),
    ];
    expect(commit(a, children)).toEqual(new Map());
    expect(children.map(fields)).toEqual([
      ['tool', 'support', 'c-1', 'u-1', null],
      ['mid', 'support', 'c-1', 'u-1', null],
      ['own', 'billing', 'c-2', 'u-1', null],
    ]);
    expect(children.map((s) => s.agent_fallback)).toEqual([undefined, undefined, undefined]);
  });

  it('revises committed descendants when their ancestor commits later, once', () => {
    now = 0;
    const a = fresh();
    const early = [span('tool', 'mid', { timestamp: 5 }), span('mid', 'root', { timestamp: 4 })];
    commit(a, early);
    expect(early.map(fields)).toEqual([['tool', 'svc', null, null, null], ['mid', 'svc', null, null, null]]);
    now = 60_000;
    const revisions = commit(a, [span('root', null, { agent_id: 'support', agent_fallback: undefined, session_id: 'c-1', project: 'alpha' })]);
    expect(revisions).toEqual(new Map([['alpha', [
      { trace_id: 't', span_id: 'mid', timestamp: 4, agent_id: 'support', session_id: 'c-1', user_id: null, decision_made: null },
      { trace_id: 't', span_id: 'tool', timestamp: 5, agent_id: 'support', session_id: 'c-1', user_id: null, decision_made: null },
    ]]]));
    // The same root again (a retry) changes nothing further.
    expect(commit(a, [span('root', null, { agent_id: 'support', agent_fallback: undefined, session_id: 'c-1' })])).toEqual(new Map());
  });

  it('forgets spans after the window: a parent arriving later attributes nothing', () => {
    now = 0;
    const a = fresh();
    commit(a, [span('child', 'root')]);
    now = 60_001;
    expect(commit(a, [span('root', null, { agent_id: 'support', agent_fallback: undefined })])).toEqual(new Map());
  });

  it('keeps at most maxSpans, the newest', () => {
    now = 0;
    const a = fresh(3);
    commit(a, [span('child', 'root'), span('x1', null), span('x2', null)]);
    commit(a, [span('x3', null)]);
    expect(a.size()).toBe(4);
    // The next batch evicts down to the bound first: the oldest, `child`, goes.
    expect(commit(a, [span('root', null, { agent_id: 'support', agent_fallback: undefined })])).toEqual(new Map());
    expect(a.size()).toBe(4);
  });

  it('clears the decision of a decision span repeating its parent, in either order, keeping it as an attribute', () => {
    now = 0;
    const a = fresh();
    const parent = () => span('call', null, { agent_id: 'bot', agent_fallback: undefined, decision_made: 'refund' });
    const child = span('dec', 'call', { agent_id: 'bot', agent_fallback: undefined, span_type: 'decision', decision_made: 'refund' });
    commit(a, [child]);
    expect(fields(child)).toEqual(['dec', 'bot', null, null, 'refund']);
    const revisions = commit(a, [parent()]);
    expect(revisions.get('alpha')).toEqual([
      { trace_id: 't', span_id: 'dec', timestamp: child.timestamp, agent_id: 'bot', session_id: null, user_id: null, decision_made: null, repeated_decision: 'refund' },
    ]);
    const b = fresh();
    commit(b, [parent()]);
    const late = span('dec', 'call', { agent_id: 'bot', agent_fallback: undefined, span_type: 'decision', decision_made: 'refund' });
    commit(b, [late]);
    expect([late.decision_made, late.attributes]).toEqual([null, { 'sightline.decision_repeats_parent': 'refund' }]);
    // A different decision under it is its own decision.
    const other = span('dec2', 'call', { agent_id: 'bot', agent_fallback: undefined, span_type: 'decision', decision_made: 'escalate' });
    commit(b, [other]);
    expect(other.decision_made).toBe('escalate');
  });

  it('survives a parent cycle in bad input', () => {
    now = 0;
    const a = fresh();
    const spans = [span('a', 'b'), span('b', 'a')];
    commit(a, spans);
    expect(spans.map(fields)).toEqual([['a', 'svc', null, null, null], ['b', 'svc', null, null, null]]);
  });

  it('forgets a failed batch, so its spans neither attribute nor get revised', () => {
    now = 0;
    const a = fresh();
    const failed = [span('root', null, { agent_id: 'support', agent_fallback: undefined })];
    a.prepare(failed);
    a.failed(failed);
    const child = [span('child', 'root')];
    commit(a, child);
    expect(child[0]!.agent_id).toBe('svc');
  });
});
