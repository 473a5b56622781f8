// GET /api/live: Server-Sent Events. `ready` once subscribed, one `span` per committed span, and
// `dropped` when the client fell behind (server: http/routes/live.ts).

import type { Span, SpanType } from './span.js';

/** The `data` of each event, by event name. */
export interface LiveEvents {
  ready: { filter: { agent?: string; span_type?: SpanType; errors_only?: boolean } };
  span: Span;
  /** Spans not sent since the last such event: the client did not keep up. */
  dropped: { dropped: number };
  /** The stream ends: the key was revoked or expired. */
  end: { reason: string };
}
