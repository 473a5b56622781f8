// Shared by both backends' score slices: checking a rollup query, folding the rows SQL returns
// (one per bucket × group × label) into ScoreRollupRows in the contract's order, and collapsing
// repeated score ids within one append.

import { SightlineError } from '../model/errors.js';
import type { Score } from '../model/score.js';
import { SCORE_DIMENSIONS, type ScoreDimension, type ScoreRollupQuery, type ScoreRollupRow } from './score-store.js';
import { compareGroups, compareUtf8 } from './text-order.js';

/** Dimensions read from the judged trace's spans (the others are the score's own columns). */
export const CONTEXT_DIMENSIONS: ReadonlySet<ScoreDimension> = new Set(['agent', 'model', 'decision']);

/** Throws QUERY_INVALID naming the problem; returns whether the query needs the spans' context. */
export function checkScoreRollup(q: ScoreRollupQuery): { needsContext: boolean } {
  if (!Number.isInteger(q.bucketMs) || q.bucketMs <= 0 || q.bucketMs % 60_000 !== 0) {
    throw new SightlineError('QUERY_INVALID', `bucketMs must be a positive multiple of 60000, got ${q.bucketMs}`);
  }
  for (const d of q.groupBy) {
    if (!(SCORE_DIMENSIONS as readonly string[]).includes(d)) {
      throw new SightlineError('QUERY_INVALID', `unknown score dimension "${String(d)}"; use one of ${SCORE_DIMENSIONS.join(', ')}`);
    }
  }
  const f = q.filter;
  return { needsContext: q.groupBy.some((d) => CONTEXT_DIMENSIONS.has(d)) || f.agent !== undefined || f.model !== undefined || f.decision !== undefined };
}

/** One SQL row: a bucket × group × label with its figures. */
export interface ScoreLabelRow {
  bucket: number;
  group: (string | null)[];
  label: string | null;
  count: number;
  value_count: number;
  value_sum: number;
  value_sq_sum: number;
}

/** Folds label rows into rollup rows ordered by bucket, then group values (nulls last). */
export function foldScoreRows(rows: ScoreLabelRow[]): ScoreRollupRow[] {
  const byKey = new Map<string, ScoreRollupRow>();
  for (const r of rows) {
    const key = JSON.stringify([r.bucket, r.group]);
    let row = byKey.get(key);
    if (row === undefined) {
      row = { bucket: r.bucket, group: r.group, count: 0, value_count: 0, value_sum: 0, value_sq_sum: 0, labels: {} };
      byKey.set(key, row);
    }
    row.count += r.count;
    row.value_count += r.value_count;
    row.value_sum += r.value_sum;
    row.value_sq_sum += r.value_sq_sum;
    if (r.label !== null) row.labels[r.label] = (row.labels[r.label] ?? 0) + r.count;
  }
  const out = [...byKey.values()].sort((a, b) => a.bucket - b.bucket || compareGroups(a.group, b.group));
  for (const row of out) {
    const sorted = Object.keys(row.labels).sort(compareUtf8);
    row.labels = Object.fromEntries(sorted.map((k) => [k, row.labels[k]!]));
  }
  return out;
}

/** The last of each (project, score_id) in `scores`: within one append, a later score replaces an earlier one. */
export function lastOfEach(scores: Score[]): Score[] {
  const byId = new Map<string, Score>();
  for (const s of scores) byId.set(`${s.project}\u0000${s.score_id}`, s);
  return [...byId.values()];
}
