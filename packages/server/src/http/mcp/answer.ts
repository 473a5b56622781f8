// A tool's answer: compact text for the model plus the same facts as structured content, capped
// in size. What does not fit is left out whole (never cut mid-line) and a note says how much was
// left out and how to narrow the question.

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** About 2,000 tokens: enough for a trace's story or a page of findings, small in a context window. */
export const MAX_ANSWER_CHARS = 8_000;

export interface Listing<T> {
  /** Lines before the items (what was asked, totals). */
  head: string[];
  items: { lines: string[]; data: T }[];
  /** Lines after the items, shown only when everything fit. */
  tail?: string[];
  /** What an item is, plural: "traces", "spans". */
  noun: string;
  /** How to ask for less, e.g. "pass agent or errors_only, or a shorter range". */
  narrow: string;
  /** Structured content besides the items (which go under `key`). */
  structured: Record<string, unknown>;
  key: string;
}

/** The listing as text and structured content, keeping whole items until the answer is full. */
export function listingAnswer<T>(l: Listing<T>, maxChars = MAX_ANSWER_CHARS): CallToolResult {
  const out = [...l.head];
  let size = out.reduce((n, s) => n + s.length + 1, 0);
  const shown: T[] = [];
  let i = 0;
  for (; i < l.items.length; i++) {
    const item = l.items[i]!;
    const cost = item.lines.reduce((n, s) => n + s.length + 1, 0);
    if (size + cost > maxChars - 200) break;
    out.push(...item.lines);
    size += cost;
    shown.push(item.data);
  }
  const leftOut = l.items.length - i;
  if (leftOut > 0) {
    out.push(`… ${leftOut.toLocaleString('en-US')} more ${l.noun} left out to keep this answer under ${maxChars.toLocaleString('en-US')} characters; to see them, ${l.narrow}.`);
  } else if (l.tail) out.push(...l.tail);
  return {
    content: [{ type: 'text', text: out.join('\n') }],
    structuredContent: { ...l.structured, [l.key]: shown, ...(leftOut > 0 && { left_out: leftOut }) },
  };
}

export function textAnswer(lines: string[], structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: lines.join('\n') }], structuredContent: structured };
}

/** A failed call: the API's status and message, which name the problem (a bad parameter, a missing key). */
export function errorAnswer(status: number, message: string): CallToolResult {
  return { content: [{ type: 'text', text: `Sightline answered ${status}: ${message}` }], isError: true };
}
