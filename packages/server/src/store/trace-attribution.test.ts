import { describe, expect, it } from 'vitest';
import type { Span } from '../model/span.js';
import { makeSpan } from './store-fixtures.case.js';
import { createTraceAttribution } from './trace-attribution.js';

const span = (id: string, parent: string | null, over: Partial<Span> = {}): Span =>
  makeSpan({ trace_id: 't', span_id: id, parent_span_id: parent, agent_id: 'svc', agent_fallback: true, session_id: null, user_id: null, attributes: {}, ...over });

describe('trace attribution', () => {
  let now = 0;
  const fresh = (maxSpans = 1000) => createTraceAttribution({ windowMs: 60_000, maxSpans, clock: () => now });
  const commit = async (a: ReturnType<typeof fresh>, spans: Span[]) => {
    await a.prepare(spans);
    return a.committed(spans);
  };
  const fields = (s: Span) => [s.span_id, s.agent_id, s.session_id, s.user_id, s.decision_made];

  it('attributes a batch from ancestors already known, through spans that name nothing, and keeps explicit values', async () => {
    now = 0;
    const a = fresh();
    expect(await commit(a, [span('root', null, { agent_id: 'support', agent_fallback: undefined, session_id: 'c-1', user_id: 'u-1' })])).toEqual(new Map());
    const children = [
      span('tool', 'mid'),
      span('mid', 'root'),
      span('own', 'root', { agent_id: 'billing', agent_fallback: undefined, session_id: 'c-2' }),
    ];
    expect(await commit(a, children)).toEqual(new Map());
    expect(children.map(fields)).toEqual([
      ['tool', 'support', 'c-1', 'u-1', null],
      ['mid', 'support', 'c-1', 'u-1', null],
      ['own', 'billing', 'c-2', 'u-1', null],
    ]);
    expect(children.map((s) => s.agent_fallback)).toEqual([undefined, undefined, undefined]);
  });

  it('revises committed descendants when their ancestor commits later, once', async () => {
    now = 0;
    const a = fresh();
    const early = [span('tool', 'mid', { timestamp: 5 }), span('mid', 'root', { timestamp: 4 })];
    await commit(a, early);
    expect(early.map(fields)).toEqual([['tool', 'svc', null, null, null], ['mid', 'svc', null, null, null]]);
    now = 60_000;
    const revisions = await commit(a, [span('root', null, { agent_id: 'support', agent_fallback: undefined, session_id: 'c-1', project: 'alpha' })]);
    expect(revisions).toEqual(new Map([['alpha', [
      { trace_id: 't', span_id: 'mid', timestamp: 4, agent_id: 'support', session_id: 'c-1', user_id: null, decision_made: null },
      { trace_id: 't', span_id: 'tool', timestamp: 5, agent_id: 'support', session_id: 'c-1', user_id: null, decision_made: null },
    ]]]));
    // The same root again (a retry) changes nothing further.
    expect(await commit(a, [span('root', null, { agent_id: 'support', agent_fallback: undefined, session_id: 'c-1' })])).toEqual(new Map());
  });

  it('never revises a span naming agent, session and user itself, nor what lies below it, yet attributes through it', async () => {
    now = 0;
    const a = fresh();
    const own = { agent_id: 'billing', agent_fallback: undefined, session_id: 'c-2', user_id: 'u-2' };
    const early = [span('leaf', 'named'), span('named', 'root', own)];
    await commit(a, early);
    expect(early.map(fields)).toEqual([['leaf', 'billing', 'c-2', 'u-2', null], ['named', 'billing', 'c-2', 'u-2', null]]);
    // The root names everything else: neither the named span nor the leaf it attributed changes.
    expect(await commit(a, [span('root', null, { agent_id: 'support', agent_fallback: undefined, session_id: 'c-1', user_id: 'u-1' })])).toEqual(new Map());
    // A span arriving later under the named one still takes its values.
    const late = [span('late', 'named')];
    expect(await commit(a, late)).toEqual(new Map());
    expect(late.map(fields)).toEqual([['late', 'billing', 'c-2', 'u-2', null]]);
    // A named decision span can still repeat its parent's decision: it is revised when the parent comes.
    const decision = (id: string, parent: string | null) => span(id, parent, { ...own, span_type: 'decision', decision_made: 'refund', timestamp: 7, project: 'alpha' });
    await commit(a, [decision('d-child', 'd-parent')]);
    expect(await commit(a, [decision('d-parent', null)])).toEqual(new Map([['alpha', [
      { trace_id: 't', span_id: 'd-child', timestamp: 7, agent_id: 'billing', session_id: 'c-2', user_id: 'u-2', decision_made: null, repeated_decision: 'refund' },
    ]]]));
  });

  it('forgets spans after the window: a parent arriving later attributes nothing', async () => {
    now = 0;
    const a = fresh();
    await commit(a, [span('child', 'root')]);
    now = 60_001;
    expect(await commit(a, [span('root', null, { agent_id: 'support', agent_fallback: undefined })])).toEqual(new Map());
  });

  it('keeps at most maxSpans, the newest', async () => {
    now = 0;
    const a = fresh(3);
    await commit(a, [span('child', 'root'), span('x1', null), span('x2', null)]);
    await commit(a, [span('x3', null)]);
    expect(a.size()).toBe(4);
    // The next batch evicts down to the bound first: the oldest, `child`, goes.
    expect(await commit(a, [span('root', null, { agent_id: 'support', agent_fallback: undefined })])).toEqual(new Map());
    expect(a.size()).toBe(4);
  });

  it('clears the decision of a decision span repeating its parent, in either order, keeping it as an attribute', async () => {
    now = 0;
    const a = fresh();
    const parent = () => span('call', null, { agent_id: 'bot', agent_fallback: undefined, decision_made: 'refund' });
    const child = span('dec', 'call', { agent_id: 'bot', agent_fallback: undefined, span_type: 'decision', decision_made: 'refund' });
    await commit(a, [child]);
    expect(fields(child)).toEqual(['dec', 'bot', null, null, 'refund']);
    const revisions = await commit(a, [parent()]);
    expect(revisions.get('alpha')).toEqual([
      { trace_id: 't', span_id: 'dec', timestamp: child.timestamp, agent_id: 'bot', session_id: null, user_id: null, decision_made: null, repeated_decision: 'refund' },
    ]);
    const b = fresh();
    await commit(b, [parent()]);
    const late = span('dec', 'call', { agent_id: 'bot', agent_fallback: undefined, span_type: 'decision', decision_made: 'refund' });
    await commit(b, [late]);
    expect([late.decision_made, late.attributes]).toEqual([null, { 'sightline.decision_repeats_parent': 'refund' }]);
    // A different decision under it is its own decision.
    const other = span('dec2', 'call', { agent_id: 'bot', agent_fallback: undefined, span_type: 'decision', decision_made: 'escalate' });
    await commit(b, [other]);
    expect(other.decision_made).toBe('escalate');
  });

  it('survives a parent cycle in bad input', async () => {
    now = 0;
    const a = fresh();
    const spans = [span('a', 'b'), span('b', 'a')];
    await commit(a, spans);
    expect(spans.map(fields)).toEqual([['a', 'svc', null, null, null], ['b', 'svc', null, null, null]]);
  });

  it('forgets a failed batch, so its spans neither attribute nor get revised', async () => {
    now = 0;
    const a = fresh();
    const failed = [span('root', null, { agent_id: 'support', agent_fallback: undefined })];
    await a.prepare(failed);
    a.failed(failed);
    const child = [span('child', 'root')];
    await commit(a, child);
    expect(child[0]!.agent_id).toBe('svc');
  });

  it('returns to the event loop between slices of a big batch and still sees parents sent later in it', async () => {
    now = 0;
    const a = fresh(100_000);
    // 3,000 traces of three spans, children first: each parent comes after its children, and the
    // batch spans several slices.
    const spans = Array.from({ length: 3_000 }, (_, t) => [
      span('tool', 'mid', { trace_id: `t${t}` }),
      span('mid', 'root', { trace_id: `t${t}` }),
      span('root', null, { trace_id: `t${t}`, agent_id: `agent-${t % 7}`, agent_fallback: undefined }),
    ]).flat();
    let loopTurns = 0;
    const tick = () => {
      loopTurns++;
      if (loopTurns < 1_000) setImmediate(tick);
    };
    setImmediate(tick);
    expect(await commit(a, spans)).toEqual(new Map());
    expect(loopTurns).toBeGreaterThan(2);
    expect(spans.filter((s) => s.agent_id !== `agent-${Number(s.trace_id.slice(1)) % 7}`)).toEqual([]);
  });
});
