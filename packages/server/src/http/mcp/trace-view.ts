// A trace as a coding agent reads it: one summary line, the spans that matter (errors, slowest,
// costliest), then the span tree indented by parent, content folded to its first characters.

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Span } from '../../model/span.js';
import { formatCount, formatCountOf, formatMs, formatTime, formatTokens, formatUsd } from '@sightline/api';
import { listingAnswer } from './answer.js';

/** Characters of a prompt or output shown in the tree; the resource has the rest. */
const FOLD_CHARS = 120;
/** Spans listed under "Slowest" and "Costliest". */
const TOP = 3;

export const traceUri = (traceId: string) => `sightline://traces/${encodeURIComponent(traceId)}`;

const failed = (s: Span) => s.error_type !== null || s.error_message !== null;
const label = (s: Span) => `[${s.span_id}] ${s.span_type}${s.name === null ? '' : ` "${s.name}"`}`;
const errorText = (s: Span) => `✗ ${[s.error_type, s.error_message].filter((v) => v !== null).join(': ')}`;

function fold(what: string, text: string | null, uri: string): string | null {
  if (text === null || text === '') return null;
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= FOLD_CHARS) return `${what}: "${flat}"`;
  return `${what}: "${flat.slice(0, FOLD_CHARS).trimEnd()}…" (${formatCount(text.length)} characters; all of it in ${uri})`;
}

/** One span's facts, each with its unit: "gpt-4o 640 ms $0.0040 512 tokens → refund (confidence 0.82) ✗ timeout". */
function facts(s: Span): string {
  const parts = [label(s)];
  if (s.model !== null) parts.push(s.model);
  parts.push(formatMs(s.latency_ms));
  if (s.cost_usd !== null && s.cost_usd > 0) parts.push(formatUsd(s.cost_usd));
  const tokens = s.tokens_input + s.tokens_output;
  if (tokens > 0) parts.push(formatTokens(tokens));
  if (s.decision_made !== null) parts.push(`→ ${s.decision_made}${s.confidence === null ? '' : ` (confidence ${s.confidence.toFixed(2)})`}`);
  if (failed(s)) parts.push(errorText(s));
  return parts.join('  ');
}

/** Spans in tree order (depth first, children by time) with their depth; orphans are roots. */
function treeOrder(spans: Span[]): { span: Span; depth: number }[] {
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of spans) {
    if (s.parent_span_id !== null && s.parent_span_id !== s.span_id && ids.has(s.parent_span_id)) {
      const list = children.get(s.parent_span_id) ?? [];
      list.push(s);
      children.set(s.parent_span_id, list);
    } else roots.push(s);
  }
  const out: { span: Span; depth: number }[] = [];
  const seen = new Set<string>();
  const visit = (s: Span, depth: number) => {
    if (seen.has(s.span_id)) return;
    seen.add(s.span_id);
    out.push({ span: s, depth });
    for (const c of children.get(s.span_id) ?? []) visit(c, depth + 1);
  };
  for (const r of roots) visit(r, 0);
  // A parent cycle leaves spans unreached: show them as roots rather than lose them.
  for (const s of spans) visit(s, 0);
  return out;
}

export function traceAnswer(traceId: string, spans: Span[]): CallToolResult {
  const uri = traceUri(traceId);
  const start = Math.min(...spans.map((s) => s.timestamp));
  const end = Math.max(...spans.map((s) => s.timestamp + s.latency_ms));
  const errors = spans.filter(failed);
  const cost = spans.reduce((a, s) => a + (s.cost_usd ?? 0), 0);
  const tokens = spans.reduce((a, s) => a + s.tokens_input + s.tokens_output, 0);
  const agents = [...new Set(spans.map((s) => s.agent_id))];
  const decisions = spans.filter((s) => s.decision_made !== null).map((s) => s.decision_made!);
  const slowest = [...spans].sort((a, b) => b.latency_ms - a.latency_ms).slice(0, TOP);
  const costliest = spans.filter((s) => (s.cost_usd ?? 0) > 0).sort((a, b) => b.cost_usd! - a.cost_usd!).slice(0, TOP);

  const head = [
    `Trace ${traceId} · agent ${agents.join(', ')} · started ${formatTime(start)} · ${formatMs(end - start)} · ${formatCountOf(spans.length, 'span')} · ${formatCountOf(errors.length, 'error')} · ${formatUsd(cost)} · ${formatTokens(tokens)}`,
  ];
  if (decisions.length > 0) head.push(`Decisions: ${decisions.join(' → ')}`);
  if (errors.length > 0) {
    head.push(`Errors (${formatCount(errors.length)}):`);
    for (const s of errors.slice(0, 5)) head.push(`  ${label(s)}  ${formatMs(s.latency_ms)}  ${errorText(s)}`);
    if (errors.length > 5) head.push(`  … and ${formatCount(errors.length - 5)} more`);
  }
  head.push(`Slowest: ${slowest.map((s) => `${label(s)} ${formatMs(s.latency_ms)}`).join('; ')}`);
  if (costliest.length > 0) head.push(`Costliest: ${costliest.map((s) => `${label(s)} ${formatUsd(s.cost_usd!)}`).join('; ')}`);
  head.push('Tree:');

  const items = treeOrder(spans).map(({ span, depth }) => {
    const indent = '  '.repeat(depth);
    const lines = [`${indent}- ${facts(span)}`];
    for (const [what, text] of [['input', span.input], ['output', span.output]] as const) {
      const folded = fold(what, text, uri);
      if (folded !== null) lines.push(`${indent}    ${folded}`);
    }
    const { input, output, ...rest } = span;
    return { lines, data: { ...rest, depth, input_chars: input?.length ?? 0, output_chars: output?.length ?? 0 } };
  });
  return listingAnswer({
    head,
    items,
    noun: 'spans',
    narrow: `read the resource ${uri}, which has every span in full (the errors, slowest and costliest spans are listed above)`,
    key: 'spans',
    structured: {
      trace_id: traceId,
      uri,
      agents,
      start,
      duration_ms: end - start,
      span_count: spans.length,
      error_count: errors.length,
      cost_usd: cost,
      tokens,
      decisions,
      error_span_ids: errors.map((s) => s.span_id),
      slowest_span_ids: slowest.map((s) => s.span_id),
      costliest_span_ids: costliest.map((s) => s.span_id),
    },
  });
}
