// The score slice of the Store (src/model/score.ts): judgements of traces, spans and sessions,
// kept beside spans, read one by one (trace, session and agent pages) and rolled up by agent,
// model, decision and time (the quality panel, insights, alerts, /metrics).

import type { Score } from '../model/score.js';
import type { AppendOptions } from './span-store.js';

/** What a score rollup may group by. agent, model and decision come from the judged trace or session (see ScoreRollupQuery). */
export const SCORE_DIMENSIONS = ['name', 'source', 'agent', 'model', 'decision'] as const;
export type ScoreDimension = (typeof SCORE_DIMENSIONS)[number];

/**
 * How far before a score its trace may start and still lend it agent, model and decision: a score
 * read in [from, to) is matched with spans in [from - SCORE_CONTEXT_MS, to). A judgement given
 * more than a day after its trace started counts as having none (null agent, model, decision).
 */
export const SCORE_CONTEXT_MS = 86_400_000;

export interface ScoreFilter {
  name?: string;
  source?: Score['source'];
  agent?: string;
  model?: string;
  decision?: string;
}

export interface ScoreRollupQuery {
  project: string;
  /** Inclusive start, ms; floored to bucketMs. */
  from: number;
  /** Exclusive end, ms. */
  to: number;
  /** Bucket width in ms (a positive multiple of 60,000); buckets are epoch-aligned. */
  bucketMs: number;
  /**
   * Zero or more dimensions, in this order. A trace or span score takes agent, model and decision
   * from its trace: the agent and the decision of the trace's earliest span naming one, the model
   * of its earliest span with a model; a session score from its session's spans the same way.
   */
  groupBy: ScoreDimension[];
  filter: ScoreFilter;
}

/** Figures of one bucket × group: enough for a count, a mean with its interval, and a category distribution. */
export interface ScoreRollupRow {
  bucket: number;
  /** The groupBy values in the query's order (null where the score's context had none). */
  group: (string | null)[];
  /** Every score (number, boolean and category). */
  count: number;
  /** Scores with a number (numbers and booleans) and their sum and sum of squares. */
  value_count: number;
  value_sum: number;
  value_sq_sum: number;
  /** Scores per label (categories, and numbers an evaluator labelled), keys in byte order. */
  labels: Record<string, number>;
}

export interface ScoreListQuery {
  project: string;
  trace_id?: string;
  session_id?: string;
  /** Inclusive, ms; default: all time. */
  from?: number;
  /** Exclusive, ms. */
  to?: number;
  name?: string;
  /** At most this many, newest first (then by score_id). */
  limit: number;
}

/** A session's scores and those of its traces: what the session page shows. */
export interface SessionScoreQuery {
  project: string;
  session_id: string;
  /** At most this many, newest first (then by score_id). */
  limit: number;
}

/** Scores of one project with timestamp in [from, to): what export pages through. */
export interface ScoreExportQuery {
  project: string;
  from: number;
  to: number;
}

/** Position after which the next export page starts: the last score of the previous page. */
export interface ScoreCursor {
  timestamp: number;
  score_id: string;
}

/** Numeric scores of one name by attribute of the judged trace: what score cohorts compare. */
export interface ScoreCohortQuery {
  project: string;
  /** Inclusive, ms: the scores' timestamps. */
  from: number;
  /** Exclusive, ms. */
  to: number;
  name: string;
  /** Only scores whose trace's agent (its earliest span's) is this one. */
  agent?: string;
  /** Only these attribute keys; default every key. */
  keys?: string[];
  /** Pairs with fewer scores are left out. */
  minCount: number;
}

/** Count, sum and sum of squares of numeric scores (numbers and booleans). */
export interface ScoreCohortSums {
  n: number;
  sum: number;
  sum_sq: number;
}

export interface ScoreCohortRow extends ScoreCohortSums {
  key: string;
  value: string;
}

/**
 * Score cohorts: `total` is every numeric trace or span score of the name in the range (session
 * scores judge no one trace and are left out); each row the scores whose trace has the top-level
 * scalar attribute key = value (strings, numbers, booleans as text; keys and values of at most 64
 * characters) on any of its spans within SCORE_CONTEXT_MS before the range, each score counted
 * once per pair. Rows ordered by key, then value.
 */
export interface ScoreCohorts {
  total: ScoreCohortSums;
  rows: ScoreCohortRow[];
}

/** Longest attribute key or value a score cohort names. */
export const SCORE_COHORT_MAX_TEXT = 64;

export interface ScoreStore {
  /**
   * Stores scores; resolves once durable. A score whose (project, score_id) is stored already
   * replaces it (within one call, the last one wins). Idempotency records given here are written
   * with the scores, as append() does for spans.
   * @example await store.appendScores([{ project: 'default', score_id: 'f-1', target: 'trace', trace_id: 't1', name: 'thumbs', kind: 'boolean', value: 1, … }]);
   */
  appendScores(scores: Score[], opts?: AppendOptions): Promise<void>;
  /** Scores of a trace (its span scores included), a session, or a time range, newest first. */
  listScores(q: ScoreListQuery): Promise<Score[]>;
  /**
   * Scores of a session (target session, or any score naming the session) and of every trace with
   * a span in the session (its trace and span scores, even when they do not name the session),
   * newest first, then by score_id.
   */
  listSessionScores(q: SessionScoreQuery): Promise<Score[]>;
  /** Rows ordered by bucket, then group values (nulls last); only buckets × groups with scores. */
  scoreRollup(q: ScoreRollupQuery): Promise<ScoreRollupRow[]>;
  /** Numeric scores of one name by attribute value of the judged trace (ScoreCohorts). */
  scoreCohorts(q: ScoreCohortQuery): Promise<ScoreCohorts>;
  /** Up to `limit` scores ordered by (timestamp, score_id), strictly after `after`. */
  exportScores(q: ScoreExportQuery, after: ScoreCursor | null, limit: number): Promise<Score[]>;
  /** Retention: deletes scores with timestamp before `before` (ms); returns how many. */
  deleteScoresBefore(before: number): Promise<{ scores: number }>;
}
