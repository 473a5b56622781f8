// The single entry point from decoded events to storable spans: validate → normalise → price.
// The native route and the OTLP decoder (which maps OTLP spans to native events) both call it.

import type { FieldProblem } from '../model/errors.js';
import type { IngestLimits } from '../model/limits.js';
import { AGENT_FALLBACK, type Span } from '../model/span.js';
import { validateEvent, type ValidateContext } from '../model/validate-event.js';
import { UndecodableEvent } from './decode-body.js';
import { createProblemList } from './problem-list.js';
import type { PriceTable } from './pricing.js';
import type { Redactor } from './redact.js';
import { RejectedEvent } from './screen-events.js';

export interface IngestContext {
  /** From the API key, never from the payload. */
  project: string;
  /** Server clock, ms since epoch. */
  now: number;
}

export interface IngestResult {
  /** Valid events as spans, in request order. */
  spans: Span[];
  /**
   * Problems of the rejected events, bounded (problem-list.ts): the first of every rejected event,
   * further ones up to MAX_KEPT_PROBLEMS in all, fields and messages clipped to MAX_PROBLEM_CHARS.
   * `index` is the event's position in the request.
   */
  rejected: FieldProblem[];
  /** Problems found but not kept in `rejected`. */
  omittedProblems: number;
}

export interface IngestPipeline {
  process(rawEvents: unknown[], ctx: IngestContext): IngestResult;
}

/**
 * @example
 * const pipeline = createIngestPipeline({ limits: DEFAULT_LIMITS, prices: createPriceTable() });
 * const { spans, rejected } = pipeline.process(events, { project: 'default', now: Date.now() });
 */
export function createIngestPipeline(deps: { limits: IngestLimits; prices: PriceTable; redactor?: Redactor | null }): IngestPipeline {
  const { limits, prices, redactor } = deps;
  return {
    process(rawEvents, ctx) {
      const spans: Span[] = [];
      const problems = createProblemList();
      let omittedElsewhere = 0;
      const validateCtx: ValidateContext = { project: ctx.project, now: ctx.now, limits };
      for (let index = 0; index < rawEvents.length; index++) {
        const raw = rawEvents[index];
        if (raw instanceof UndecodableEvent) {
          problems.add([{ index, field: 'event', error: raw.message }]);
          continue;
        }
        if (raw instanceof RejectedEvent) {
          // Screened in the decode worker (screen-events.ts): its problems are already bounded.
          problems.add(raw.problems, true);
          omittedElsewhere += raw.omitted;
          continue;
        }
        const result = validateEvent(raw, index, validateCtx);
        if (!result.ok) {
          problems.add(result.problems);
          continue;
        }
        if ((raw as Record<symbol, unknown>)[AGENT_FALLBACK] === true) result.span.agent_fallback = true;
        // Before storage and before anything (live tail, metrics) sees the span.
        redactor?.span(result.span);
        prices.priceSpan(result.span, ctx.project);
        spans.push(result.span);
      }
      return { spans, rejected: problems.kept, omittedProblems: problems.omitted() + omittedElsewhere };
    },
  };
}
