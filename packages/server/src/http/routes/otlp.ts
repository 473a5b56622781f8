// OTLP/HTTP on the same port as everything else (4318, the OTLP default), so unmodified
// OpenTelemetry exporters work: /v1/traces is stored like native events (one validation path,
// acknowledged only once committed, Idempotency-Key honoured the same way); /v1/metrics and
// /v1/logs are answered per the spec.

import type { Context, Hono } from 'hono';
import { giveBody, type BodyDecoder, type Overloaded } from '../../ingest/otlp/decode-offload.js';
import {
  encodeLogsResponse,
  encodeMetricsResponse,
  encodeTraceResponse,
  logsPartialSuccess,
  tracePartialSuccess,
  type OtlpFailure,
  type OtlpResponse,
} from '../../ingest/otlp/handle.js';
import { validateScoreBatch } from '../../ingest/score-batch.js';
import type { FieldProblem } from '../../model/errors.js';
import { readBody } from '../body.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { OTLP_TRACE_REPLIES, commitOnce } from '../ingest-commit.js';
import { CODE_FOR_STATUS, fail } from '../respond.js';

function send(c: Context<AppEnv>, r: OtlpResponse): Response {
  c.header('content-type', r.contentType);
  return c.body(typeof r.body === 'string' ? r.body : new Uint8Array(r.body), 200);
}

/** GenAI client metrics are derived from spans here, so metric points are answered, not stored. */
const METRICS_NOT_STORED =
  'Sightline derives gen_ai.client.token.usage and gen_ai.client.operation.duration from spans (see /metrics); ' +
  'OTLP metric data points are not stored — export traces to /v1/traces instead';

/** A decode failure as an HTTP answer: 400, 413 and 415 name the problem; 503 says when to retry. */
function decodeFailure(c: Context<AppEnv>, failure: OtlpFailure | Overloaded): Response {
  if (failure.status === 503) return fail(c, 503, 'overloaded', failure.message, failure.retryAfterMs);
  return fail(c, failure.status, CODE_FOR_STATUS[failure.status] ?? 'bad_request', failure.message);
}

/** The partial-success message names the first rejected spans' problems; an attribute path can be
 * megabytes long, and the reply is kept a day for retries (idempotency records). */
const MAX_MESSAGE_CHARS = 4_096;
const clipMessage = (m: string) => (m.length <= MAX_MESSAGE_CHARS ? m : `${m.slice(0, MAX_MESSAGE_CHARS)}… (${m.length} characters)`);

/**
 * Adds rejected gen_ai.evaluation.result events to the partial success: they are not spans (the
 * count stays the spans'), but the sender learns which evaluation was not stored and why.
 */
function withEvaluationProblems(
  partial: { rejectedSpans: number; errorMessage: string } | undefined,
  problems: readonly FieldProblem[],
  items: readonly Record<string, unknown>[],
): { rejectedSpans: number; errorMessage: string } | undefined {
  if (problems.length === 0) return partial;
  const events = new Set(problems.map((p) => p.index)).size;
  const note = `${events} gen_ai.evaluation.result event${events === 1 ? '' : 's'} not stored as scores: ${problems.slice(0, 5).map((p) => `span ${String(items[p.index]?.span_id)}: ${p.error}`).join('; ')}`;
  return { rejectedSpans: partial?.rejectedSpans ?? 0, errorMessage: partial === undefined ? note : `${partial.errorMessage} | ${note}` };
}

/** `decoder` decodes large bodies in a worker thread, so the event loop keeps serving meanwhile. */
export function registerOtlpRoutes(app: Hono<AppEnv>, deps: AppDeps, decoder: BodyDecoder): void {
  const ingest = requireScope(deps.auth, 'ingest');

  app.post('/v1/traces', ingest, async (c) => {
    const read = await readBody(c.env.incoming, deps.limits.maxBodyBytes, { hash: c.req.header('idempotency-key') !== undefined });
    if (!read.ok) return fail(c, 413, 'payload_too_large', read.message);
    const contentType = c.req.header('content-type');
    const decoded = await decoder.traces(giveBody(read.body), contentType, c.req.header('content-encoding'));
    if (!decoded.ok) return decodeFailure(c, decoded);
    // Validation takes its turn too (ingest/turns.ts).
    const { spans, rejected } = await decoder.turn(() => deps.pipeline.process(decoded.events, { project: c.get('key').project, now: deps.clock() }));
    const evaluations = validateScoreBatch(decoded.scores, { project: c.get('key').project, now: deps.clock(), limits: deps.limits });
    const partial = withEvaluationProblems(tracePartialSuccess(decoded.invalid, rejected, decoded.events), evaluations.rejected, decoded.scores);
    const reply = encodeTraceResponse(contentType, partial && { ...partial, errorMessage: clipMessage(partial.errorMessage) });
    // Evaluation scores first: their ids are derived from the span, so a retry after a refused
    // span commit replaces them instead of adding more.
    if (evaluations.scores.length > 0) {
      await deps.store.appendScores(evaluations.scores);
      deps.metrics?.onScores(evaluations.scores);
    }
    return commitOnce(c, deps, spans, reply, OTLP_TRACE_REPLIES, read.hash === null ? read.body : { hash: read.hash });
  });

  app.post('/v1/metrics', ingest, async (c) => {
    const read = await readBody(c.env.incoming, deps.limits.maxBodyBytes);
    if (!read.ok) return fail(c, 413, 'payload_too_large', read.message);
    const contentType = c.req.header('content-type');
    const decoded = await decoder.metrics(giveBody(read.body), contentType, c.req.header('content-encoding'));
    if (!decoded.ok) return decodeFailure(c, decoded);
    const total = decoded.points.length + decoded.dropped.count;
    return send(c, encodeMetricsResponse(contentType, total === 0 ? undefined : { rejectedDataPoints: total, errorMessage: METRICS_NOT_STORED }));
  });

  app.post('/v1/logs', ingest, async (c) => {
    const read = await readBody(c.env.incoming, deps.limits.maxBodyBytes);
    if (!read.ok) return fail(c, 413, 'payload_too_large', read.message);
    const contentType = c.req.header('content-type');
    const decoded = await decoder.logs(giveBody(read.body), contentType, c.req.header('content-encoding'));
    if (!decoded.ok) return decodeFailure(c, decoded);
    return send(c, encodeLogsResponse(contentType, logsPartialSuccess(decoded.logRecords)));
  });
}
