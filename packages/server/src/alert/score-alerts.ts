// The verdicts of a score rule (metric score_mean, condition score_drop) at one instant, read from
// the store's 5-minute score rollup: the engine steps them through the same state machine,
// incidents and channels as every span rule (engine.ts). A score rule reads scores, not span
// rollups, so it has its own read; the built-in is evaluated every 5 min (its buckets' width).

import type { ScoreFilter, ScoreStore } from '../store/score-store.js';
import type { BaselineStats } from './figures.js';
import type { AlertRule } from './rule.js';
import { judgeScoreDrops, SCORE_DROP_BUCKET_MS, type ScoreVerdict } from './score-drop.js';

export const isScoreRule = (rule: AlertRule): boolean => rule.metric === 'score_mean';

/**
 * Reads the rule's window and baseline (whole 5-minute buckets before `now`) and judges every group.
 * `live`: the frozen baselines of the rule's pending and firing alerts, by group key.
 * @example const verdicts = await scoreVerdicts(store, 'default', rule, Date.now(), new Map());
 */
export async function scoreVerdicts(store: ScoreStore, project: string, rule: AlertRule, now: number, live: ReadonlyMap<string, BaselineStats | null>): Promise<ScoreVerdict[]> {
  const end = Math.floor(now / SCORE_DROP_BUCKET_MS) * SCORE_DROP_BUCKET_MS;
  const filter: ScoreFilter = {};
  if (rule.filter.agent !== undefined) filter.agent = rule.filter.agent;
  if (rule.filter.model !== undefined) filter.model = rule.filter.model;
  if (rule.filter.decision !== undefined) filter.decision = rule.filter.decision;
  const rows = await store.scoreRollup({
    project,
    from: end - rule.windowMs - rule.baselineMs,
    to: end,
    bucketMs: SCORE_DROP_BUCKET_MS,
    groupBy: [...(rule.groupBy as ('agent' | 'model' | 'decision')[]), 'name'],
    filter,
  });
  // A name keeps one kind in practice; its newest score says which (a rollup cannot), as the score
  // insights read it: a boolean is worded as its share of yes.
  const names = [...new Set(rows.map((r) => r.group[r.group.length - 1]).filter((n): n is string => typeof n === 'string'))];
  const newest = await Promise.all(names.map((name) => store.listScores({ project, name, limit: 1 })));
  const booleans = new Set(names.filter((_, i) => newest[i]![0]?.kind === 'boolean'));
  return judgeScoreDrops(rows, now, rule, live, booleans);
}
