// The canonical span: one row per LLM call, tool call, decision or step. Its fields are the API's
// (`@sightline/api`): one definition for what the server stores and what the dashboard and exports
// read. The server adds only what ingest needs.

import type { Dimension, Span as WireSpan } from '@sightline/api';

export { SPAN_TYPES, type CostSource, type SpanType } from '@sightline/api';

export interface Span extends WireSpan {
  /**
   * Ingest only, never stored: agent_id is a fallback (an OTLP span's resource `service.name`), not
   * named by the span, so trace attribution (store/trace-attribution.ts) gives it the agent of the
   * nearest ancestor that names one.
   */
  agent_fallback?: true;
}

/**
 * Marks a decoded event whose agent_id is a fallback (set by a mapper such as OTLP's map-span.ts);
 * the ingest pipeline turns it into Span.agent_fallback. A symbol: never a field of the payload.
 */
export const AGENT_FALLBACK = Symbol('agent_fallback');

/** Dimensions a query may group or filter by; each maps to a span column. */
export const DIMENSIONS = ['agent', 'model', 'decision', 'span_type', 'provider'] as const satisfies readonly Dimension[];
export type { Dimension };

export const DIMENSION_COLUMN: Record<Dimension, keyof Span> = {
  agent: 'agent_id',
  model: 'model',
  decision: 'decision_made',
  span_type: 'span_type',
  provider: 'provider',
};
