// Head sampling by whole trace, decided at the root, that still keeps every trace with an error:
// spans of a trace not sampled are held (bounded) until the root ends, and sent only if one failed.

import type { SpanEvent } from './event.js';

/** Spans held per unsampled trace; a longer trace keeps its first ones if it turns out to fail. */
const MAX_HELD = 1000;

export interface TraceState {
  readonly traceId: string;
  sampled: boolean;
  held: SpanEvent[];
  rootEnded: boolean;
  sessionId: string | undefined;
  userId: string | undefined;
}

export function newTraceState(traceId: string, sampleRate: number, random: () => number, sessionId?: string, userId?: string): TraceState {
  const sampled = sampleRate >= 1 || (sampleRate > 0 && random() < sampleRate);
  return { traceId, sampled, held: [], rootEnded: false, sessionId, userId };
}

/**
 * Routes a finished span: to `send` when its trace is kept, into the trace's hold otherwise.
 * Returns how many events were discarded by sampling.
 */
export function routeSpan(trace: TraceState, event: SpanEvent, isRoot: boolean, send: (e: SpanEvent) => void): number {
  if (trace.sampled) {
    send(event);
    return 0;
  }
  if (event.error !== undefined) {
    // An error promotes the whole trace: release what was held, then send from now on.
    trace.sampled = true;
    const held = trace.held;
    trace.held = [];
    for (const e of held) send(e);
    send(event);
    return 0;
  }
  if (isRoot || trace.rootEnded) {
    trace.rootEnded = true;
    const discarded = trace.held.length + 1;
    trace.held = [];
    return discarded;
  }
  if (trace.held.length < MAX_HELD) {
    trace.held.push(event);
    return 0;
  }
  return 1;
}
