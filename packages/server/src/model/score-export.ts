// How scores leave Sightline: as the body a client sends to POST /v1/scores, one per NDJSON line,
// so `sightline export` → `sightline import` round-trips them (the score_id makes a re-import
// replace rather than add). The file sits beside the spans' export (scoresFileBeside).

import type { Score } from './score.js';

/**
 * The score a client would send to produce this one. Nulls are left out; a boolean goes back as
 * true / false and a category as its label, so the importing server stores the same kind.
 * @example scoreToPayload(score) // { score_id: 'fb-1', timestamp: 1767225600000, target: 'trace', trace_id: 't1', name: 'thumbs', value: true, source: 'user' }
 */
export function scoreToPayload(s: Score): Record<string, unknown> {
  const value = s.kind === 'boolean' ? s.value === 1 : s.kind === 'category' ? s.label : s.value;
  const p: Record<string, unknown> = { score_id: s.score_id, timestamp: s.timestamp, target: s.target };
  if (s.trace_id !== null) p.trace_id = s.trace_id;
  if (s.span_id !== null) p.span_id = s.span_id;
  if (s.session_id !== null) p.session_id = s.session_id;
  p.name = s.name;
  p.value = value;
  if (s.kind === 'number' && s.label !== null) p.label = s.label;
  p.source = s.source;
  if (s.comment !== null) p.comment = s.comment;
  if (s.author !== null) p.author = s.author;
  return p;
}

/** Whether a parsed NDJSON line is a score (as scoreToPayload writes one) rather than a span event. */
export function isScorePayload(o: unknown): boolean {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return false;
  const r = o as Record<string, unknown>;
  return 'score_id' in r && 'name' in r && 'value' in r && !('span_type' in r) && !('agent_id' in r);
}

/** The scores file beside a spans export: spans.parquet → spans.scores.ndjson. */
export function scoresFileBeside(spansFile: string): string {
  return `${spansFile.replace(/\.(parquet|csv|ndjson|jsonl|json)$/i, '')}.scores.ndjson`;
}
