// Validates the items of one /v1/scores request (decoded by decode-body.ts, like /v1/events):
// good scores go on, each bad one is reported by index with every problem found, none is dropped
// silently.

import type { FieldProblem } from '../model/errors.js';
import type { Score } from '../model/score.js';
import { validateScore, type ScoreContext } from '../model/validate-score.js';
import { UndecodableEvent } from './decode-body.js';

export interface ScoreBatch {
  scores: Score[];
  rejected: FieldProblem[];
}

/**
 * @example validateScoreBatch([{ trace_id: 't1', name: 'thumbs', value: true }], { project, now, limits })
 * // → { scores: [{ target: 'trace', kind: 'boolean', value: 1, source: 'api', … }], rejected: [] }
 */
export function validateScoreBatch(items: readonly unknown[], ctx: ScoreContext): ScoreBatch {
  const scores: Score[] = [];
  const rejected: FieldProblem[] = [];
  items.forEach((raw, index) => {
    if (raw instanceof UndecodableEvent) {
      rejected.push({ index, field: 'score', error: raw.message });
      return;
    }
    const result = validateScore(raw, index, ctx);
    if (result.ok) scores.push(result.score);
    else rejected.push(...result.problems);
  });
  return { scores, rejected };
}
