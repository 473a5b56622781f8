// Scores and user feedback as the SDK sends them to POST /v1/scores: judgements of a trace, a span
// or a session. Built here, queued and sent by the same batch exporter as span events.

/** Who gave the judgement: end users, automatic evaluators, human reviewers, or any other client. */
export type ScoreSource = 'user' | 'evaluator' | 'human' | 'api';

export interface ScoreFields {
  /** What is judged, e.g. "helpfulness". */
  name: string;
  /** A number, a boolean (stored as 1 or 0) or a category (a string). */
  value: number | boolean | string;
  /** The judged trace; default: the current span's trace. */
  traceId?: string;
  /** Judges one span of `traceId` instead of the whole trace. */
  spanId?: string;
  /** Judges a whole session (conversation) instead of a trace. */
  sessionId?: string;
  /** Default 'api'. */
  source?: ScoreSource;
  comment?: string;
  author?: string;
  /**
   * Names this judgement: sending one with the same id again replaces it (e.g. a user who changes
   * their thumbs). Default: a new random id.
   */
  scoreId?: string;
  /** When it was given, epoch ms; default now. */
  timestamp?: number;
}

/** User feedback: a score with source 'user', named "user_feedback" unless told otherwise. */
export interface FeedbackFields extends Omit<ScoreFields, 'name' | 'source' | 'author'> {
  name?: string;
  /** The end user giving it (stored as the score's author). */
  userId?: string;
}

/** The JSON item /v1/scores takes. */
export interface ScoreItem {
  score_id: string;
  timestamp: number;
  target: 'trace' | 'span' | 'session';
  trace_id?: string;
  span_id?: string;
  session_id?: string;
  name: string;
  value: number | boolean | string;
  source: ScoreSource;
  comment?: string;
  author?: string;
}

/**
 * The item to send, or a reason it cannot be: a score must name what it judges.
 * @example scoreItem({ name: 'thumbs', value: true, source: 'user' }, { traceId: 't1' }, 'id-1', Date.now())
 */
export function scoreItem(
  f: ScoreFields,
  current: { traceId: string; spanId: string } | undefined,
  scoreId: string,
  now: number,
): { ok: true; item: ScoreItem } | { ok: false; reason: string } {
  const traceId = f.traceId ?? (f.sessionId === undefined ? current?.traceId : undefined);
  const target = f.spanId !== undefined ? 'span' : traceId !== undefined ? 'trace' : f.sessionId !== undefined ? 'session' : undefined;
  if (target === undefined) return { ok: false, reason: `score "${f.name}" names no trace, span or session and was called outside a trace` };
  const item: ScoreItem = { score_id: f.scoreId ?? scoreId, timestamp: f.timestamp ?? now, target, name: f.name, value: f.value, source: f.source ?? 'api' };
  if (traceId !== undefined) item.trace_id = traceId;
  if (f.spanId !== undefined) item.span_id = f.spanId;
  if (f.sessionId !== undefined) item.session_id = f.sessionId;
  if (f.comment !== undefined) item.comment = f.comment;
  if (f.author !== undefined) item.author = f.author;
  return { ok: true, item };
}
