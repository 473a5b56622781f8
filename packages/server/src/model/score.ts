// A score: one judgement of a trace, span or session's quality, from a user, an evaluator, a human
// reviewer or an API client. Stored beside spans (store/score-store.ts), never inside them, since
// judgements often arrive long after the trace and may be revised.

// The score's fields and kinds are the API's (`@sightline/api`): one definition for what the server
// stores and what the dashboard and exports read.
export { SCORE_KINDS, SCORE_SOURCES, SCORE_TARGETS, type Score, type ScoreKind, type ScoreSource, type ScoreTarget } from '@sightline/api';

/** Longest comment, in characters: a reviewer's note, not a transcript. */
export const MAX_SCORE_COMMENT_CHARS = 4_096;
