// Wraps the ingest pipeline to count rejected events by reason for /metrics; behaves exactly
// like the pipeline it wraps (native and OTLP ingest share it).

import type { IngestPipeline } from '../../ingest/pipeline.js';
import type { HealthMetrics } from './health-metrics.js';

/** Reasons are field names from a fixed list, so a caller cannot mint new label values. */
const KNOWN_REASONS = new Set([
  'event', 'timestamp', 'agent_id', 'trace_id', 'span_id', 'parent_span_id', 'span_type', 'name', 'model', 'provider',
  'tokens_input', 'tokens_output', 'tokens_cache_read', 'tokens_cache_write', 'tokens_reasoning', 'tokens',
  'latency_ms', 'cost_usd', 'decision_made', 'decision', 'confidence', 'error', 'error_type', 'error_message',
  'session_id', 'user_id', 'attributes', 'input', 'output',
]);

export function reasonOf(field: string): string {
  const head = field.split(/[.[]/, 1)[0] ?? field;
  return KNOWN_REASONS.has(head) ? head : 'other';
}

export function createCountingPipeline(inner: IngestPipeline, health: HealthMetrics): IngestPipeline {
  return {
    process(rawEvents, ctx) {
      const result = inner.process(rawEvents, ctx);
      if (result.rejected.length > 0) {
        const firstProblem = new Map<number, string>();
        for (const p of result.rejected) if (!firstProblem.has(p.index)) firstProblem.set(p.index, reasonOf(p.field));
        const byReason = new Map<string, number>();
        for (const reason of firstProblem.values()) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
        for (const [reason, n] of byReason) health.rejectedEvents(reason, n);
      }
      return result;
    },
  };
}
