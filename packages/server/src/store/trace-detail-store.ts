// Reads of one trace for a viewer: the outline (every span without its content and attributes, as
// rows of values the backend encodes itself, so a trace of 10,000 spans is one string of ~1.5 MB
// rather than 10,000 objects crossing threads), one span in full, fetched when selected, and every
// span in full as JSON text the same way (the full trace read).

import type { Span } from '../model/span.js';

/**
 * Columns of an outline row, in order: what a waterfall row and the trace's summary show (the rest
 * of a span comes with getSpan when it is selected). `timestamp` is ms since epoch; `has_content` is whether the
 * stored span has an input or an output (captured content). The trace id is left out: it is the
 * trace's.
 */
export const OUTLINE_FIELDS = [
  'span_id', 'parent_span_id', 'timestamp', 'latency_ms', 'span_type', 'name', 'agent_id', 'model',
  'tokens_input', 'tokens_output', 'cost_usd', 'decision_made', 'error_type', 'session_id', 'has_content',
] as const;

export interface TraceOutline {
  /** Spans in the trace (0: unknown trace). */
  count: number;
  /** Earliest span start, ms; null when count is 0. */
  start: number | null;
  /** JSON text of an array with one array per span (OUTLINE_FIELDS order), ordered by (timestamp, span_id). */
  rows: string;
}

/** A trace's spans in full as JSON text the backend writes itself (the full trace read, `GET /api/traces/{id}`). */
export interface TraceJson {
  /** Spans in the trace (0: unknown trace). */
  count: number;
  /** JSON text of an array of the spans, each as getTrace returns it, ordered by (timestamp, span_id). */
  spans: string;
  /** JSON text of an array of [span_id, parent_span_id] in the same order: the trace's tree, cheaply. */
  links: string;
}

export interface TraceDetailStore {
  /**
   * A trace's spans as outline rows; count 0 when unknown. `hint` as for getTrace.
   * @example const { count, rows } = await store.traceOutline('default', traceId, { around: summary.start });
   */
  traceOutline(project: string, traceId: string, hint?: { around?: number }): Promise<TraceOutline>;
  /**
   * One span of a trace in full, or null when the project stores no such span. `hint` as for getTrace.
   * @example const span = await store.getSpan('default', traceId, spanId, { around: outline.start });
   */
  getSpan(project: string, traceId: string, spanId: string, hint?: { around?: number }): Promise<Span | null>;
  /**
   * Every span of a trace in full, as JSON text (10,000 spans cross from a store's worker as one
   * string rather than 10,000 objects); count 0 when unknown. `hint` as for getTrace.
   * @example const { count, spans } = await store.traceJson('default', traceId, { around: start });
   */
  traceJson(project: string, traceId: string, hint?: { around?: number }): Promise<TraceJson>;
}
