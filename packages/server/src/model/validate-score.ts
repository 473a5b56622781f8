// Turns one raw /v1/scores item into a Score, or into every problem found with it. Same rules and
// wording as validate-event.ts: each problem names the field, the value's problem and the limit.

import type { FieldProblem } from './errors.js';
import { describe, parseIsoTimestamp, randomHexId } from './event-fields.js';
import type { IngestLimits } from './limits.js';
import { MAX_SCORE_COMMENT_CHARS, SCORE_SOURCES, SCORE_TARGETS, type Score, type ScoreKind, type ScoreSource, type ScoreTarget } from './score.js';

export interface ScoreContext {
  project: string;
  now: number;
  limits: Pick<IngestLimits, 'maxIdLength' | 'maxNameLength' | 'maxFutureSkewMs' | 'minTimestamp'>;
}

export type ScoreValidation = { ok: true; score: Score } | { ok: false; problems: FieldProblem[] };

const KNOWN_FIELDS = new Set([
  'score_id', 'id', 'timestamp', 'target', 'trace_id', 'span_id', 'session_id', 'name', 'value', 'source', 'comment', 'author', 'label',
]);

type Out = FieldProblem[];

function text(raw: Record<string, unknown>, field: string, max: number, index: number, out: Out): string | null {
  const value = raw[field];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') {
    out.push({ index, field, error: `${field}: must be a string, got ${describe(value)}` });
    return null;
  }
  if (value.length > max) {
    out.push({ index, field, error: `${field}: ${value.length} characters exceeds the limit of ${max}` });
    return null;
  }
  return value;
}

function oneOf<T extends string>(raw: unknown, field: string, allowed: readonly T[], index: number, out: Out): T | null {
  if (typeof raw === 'string' && (allowed as readonly string[]).includes(raw)) return raw as T;
  out.push({ index, field, error: `${field}: must be one of ${allowed.join(', ')}, got ${describe(raw)}` });
  return null;
}

function timestampOf(value: unknown, ctx: ScoreContext, index: number, out: Out): number {
  if (value === undefined || value === null) return ctx.now;
  const ms = typeof value === 'number' && Number.isFinite(value) ? Math.floor(value) : typeof value === 'string' ? parseIsoTimestamp(value) : null;
  if (ms === null) {
    out.push({ index, field: 'timestamp', error: `timestamp: must be an ISO-8601 string or epoch milliseconds, got ${describe(value)}` });
    return ctx.now;
  }
  if (ms > ctx.now + ctx.limits.maxFutureSkewMs) {
    out.push({ index, field: 'timestamp', error: `timestamp: ${new Date(ms).toISOString()} is more than ${ctx.limits.maxFutureSkewMs / 3_600_000} h in the future` });
  } else if (ms < ctx.limits.minTimestamp) {
    out.push({ index, field: 'timestamp', error: `timestamp: ${describe(value)} is before ${new Date(ctx.limits.minTimestamp).toISOString()}` });
  }
  return ms;
}

/** The value as kind, number and label: a number, a boolean (1 or 0) or a category (a string). */
function valueOf(raw: unknown, index: number, out: Out): { kind: ScoreKind; value: number | null; label: string | null } | null {
  if (typeof raw === 'number' && Number.isFinite(raw)) return { kind: 'number', value: raw, label: null };
  if (typeof raw === 'boolean') return { kind: 'boolean', value: raw ? 1 : 0, label: null };
  if (typeof raw === 'string' && raw !== '' && raw.length <= 256) return { kind: 'category', value: null, label: raw };
  const why = typeof raw === 'string' && raw.length > 256 ? `a category of ${raw.length} characters exceeds the limit of 256` : `got ${describe(raw)}`;
  out.push({ index, field: 'value', error: `value: must be a finite number, a boolean or a category (a string), ${why}` });
  return null;
}

/** The target and its ids: `target` may be left out when exactly one id says what is judged. */
function targetOf(raw: Record<string, unknown>, ids: { trace: string | null; span: string | null; session: string | null }, index: number, out: Out): ScoreTarget | null {
  let target: ScoreTarget | null;
  if (raw.target === undefined || raw.target === null) {
    target = ids.span !== null ? 'span' : ids.trace !== null ? 'trace' : ids.session !== null ? 'session' : null;
    if (target === null) out.push({ index, field: 'target', error: 'target: a score needs a trace_id, a span_id (with its trace_id) or a session_id to judge' });
    return target;
  }
  target = oneOf(raw.target, 'target', SCORE_TARGETS, index, out);
  if (target === 'trace' && ids.trace === null) out.push({ index, field: 'trace_id', error: 'trace_id: required when target is trace' });
  if (target === 'span' && ids.trace === null) out.push({ index, field: 'trace_id', error: 'trace_id: required when target is span (a span is named within its trace)' });
  if (target === 'span' && ids.span === null) out.push({ index, field: 'span_id', error: 'span_id: required when target is span' });
  if (target === 'session' && ids.session === null) out.push({ index, field: 'session_id', error: 'session_id: required when target is session' });
  return target;
}

/**
 * Validates one raw score against the limits.
 * @example validateScore({ trace_id: 't1', name: 'thumbs', value: true, source: 'user' }, 0, { project: 'default', now, limits })
 * // → { ok: true, score: { target: 'trace', kind: 'boolean', value: 1, … } }
 */
export function validateScore(raw: unknown, index: number, ctx: ScoreContext): ScoreValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problems: [{ index, field: '', error: `a score must be a JSON object, got ${describe(raw)}` }] };
  }
  const r = raw as Record<string, unknown>;
  const out: Out = [];
  const max = ctx.limits.maxIdLength;
  for (const key of Object.keys(r)) {
    if (!KNOWN_FIELDS.has(key)) out.push({ index, field: key, error: `${key}: unknown field; a score has ${[...KNOWN_FIELDS].join(', ')}` });
  }
  const ids = { trace: text(r, 'trace_id', max, index, out), span: text(r, 'span_id', max, index, out), session: text(r, 'session_id', max, index, out) };
  const target = targetOf(r, ids, index, out);
  const name = text(r, 'name', max, index, out);
  if (name === null && !out.some((p) => p.field === 'name')) out.push({ index, field: 'name', error: 'name: required (what is judged, e.g. "helpfulness")' });
  const value = valueOf(r.value, index, out);
  const label = text(r, 'label', 256, index, out);
  const source: ScoreSource | null = r.source === undefined ? 'api' : oneOf(r.source, 'source', SCORE_SOURCES, index, out);
  const scoreId = text(r, 'score_id', max, index, out) ?? text(r, 'id', max, index, out);
  const comment = text(r, 'comment', MAX_SCORE_COMMENT_CHARS, index, out);
  const author = text(r, 'author', max, index, out);
  const timestamp = timestampOf(r.timestamp, ctx, index, out);
  if (out.length > 0 || target === null || name === null || value === null || source === null) return { ok: false, problems: out };
  return {
    ok: true,
    score: {
      project: ctx.project,
      score_id: scoreId ?? randomHexId(16),
      timestamp,
      target,
      trace_id: target === 'session' ? null : ids.trace,
      span_id: target === 'span' ? ids.span : null,
      session_id: ids.session,
      name,
      kind: value.kind,
      value: value.value,
      label: value.label ?? label,
      source,
      comment,
      author,
      ingested_at: ctx.now,
    },
  };
}
