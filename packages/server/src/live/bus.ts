// In-process live bus: committed spans fan out to subscribers (SSE streams, metrics).
// Only committed spans are published, so the live tail never shows data that could be lost.

import type { Span, SpanType } from '../model/span.js';

export interface LiveFilter {
  project: string;
  agent?: string;
  span_type?: SpanType;
  errors_only?: boolean;
}

export type LiveListener = (spans: Span[]) => void;

export interface LiveBus {
  publish(spans: Span[]): void;
  /** Returns an unsubscribe function. The listener only sees spans that match the filter. */
  subscribe(filter: LiveFilter, listener: LiveListener): () => void;
  /** Streams open now, of one project or (no argument) of all. */
  subscribers(project?: string): number;
}

function matches(f: LiveFilter, s: Span): boolean {
  return (
    s.project === f.project &&
    (f.agent === undefined || s.agent_id === f.agent) &&
    (f.span_type === undefined || s.span_type === f.span_type) &&
    (!f.errors_only || s.error_type !== null)
  );
}

export function createLiveBus(): LiveBus {
  const subs = new Set<{ filter: LiveFilter; listener: LiveListener }>();
  return {
    publish(spans) {
      for (const sub of subs) {
        const mine = spans.filter((s) => matches(sub.filter, s));
        if (mine.length > 0) sub.listener(mine);
      }
    },
    subscribe(filter, listener) {
      const sub = { filter, listener };
      subs.add(sub);
      return () => subs.delete(sub);
    },
    subscribers(project) {
      if (project === undefined) return subs.size;
      let n = 0;
      for (const sub of subs) if (sub.filter.project === project) n++;
      return n;
    },
  };
}
