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

export function decodeOutline(body: OutlineBody): TraceOutline {
  const spans = body.rows.map((r) => {
    const o: Record<string, unknown> = {};
    body.fields.forEach((f, i) => (o[f] = r[i]));
    return o as unknown as OutlineSpan;
  });
  let end = body.start;
  for (const s of spans) end = Math.max(end, s.timestamp + s.latency_ms);
  return { trace_id: body.trace_id, spans, rows: treeOrder(spans), start: body.start, end };
}

/**
 * Spans in tree order; a span whose parent is missing (or itself) is a root. Iterative, so a
 * trace 10,000 levels deep does not overflow the stack.
 */
export function treeOrder(spans: OutlineSpan[]): TreeRow[] {
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map<string | null, OutlineSpan[]>();
  for (const s of spans) {
    const parent = s.parent_span_id !== null && s.parent_span_id !== s.span_id && ids.has(s.parent_span_id) ? s.parent_span_id : null;
    const list = children.get(parent);
    if (list) list.push(s);
    else children.set(parent, [s]);
  }
  // Outline rows come ordered by (timestamp, span_id), so each list is already in start order.
  const rows: TreeRow[] = [];
  const stack: { span: OutlineSpan; depth: number }[] = [];
  const visited = new Set<string>();
  const push = (list: OutlineSpan[] | undefined, depth: number) => {
    for (let i = (list?.length ?? 0) - 1; i >= 0; i--) stack.push({ span: list![i]!, depth });
  };
  push(children.get(null), 0);
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (visited.has(top.span.span_id)) continue;
    visited.add(top.span.span_id);
    rows.push({ span: top.span, depth: top.depth, descendants: 0 });
    push(children.get(top.span.span_id), top.depth + 1);
  }
  // Spans in a parent cycle never reach a root: shown as roots at the end rather than lost.
  for (const s of spans) if (!visited.has(s.span_id)) rows.push({ span: s, depth: 0, descendants: 0 });
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
