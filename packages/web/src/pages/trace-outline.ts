// A trace's outline as the viewer uses it: rows decoded by the field names the server sends, the
// parent/child tree, and the rows visible with some subtrees collapsed, in tree order.

import type { SpanType } from '@sightline/api';

/** One span of GET /api/traces/{id}/outline: a span without its attributes and content. */
export interface OutlineSpan {
  span_id: string;
  parent_span_id: string | null;
  timestamp: number;
  latency_ms: number;
  span_type: SpanType;
  name: string | null;
  agent_id: string;
  model: string | null;
  tokens_input: number;
  tokens_output: number;
  cost_usd: number | null;
  decision_made: string | null;
  error_type: string | null;
  session_id: string | null;
  has_content: boolean;
}

export interface OutlineBody {
  trace_id: string;
  start: number;
  count: number;
  fields: string[];
  rows: unknown[][];
}

/** A span in tree order: its depth, and how many spans its subtree holds below it. */
export interface TreeRow {
  span: OutlineSpan;
  depth: number;
  descendants: number;
}

export interface TraceOutline {
  trace_id: string;
  spans: OutlineSpan[];
  /** Every span in tree order (parents before children, siblings by start). */
  rows: TreeRow[];
  start: number;
  end: number;
}

/**
 * The outline's URL for trace `id` on a page whose query string is `search`: its `at` (the trace's
 * start, when we came from a list) lets the server skip row groups by time. public/early-outline.js
 * writes the same URL before the bundle runs, so the page adopts its response: keep the two alike.
 */
export function outlineUrl(id: string, search: string): string {
  const at = new URLSearchParams(search).get('at');
  return `/api/traces/${encodeURIComponent(id)}/outline${at && /^\d+$/.test(at) ? `?at=${at}` : ''}`;
}

/**
 * The spans of an outline body as objects of one shape, each written as one literal: a 10,000-span
 * outline decodes in a few milliseconds where copying field by field cost tens and left garbage.
 */
export function decodeOutline(body: OutlineBody): TraceOutline {
  const at = (f: keyof OutlineSpan) => body.fields.indexOf(f);
  const f = {
    id: at('span_id'), parent: at('parent_span_id'), timestamp: at('timestamp'), latency: at('latency_ms'), type: at('span_type'),
    name: at('name'), agent: at('agent_id'), model: at('model'), tokensIn: at('tokens_input'), tokensOut: at('tokens_output'),
    cost: at('cost_usd'), decision: at('decision_made'), error: at('error_type'), session: at('session_id'), content: at('has_content'),
  };
  const spans = new Array<OutlineSpan>(body.rows.length);
  let end = body.start;
  for (let k = 0; k < body.rows.length; k++) {
    const r = body.rows[k]!;
    const s: OutlineSpan = {
      span_id: r[f.id] as string,
      parent_span_id: (r[f.parent] ?? null) as string | null,
      timestamp: r[f.timestamp] as number,
      latency_ms: r[f.latency] as number,
      span_type: r[f.type] as SpanType,
      name: (r[f.name] ?? null) as string | null,
      agent_id: r[f.agent] as string,
      model: (r[f.model] ?? null) as string | null,
      tokens_input: r[f.tokensIn] as number,
      tokens_output: r[f.tokensOut] as number,
      cost_usd: (r[f.cost] ?? null) as number | null,
      decision_made: (r[f.decision] ?? null) as string | null,
      error_type: (r[f.error] ?? null) as string | null,
      session_id: (r[f.session] ?? null) as string | null,
      has_content: r[f.content] === true,
    };
    spans[k] = s;
    if (s.timestamp + s.latency_ms > end) end = s.timestamp + s.latency_ms;
  }
  return { trace_id: body.trace_id, spans, rows: treeOrder(spans), start: body.start, end };
}

/**
 * Spans in tree order; a span whose parent is missing (or itself) is a root. Children are kept as
 * index links (first child, next sibling) and walked without recursion or a stack of objects, so
 * a trace 10,000 levels deep neither overflows the stack nor allocates per span beyond its row.
 */
export function treeOrder(spans: OutlineSpan[]): TreeRow[] {
  const n = spans.length;
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) if (!index.has(spans[i]!.span_id)) index.set(spans[i]!.span_id, i);
  const parentOf = new Int32Array(n).fill(-1);
  const firstChild = new Int32Array(n).fill(-1);
  const nextSibling = new Int32Array(n).fill(-1);
  let firstRoot = -1;
  // Backwards, so each list ends up in the outline's (timestamp, span_id) order.
  for (let i = n - 1; i >= 0; i--) {
    const p = spans[i]!.parent_span_id === null ? undefined : index.get(spans[i]!.parent_span_id!);
    if (p === undefined || p === i) {
      nextSibling[i] = firstRoot;
      firstRoot = i;
    } else {
      parentOf[i] = p;
      nextSibling[i] = firstChild[p]!;
      firstChild[p] = i;
    }
  }
  const rows: TreeRow[] = [];
  const placed = new Uint8Array(n);
  let at = firstRoot;
  let depth = 0;
  while (at >= 0) {
    rows.push({ span: spans[at]!, depth, descendants: 0 });
    placed[at] = 1;
    if (firstChild[at]! >= 0) {
      at = firstChild[at]!;
      depth++;
      continue;
    }
    while (at >= 0 && nextSibling[at]! < 0) {
      at = parentOf[at]!;
      depth--;
    }
    if (at >= 0) at = nextSibling[at]!;
  }
  // Spans in a parent cycle never reach a root: shown as roots at the end rather than lost.
  for (let i = 0; i < n; i++) if (!placed[i]) rows.push({ span: spans[i]!, depth: 0, descendants: 0 });
  countDescendants(rows);
  return rows;
}

/** Each row's subtree size: the rows after it with a greater depth, up to the next at its depth or less. */
function countDescendants(rows: TreeRow[]): void {
  const stack: number[] = [];
  for (let i = 0; i <= rows.length; i++) {
    const depth = i < rows.length ? rows[i]!.depth : -1;
    while (stack.length > 0 && rows[stack[stack.length - 1]!]!.depth >= depth) {
      const j = stack.pop()!;
      rows[j]!.descendants = i - j - 1;
    }
    if (i < rows.length) stack.push(i);
  }
}

/** Indices (into `rows`) of the rows shown when the spans in `collapsed` hide their subtrees. */
export function visibleRows(rows: TreeRow[], collapsed: ReadonlySet<string>): number[] {
  const shown: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    shown.push(i);
    if (collapsed.has(rows[i]!.span.span_id)) i += rows[i]!.descendants;
  }
  return shown;
}
