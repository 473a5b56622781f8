// Replies of the score routes (packages/server/src/http/routes/scores.ts and the score insight in
// routes/insights.ts): judgements of traces, spans and sessions as the trace, session, agent and
// overview pages read them.

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

/** GET /api/scores (by trace, session, name or time). */
export interface ScoresReply {
  scores: Score[];
}

/** GET /api/traces/:id/scores: the trace's scores and its spans', newest first, and whether this key may add one. */
export interface TraceScoresReply {
  trace_id: string;
  scores: Score[];
  /** True for keys with the annotate (or admin) scope: POST /api/traces/:id/scores accepts them. */
  can_score: boolean;
  /** Why not, in a sentence a reviewer reads; null when can_score. */
  cannot_score_reason: string | null;
}

/** POST /api/traces/:id/scores (annotate scope): the stored score. */
export interface ScoreCreatedReply {
  score: Score;
}

/** GET /api/sessions/:id/scores: scores of the session and of its traces and their spans, newest first. */
export interface SessionScoresReply {
  session_id: string;
  scores: Score[];
}

/** One bucket × group of GET /api/scores/rollup. */
export interface ScoreRollupPoint {
  bucket: number;
  group: (string | null)[];
  count: number;
  value_count: number;
  value_sum: number;
  value_sq_sum: number;
  /** Scores per label, keys in byte order. */
  labels: Record<string, number>;
  /** value_sum / value_count; null for a bucket of categories only. */
  mean: number | null;
}

/** GET /api/scores/rollup */
export interface ScoreRollupReply {
  from: number;
  to: number;
  bucket_ms: number;
  group_by: string[];
  rows: ScoreRollupPoint[];
}

/** Figures of one score name over one period. */
export interface ScorePeriod {
  count: number;
  /** Mean of the numeric scores (booleans: the share of 1s); null without one. */
  mean: number | null;
  /** Scores per label (categories, and numbers an evaluator labelled). */
  labels: Record<string, number>;
}

/** One score name on the quality panel. */
export interface ScoreNameSummary {
  name: string;
  /** The kind of its newest score (a name keeps one kind in practice). */
  kind: ScoreKind;
  current: ScorePeriod;
  /** The previous covered period (as long as the current one, right before it); null when it had no score. */
  previous: ScorePeriod | null;
  /** current.mean − previous.mean (booleans: a change of share); null without both. */
  mean_change: number | null;
}

/** GET /api/scores/summary: every score name of a range (optionally one agent's), its figures and its change. */
export interface ScoreSummaryReply {
  from: number;
  to: number;
  /** From the first score in the range (or the first score of the period before, whichever is later) to the range's end. */
  covered: { from: number; to: number } | null;
  previous_covered: { from: number; to: number } | null;
  names: ScoreNameSummary[];
}

/** A mean with its interval; mean, low and high are null (NaN on the server) without scores. */
export interface ScoreMeanEstimate {
  n: number;
  mean: number | null;
  variance: number;
  low: number | null;
  high: number | null;
}

export interface ScoreMeanTest {
  /** current mean − other mean */
  diff: number | null;
  t: number;
  df: number;
  /** Two-sided p-value. */
  p: number;
  /** One-sided p for "lower". */
  pLower: number;
}

export interface ScoreGroupReport {
  dimension: 'decision' | 'model';
  value: string | null;
  current: ScoreMeanEstimate;
  rest: ScoreMeanEstimate;
  test: ScoreMeanTest;
  q: number;
  baseline: ScoreMeanEstimate;
  weight: number;
  baselineWeight: number;
  contribution: number;
}

/** GET /api/insights/scores: one score name's drift against its baseline, by decision and model. */
export interface ScoreInsightReply {
  name: string;
  agent: string | null;
  from: number;
  to: number;
  baseline_from: number;
  baseline_to: number;
  current: ScoreMeanEstimate;
  baseline: ScoreMeanEstimate;
  drift: ScoreMeanTest;
  by_decision: ScoreGroupReport[];
  by_model: ScoreGroupReport[];
  explanation: { dimension: 'decision' | 'model'; value: string | null; contribution: number; share_of_drop: number } | null;
  /** The sentence a person reads first, with numbers. */
  summary: string;
}
