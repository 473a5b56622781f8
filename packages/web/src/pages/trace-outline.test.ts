import { describe, expect, it } from 'vitest';
import { decodeOutline, outlineUrl, treeOrder, visibleRows, type OutlineBody, type OutlineSpan } from './trace-outline';

// The server's field order (packages/server/src/store/trace-detail-store.ts OUTLINE_FIELDS).
const FIELDS = ['span_id', 'parent_span_id', 'timestamp', 'latency_ms', 'span_type', 'name', 'agent_id', 'model', 'tokens_input', 'tokens_output', 'cost_usd', 'decision_made', 'error_type', 'session_id', 'has_content'];

const span = (span_id: string, parent_span_id: string | null, timestamp: number): OutlineSpan => ({
  span_id, parent_span_id, timestamp, latency_ms: 1, span_type: 'tool_call', name: span_id, agent_id: 'a', model: null,
  tokens_input: 0, tokens_output: 0, cost_usd: null, decision_made: null, error_type: null, session_id: null, has_content: false,
});

/**
 * 10,000 spans as the server orders them (by start): a root, 100 steps under it, and under each
 * step 99 calls (98 in the last), every third call holding the next two (three levels below the root).
 */
function bigOutline(): OutlineBody {
  const rows: unknown[][] = [['root', null, 0, 20_000, 'agent_step', 'run', 'a', null, 0, 0, null, null, null, 'sess', false]];
  let t = 1;
  for (let step = 0; step < 100; step++) {
    const stepId = `step-${step}`;
    rows.push([stepId, 'root', t++, 100, 'agent_step', stepId, 'a', null, 0, 0, null, null, null, 'sess', false]);
    let holder = '';
    for (let k = 0; k < (step === 99 ? 98 : 99); k++) {
      const id = `s${step}-${k}`;
      const parent = k % 3 === 0 ? stepId : holder;
      if (k % 3 === 0) holder = id;
      rows.push([id, parent, t++, 2, k % 2 ? 'llm_call' : 'tool_call', `call ${k}`, 'a', k % 2 ? 'gpt-4o' : null, 10, 5, k % 2 ? 0.001 : null, null, k === 50 ? 'Timeout' : null, 'sess', k % 2 === 1]);
    }
  }
  return { trace_id: 't', start: 0, count: rows.length, fields: FIELDS, rows };
}

/** The spans below `id`, found by walking each span's parents: independent of the tree code. */
function below(spans: OutlineSpan[], id: string): Set<string> {
  const parent = new Map(spans.map((s) => [s.span_id, s.parent_span_id]));
  const out = new Set<string>();
  for (const s of spans) {
    for (let p = s.parent_span_id; p !== null && p !== undefined; p = parent.get(p) ?? null) {
      if (p === id) {
        out.add(s.span_id);
        break;
      }
    }
  }
  return out;
}

describe('trace outline', () => {
  const outline = decodeOutline(bigOutline());
  const ids = (shown: number[]) => shown.map((i) => outline.rows[i]!.span.span_id);

  it('decodes each row by the field names the server sends', () => {
    expect(outline.spans).toHaveLength(10_000);
    expect(outline.spans[3]).toEqual({
      span_id: 's0-1', parent_span_id: 's0-0', timestamp: 3, latency_ms: 2, span_type: 'llm_call', name: 'call 1', agent_id: 'a', model: 'gpt-4o',
      tokens_input: 10, tokens_output: 5, cost_usd: 0.001, decision_made: null, error_type: null, session_id: 'sess', has_content: true,
    });
    expect(outline.end).toBe(20_000);
    // Fields in another order decode the same.
    const body = bigOutline();
    const order = FIELDS.map((_, i) => i).reverse();
    const reversed = decodeOutline({ ...body, fields: order.map((i) => FIELDS[i]!), rows: body.rows.map((r) => order.map((i) => r[i])) });
    expect(reversed.spans).toEqual(outline.spans);
  });

  it('orders 10,000 spans as a tree: each after its parent, with its depth and the size of its subtree', () => {
    expect(outline.rows).toHaveLength(10_000);
    expect(ids(outline.rows.map((_, i) => i)).slice(0, 6)).toEqual(['root', 'step-0', 's0-0', 's0-1', 's0-2', 's0-3']);
    const position = new Map(outline.rows.map((r, i) => [r.span.span_id, i]));
    const depthOf = new Map(outline.rows.map((r) => [r.span.span_id, r.depth]));
    for (const r of outline.rows) {
      const p = r.span.parent_span_id;
      expect(r.depth).toBe(p === null ? 0 : depthOf.get(p)! + 1);
      if (p !== null) expect(position.get(r.span.span_id)!).toBeGreaterThan(position.get(p)!);
    }
    expect(outline.rows[0]!.descendants).toBe(9_999);
    for (const id of ['step-0', 'step-99', 's7-3', 's7-4']) {
      expect(outline.rows[position.get(id)!]!.descendants).toBe(below(outline.spans, id).size);
    }
    expect(outline.rows[position.get('step-42')!]!.descendants).toBe(99);
    expect(outline.rows[position.get('s42-3')!]!.descendants).toBe(2);
  });

  it('a collapsed subtree hides exactly its descendants, and nested collapses compose', () => {
    const all = ids(visibleRows(outline.rows, new Set()));
    expect(all).toHaveLength(10_000);
    for (const id of ['step-0', 'step-57', 's57-33', 'root']) {
      const hidden = below(outline.spans, id);
      expect(ids(visibleRows(outline.rows, new Set([id])))).toEqual(all.filter((x) => !hidden.has(x)));
    }
    // An inner span folded inside a folded step changes nothing more; beside it, both hide their own.
    const step = below(outline.spans, 'step-3');
    expect(ids(visibleRows(outline.rows, new Set(['step-3', 's3-6'])))).toEqual(all.filter((x) => !step.has(x)));
    const other = below(outline.spans, 's9-6');
    expect(ids(visibleRows(outline.rows, new Set(['step-3', 's9-6'])))).toEqual(all.filter((x) => !step.has(x) && !other.has(x)));
    expect(visibleRows(outline.rows, new Set(['step-3', 's9-6']))).toHaveLength(10_000 - 99 - 2);
  });

  it('walks a chain 10,000 levels deep without overflowing the stack', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => span(`c${i}`, i === 0 ? null : `c${i - 1}`, i));
    const rows = treeOrder(chain);
    expect(rows.map((r) => r.depth)).toEqual(chain.map((_, i) => i));
    expect(rows.map((r) => r.descendants)).toEqual(chain.map((_, i) => 9_999 - i));
  });

  it('keeps every span: a missing or own parent makes a root, a parent cycle goes last as roots, a repeated id is still shown', () => {
    const rows = treeOrder([
      span('a', null, 0),
      span('x', 'y', 1),
      span('b', 'a', 2),
      span('y', 'x', 3),
      span('self', 'self', 4),
      span('orphan', 'gone', 5),
      span('b', 'a', 6),
    ]);
    expect(rows.map((r) => [r.span.span_id, r.span.timestamp, r.depth, r.descendants])).toEqual([
      ['a', 0, 0, 2], ['b', 2, 1, 0], ['b', 6, 1, 0], ['self', 4, 0, 0], ['orphan', 5, 0, 0], ['x', 1, 0, 0], ['y', 3, 0, 0],
    ]);
  });

  it("writes the outline's URL with the trace's start only when it is a number", () => {
    expect(outlineUrl('abc', '?at=1700000000000&range=1h')).toBe('/api/traces/abc/outline?at=1700000000000');
    expect(outlineUrl('a b/c', '?at=soon')).toBe('/api/traces/a%20b%2Fc/outline');
    expect(outlineUrl('abc', '')).toBe('/api/traces/abc/outline');
  });
});
