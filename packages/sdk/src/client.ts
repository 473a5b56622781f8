// createSightline(): the agent-facing API. Every public method catches its own failures, so
// instrumentation can lose an event but never throw into the agent or leave a rejection behind.

import { resolveConfig, type SightlineOptions } from './config.js';
import { activeSpan } from './context.js';
import { toEventError, type IntegrationEvent, type SpanEvent, type SpanFields, type SpanType } from './event.js';
import { registerForExit } from './exit-hook.js';
import { createBatchExporter, type ExporterStats } from './exporter.js';
import { newSpanId, newTraceId } from './ids.js';
import { createOnceLogger } from './log.js';
import { newTraceState, routeSpan, type TraceState } from './sampling.js';
import { ActiveSpan, applyFields, newEvent, noopSpan, type Span, type SpanSink } from './span.js';
import { scoreItem, type FeedbackFields, type ScoreFields, type ScoreItem } from './score.js';
import { createHttpTransport } from './transport.js';
import { wrapAnthropic } from './wrap-anthropic.js';
import { wrapOpenAI } from './wrap-openai.js';

/** Integration traces awaiting their root at once (each holds at most its unsampled spans). */
const MAX_INTEGRATION_TRACES = 10_000;

export interface TraceFields extends SpanFields {
  sessionId?: string;
  userId?: string;
}

/** A finished event recorded after the fact; `latencyMs` and `timestamp` (start, epoch ms) default to 0 and now. */
export interface RecordedFields extends SpanFields {
  name?: string;
  latencyMs?: number;
  timestamp?: number;
  error?: unknown;
}

export interface DecisionFields {
  /** The option taken: stored as `decision_made`. */
  chosen: string;
  confidence?: number;
  /** The options that were on the table; stored in attributes.options. */
  options?: readonly string[];
  attributes?: Record<string, unknown>;
  latencyMs?: number;
}

export interface SightlineStats extends ExporterStats {
  /** Events not sent because their trace was not sampled (and had no error). */
  sampledOut: number;
  /** The same figures for scores and feedback (score() and feedback()), which are never sampled out. */
  scores: ExporterStats;
}

export interface Sightline {
  /** Runs `fn` as the root span (`agent_step`) of a new trace; returns what `fn` returns, rethrows what it throws. */
  trace<T>(name: string, fn: (span: Span) => T): T;
  trace<T>(name: string, fields: TraceFields, fn: (span: Span) => T): T;
  /** Runs `fn` as a span of the current trace (or a new one); nested spans find their parent on their own. */
  span<T>(type: SpanType, name: string, fn: (span: Span) => T): T;
  span<T>(type: SpanType, name: string, fields: SpanFields, fn: (span: Span) => T): T;
  /** A span you end yourself; it is a child of the current span but does not become the current one. */
  startSpan(type: SpanType, name: string, fields?: SpanFields): Span;
  currentSpan(): Span | undefined;
  llmCall(fields: RecordedFields): void;
  toolCall(name: string, fields?: RecordedFields): void;
  decision(name: string, fields: DecisionFields): void;
  /**
   * Queues an event built by an integration (e.g. the OpenAI Agents tracing processor) with its
   * own trace and span ids. Sampling is per trace id, as for spans; a root is an event without a parent.
   */
  recordEvent(event: IntegrationEvent): void;
  /**
   * Queues a score of a trace (default: the current one), a span or a session; sent in the
   * background like span events. Never sampled out: a judgement of an unsampled trace still counts.
   * @example sightline.score({ name: 'helpfulness', value: 0.8, source: 'evaluator', traceId });
   */
  score(fields: ScoreFields): void;
  /**
   * Queues an end user's feedback (a score with source "user", name "user_feedback" by default).
   * @example sightline.feedback({ traceId, value: false, comment: 'wrong refund amount', userId: 'u-42' });
   */
  feedback(fields: FeedbackFields): void;
  wrapOpenAI<C extends object>(client: C): C;
  wrapAnthropic<C extends object>(client: C): C;
  stats(): SightlineStats;
  /** Resolves when everything queued is sent or has failed (or at `timeoutMs`). Never rejects. */
  flush(opts?: { timeoutMs?: number }): Promise<void>;
  /** Flushes (default 10 s bound), then drops new events. Never rejects. */
  shutdown(opts?: { timeoutMs?: number }): Promise<void>;
}

/**
 * @example
 * const sightline = createSightline({ agentId: 'support-bot' });
 * await sightline.trace('handle ticket', async () => {
 *   const plan = await sightline.span('llm_call', 'plan', (s) => callModel(s));
 *   sightline.decision('route', { chosen: 'refund', confidence: 0.82, options: ['refund', 'escalate'] });
 * });
 */
export function createSightline(options: SightlineOptions = {}): Sightline {
  const cfg = resolveConfig(options);
  const log = createOnceLogger(cfg.logger);
  const transport = cfg.transport ?? createHttpTransport({ endpoint: cfg.endpoint, apiKey: cfg.apiKey, timeoutMs: cfg.requestTimeoutMs });
  const exporter = createBatchExporter({ ...cfg, transport, onProblem: (key, message) => log.once(key, message) });
  // Scores go through a second queue of the same exporter on the same transport (one connection
  // pool), to /v1/scores; it is flushed, shut down and flushed at exit with the span queue.
  // Its transport is closed by the span queue's shutdown, never by its own.
  const scoreExporter = createBatchExporter<ScoreItem>({
    ...cfg,
    route: 'scores',
    transport: { send: (batch) => transport.send(batch) },
    onProblem: (key, message) => log.once(`score-${key}`, message.replace(/event\(s\)|events?\b/g, 'score(s)')),
  });
  let sampledOut = 0;
  const send = (e: SpanEvent) => exporter.enqueue(e);
  const clock = cfg.clock;

  const sink: SpanSink = {
    monotonic: () => clock.monotonic(),
    captureContent: cfg.captureContent,
    maxContentChars: cfg.maxContentChars,
    finish: (s) => {
      sampledOut += routeSpan(s.trace, s.event, s.isRoot, send);
    },
  };

  function start(type: SpanType, name: string, fields: TraceFields | undefined, newRoot: boolean): ActiveSpan {
    const parent = newRoot ? undefined : activeSpan.getStore();
    const trace: TraceState = parent ? parent.trace : newTraceState(newTraceId(), cfg.sampleRate, cfg.random, fields?.sessionId, fields?.userId);
    const e = newEvent(cfg.agentId, clock.now(), trace.traceId, newSpanId(), parent?.event.span_id, type, name);
    e.session_id = trace.sessionId;
    e.user_id = trace.userId;
    const span = new ActiveSpan(sink, trace, parent === undefined, e);
    if (fields !== undefined) span.set(fields);
    return span;
  }

  function run<T>(type: SpanType, name: string, a: TraceFields | ((s: Span) => T), b: ((s: Span) => T) | undefined, newRoot: boolean): T {
    const fn = (typeof a === 'function' ? a : b) as (s: Span) => T;
    let span: ActiveSpan | undefined;
    try {
      span = start(type, name, typeof a === 'function' ? undefined : a, newRoot);
    } catch (e) {
      log.once('start-failed', `could not start a span: ${String(e)}`);
    }
    if (span === undefined) return fn(noopSpan);
    const s = span;
    let result: T;
    try {
      result = activeSpan.run(s, fn, s);
    } catch (err) {
      s.recordError(err).end();
      throw err;
    }
    if (isThenable(result)) {
      return result.then(
        (v) => {
          s.end();
          return v;
        },
        (err: unknown) => {
          s.recordError(err).end();
          throw err;
        },
      ) as T;
    }
    s.end();
    return result;
  }

  // Traces whose spans arrive through recordEvent, until their root arrives; bounded so an
  // integration that never sends roots cannot grow it without limit.
  const integrationTraces = new Map<string, TraceState>();
  function recordEvent(input: IntegrationEvent): void {
    try {
      const { input: content, output, agent_id, ...rest } = input;
      const event: SpanEvent = { ...rest, agent_id: agent_id ?? cfg.agentId };
      applyFields(event, { input: content, output }, cfg);
      let trace = integrationTraces.get(event.trace_id);
      if (trace === undefined) {
        if (integrationTraces.size >= MAX_INTEGRATION_TRACES) integrationTraces.delete(integrationTraces.keys().next().value as string);
        trace = newTraceState(event.trace_id, cfg.sampleRate, cfg.random);
        integrationTraces.set(event.trace_id, trace);
      }
      const isRoot = event.parent_span_id === undefined;
      sampledOut += routeSpan(trace, event, isRoot, send);
      if (isRoot) integrationTraces.delete(event.trace_id);
    } catch (e) {
      log.once('record-event-failed', `could not record an integration event: ${String(e)}`);
    }
  }

  function record(type: SpanType, name: string, fields: RecordedFields, extra?: (e: SpanEvent) => void): void {
    try {
      const latency = fields.latencyMs ?? 0;
      const span = start(type, name, undefined, false);
      span.event.timestamp = fields.timestamp ?? clock.now() - latency;
      span.event.latency_ms = latency;
      applyFields(span.event, fields, cfg);
      if (fields.error !== undefined && fields.error !== null) span.event.error = toEventError(fields.error);
      extra?.(span.event);
      span.end();
    } catch (e) {
      log.once('record-failed', `could not record a ${type} event: ${String(e)}`);
    }
  }

  function queueScore(f: ScoreFields): void {
    try {
      const current = activeSpan.getStore();
      const built = scoreItem(f, current && { traceId: current.traceId, spanId: current.spanId }, newTraceId(), clock.now());
      if (built.ok) scoreExporter.enqueue(built.item);
      else log.once('score-untargeted', `${built.reason}; pass traceId, spanId or sessionId (score dropped)`);
    } catch (e) {
      log.once('score-failed', `could not queue a score: ${String(e)}`);
    }
  }

  const client: Sightline = {
    trace: <T>(name: string, a: TraceFields | ((s: Span) => T), b?: (s: Span) => T): T => run('agent_step', name, a, b, true),
    span: <T>(type: SpanType, name: string, a: SpanFields | ((s: Span) => T), b?: (s: Span) => T): T => run(type, name, a, b, false),
    startSpan(type, name, fields) {
      try {
        return start(type, name, fields, false);
      } catch {
        return noopSpan;
      }
    },
    currentSpan: () => activeSpan.getStore(),
    llmCall: (f) => record('llm_call', f.name ?? f.model ?? 'llm_call', f),
    toolCall: (name, f = {}) => record('tool_call', name, f),
    decision: (name, f) =>
      record('decision', name, { latencyMs: f.latencyMs, attributes: f.attributes, decisionMade: f.chosen, confidence: f.confidence }, (e) => {
        if (f.options !== undefined) e.attributes = { ...e.attributes, options: [...f.options] };
      }),
    recordEvent,
    score: (f) => queueScore(f),
    feedback: ({ name, userId, ...rest }) => queueScore({ ...rest, name: name ?? 'user_feedback', source: 'user', ...(userId === undefined ? {} : { author: userId }) }),
    wrapOpenAI: (c) => wrapOpenAI(c, client),
    wrapAnthropic: (c) => wrapAnthropic(c, client),
    stats: () => ({ ...exporter.stats(), sampledOut, scores: scoreExporter.stats() }),
    async flush(opts) {
      const deadline = opts?.timeoutMs === undefined ? undefined : clock.now() + opts.timeoutMs;
      await Promise.all([exporter.flush(deadline), scoreExporter.flush(deadline)]);
    },
    async shutdown(opts) {
      unregister();
      const deadline = clock.now() + (opts?.timeoutMs ?? 10_000);
      await scoreExporter.shutdown(deadline);
      await exporter.shutdown(deadline);
    },
  };

  const unregister = cfg.flushOnExit
    ? registerForExit({
        hasPending: () => exporter.stats().queued + scoreExporter.stats().queued > 0,
        flushForExit: async () => {
          const deadline = clock.now() + cfg.exitFlushTimeoutMs;
          await Promise.all([scoreExporter.flushForExit(deadline), exporter.flushForExit(deadline)]);
        },
      })
    : () => {};
  return client;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}
