// A span in progress: the event it will become, built in place so ending it costs one enqueue.

import { toEventError, type SpanEvent, type SpanFields, type SpanType } from './event.js';
import type { TraceState } from './sampling.js';

export interface Span {
  readonly traceId: string;
  readonly spanId: string;
  /** Sets fields (model, tokens, decision, attributes…); later calls overwrite earlier ones, attributes merge. */
  set(fields: SpanFields): Span;
  setAttribute(key: string, value: unknown): Span;
  /** Marks the span failed; the trace is then kept whatever the sample rate. */
  recordError(err: unknown): Span;
  /** Ends the span and queues its event. Later calls do nothing. */
  end(): void;
}

/** What a span needs from its client: time, content policy and where finished spans go. */
export interface SpanSink {
  monotonic(): number;
  captureContent: boolean;
  maxContentChars: number;
  finish(span: ActiveSpan): void;
}

export class ActiveSpan implements Span {
  readonly event: SpanEvent;
  ended = false;
  private readonly startedAt: number;

  constructor(
    private readonly sink: SpanSink,
    readonly trace: TraceState,
    readonly isRoot: boolean,
    event: SpanEvent,
  ) {
    this.event = event;
    this.startedAt = sink.monotonic();
  }

  get traceId(): string {
    return this.event.trace_id;
  }

  get spanId(): string {
    return this.event.span_id;
  }

  set(fields: SpanFields): Span {
    try {
      applyFields(this.event, fields, this.sink);
    } catch {
      // Never let instrumentation input break the agent.
    }
    return this;
  }

  setAttribute(key: string, value: unknown): Span {
    (this.event.attributes ??= {})[key] = value;
    return this;
  }

  recordError(err: unknown): Span {
    try {
      this.event.error = toEventError(err);
    } catch {
      this.event.error = { type: 'Error', message: '[unreadable error]' };
    }
    return this;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    try {
      if (this.event.latency_ms === undefined) this.event.latency_ms = this.sink.monotonic() - this.startedAt;
      this.sink.finish(this);
    } catch {
      // The agent's work is done; losing one event beats throwing into it.
    }
  }
}

/** A span that records nothing, handed out if the SDK itself fails so the agent's code still runs. */
export const noopSpan: Span = {
  traceId: '00000000000000000000000000000000',
  spanId: '0000000000000000',
  set: () => noopSpan,
  setAttribute: () => noopSpan,
  recordError: () => noopSpan,
  end: () => {},
};

export function applyFields(e: SpanEvent, f: SpanFields, content: { captureContent: boolean; maxContentChars: number }): void {
  if (f.model !== undefined) e.model = f.model;
  if (f.provider !== undefined) e.provider = f.provider;
  if (f.tokensInput !== undefined) e.tokens_input = f.tokensInput;
  if (f.tokensOutput !== undefined) e.tokens_output = f.tokensOutput;
  if (f.tokensCacheRead !== undefined) e.tokens_cache_read = f.tokensCacheRead;
  if (f.tokensCacheWrite !== undefined) e.tokens_cache_write = f.tokensCacheWrite;
  if (f.tokensReasoning !== undefined) e.tokens_reasoning = f.tokensReasoning;
  if (f.costUsd !== undefined) e.cost_usd = f.costUsd;
  if (f.decisionMade !== undefined) e.decision_made = f.decisionMade;
  if (f.confidence !== undefined) e.confidence = f.confidence;
  if (f.sessionId !== undefined) e.session_id = f.sessionId;
  if (f.userId !== undefined) e.user_id = f.userId;
  if (f.attributes !== undefined) e.attributes = e.attributes ? { ...e.attributes, ...f.attributes } : { ...f.attributes };
  if (content.captureContent) {
    if (f.input !== undefined) e.input = contentText(f.input, content.maxContentChars);
    if (f.output !== undefined) e.output = contentText(f.output, content.maxContentChars);
  }
}

function contentText(v: unknown, max: number): string {
  let s: string;
  try {
    s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > max ? s.slice(0, max) : s;
}

export function newEvent(agentId: string, timestamp: number, traceId: string, spanId: string, parentSpanId: string | undefined, type: SpanType, name: string): SpanEvent {
  return {
    timestamp,
    agent_id: agentId,
    trace_id: traceId,
    span_id: spanId,
    parent_span_id: parentSpanId,
    span_type: type,
    name,
    model: undefined,
    provider: undefined,
    latency_ms: undefined,
    session_id: undefined,
    user_id: undefined,
  };
}
