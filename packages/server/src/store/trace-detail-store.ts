// Reads of one trace for a viewer: the outline (every span without its content and attributes, so a
// trace of 10,000 spans travels in a few hundred KB) and one span in full, fetched when selected.

import type { Span } from '../model/span.js';

/** A span without project, attributes, input, output and ingested_at: what a waterfall draws. */
export type SpanOutline = Omit<Span, 'project' | 'attributes' | 'input' | 'output' | 'ingested_at' | 'agent_fallback'> & {
  /** Whether the stored span has an input or an output (captured content). */
  has_content: boolean;
};

export interface TraceDetailStore {
  /**
   * A trace's spans as outlines, ordered as getTrace orders them (timestamp, span_id); empty when
   * unknown. `hint` as for getTrace.
   * @example const outline = await store.traceOutline('default', traceId, { around: summary.start });
   */
  traceOutline(project: string, traceId: string, hint?: { around?: number }): Promise<SpanOutline[]>;
  /**
   * One span of a trace in full, or null when the project stores no such span. `hint` as for getTrace.
   * @example const span = await store.getSpan('default', traceId, spanId, { around: outline[0].timestamp });
   */
  getSpan(project: string, traceId: string, spanId: string, hint?: { around?: number }): Promise<Span | null>;
}
