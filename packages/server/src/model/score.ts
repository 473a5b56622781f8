// A score: one judgement of a trace, span or session's quality, from a user, an evaluator, a human
// reviewer or an API client. Stored beside spans (store/score-store.ts), never inside them, since
// judgements often arrive long after the trace and may be revised.

/** What a score judges. */
export const SCORE_TARGETS = ['trace', 'span', 'session'] as const;
export type ScoreTarget = (typeof SCORE_TARGETS)[number];

/** Who gave it: end users (feedback), automatic evaluators, human reviewers, or any other client. */
export const SCORE_SOURCES = ['user', 'evaluator', 'human', 'api'] as const;
export type ScoreSource = (typeof SCORE_SOURCES)[number];

/** number: any finite value; boolean: stored as 1 or 0; category: a label without a number. */
export const SCORE_KINDS = ['number', 'boolean', 'category'] as const;
export type ScoreKind = (typeof SCORE_KINDS)[number];

export interface Score {
  /** From the API key, never from the payload. */
  project: string;
  /**
   * Names one judgement: sending a score with the same id again replaces it (a retry stores it
   * once; a user who changes their feedback keeps one score). Random when the sender gave none.
   */
  score_id: string;
  /** When the judgement was made, ms since epoch. */
  timestamp: number;
  target: ScoreTarget;
  /** Set for trace and span targets. */
  trace_id: string | null;
  /** Set for span targets. */
  span_id: string | null;
  /** Set for session targets (and kept when a trace or span score also names its session). */
  session_id: string | null;
  /** What is judged, e.g. "helpfulness", "thumbs", "correctness". */
  name: string;
  kind: ScoreKind;
  /** The number (boolean: 1 or 0); null for a category. */
  value: number | null;
  /** The category; for a number, an optional label the evaluator gave it (OTel score.label). */
  label: string | null;
  source: ScoreSource;
  comment: string | null;
  author: string | null;
  /** Server clock at ingest, ms: which of two versions of one score id is newer. */
  ingested_at: number;
}

/** Longest comment, in characters: a reviewer's note, not a transcript. */
export const MAX_SCORE_COMMENT_CHARS = 4_096;
