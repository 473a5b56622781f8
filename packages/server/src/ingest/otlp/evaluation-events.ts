// OpenTelemetry GenAI evaluation results (the `gen_ai.evaluation.result` event of the GenAI
// semantic conventions, recorded on the span it judges) become scores: raw /v1/scores items, so
// one validator (model/validate-score.ts) decides what is kept.
//   gen_ai.evaluation.name        → name (required by the convention)
//   gen_ai.evaluation.score.value → value, a number
//   gen_ai.evaluation.score.label → label; the value itself when there is no number (a category)
//   gen_ai.evaluation.explanation → comment
// An event with error.type set reports an evaluation that failed: it judged nothing, so it is skipped.

import type { AttrValue, OtlpSpan } from './types.js';

export const EVALUATION_EVENT = 'gen_ai.evaluation.result';

const str = (v: AttrValue | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The scores recorded as evaluation events on `spans`, target the span they sit on. Ids are derived
 * from span and event position, so an exporter's retry replaces them instead of adding more.
 * @example evaluationScores([span]) // → [{ score_id: 'otel:<trace>:<span>:0', target: 'span', name: 'relevance', value: 0.8, … }]
 */
export function evaluationScores(spans: readonly OtlpSpan[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const span of spans) {
    let n = 0;
    for (const event of span.events) {
      if (event.name !== EVALUATION_EVENT) continue;
      const position = n++;
      const a = event.attributes;
      if (a['error.type'] !== undefined) continue;
      const number = a['gen_ai.evaluation.score.value'];
      const label = str(a['gen_ai.evaluation.score.label']);
      const item: Record<string, unknown> = {
        score_id: `otel:${span.traceId}:${span.spanId}:${position}`,
        target: 'span',
        trace_id: span.traceId,
        span_id: span.spanId,
        name: a['gen_ai.evaluation.name'],
        // A label alone is a category; a missing value is reported by the validator, naming the event's span.
        value: number ?? label,
        source: 'evaluator',
        timestamp: Number(event.timeNanos / 1_000_000n) || Number(span.endNanos / 1_000_000n),
      };
      if (number !== undefined && label !== undefined) item.label = label;
      const explanation = str(a['gen_ai.evaluation.explanation']);
      if (explanation !== undefined) item.comment = explanation;
      out.push(item);
    }
  }
  return out;
}
