// The quality panel's figures (GET /api/scores/summary): every score name of a range, optionally
// one agent's, with its count, mean (booleans: the share of yes) and labels, against the previous
// covered period. Covered time as covered.ts has it for spans, but from the first *score*: scores
// that began an hour ago, viewed over 7 days, compare that hour with the hour before (none).

import type { ScoreNameSummary, ScorePeriod, ScoreSummaryReply } from '@sightline/api';
import type { ScoreRollupRow, ScoreStore } from '../store/score-store.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Longer ranges are read in hourly buckets (their covered start is then the first score's hour). */
const MINUTE_BUCKETS_UP_TO = 2 * 86_400_000;
/** The panel shows this many names, those with the most scores first. */
const MAX_NAMES = 20;

export interface ScoreSummaryRequest {
  project: string;
  from: number;
  to: number;
  now: number;
  agent?: string;
}

interface Sums {
  count: number;
  n: number;
  sum: number;
  labels: Record<string, number>;
}

const emptySums = (): Sums => ({ count: 0, n: 0, sum: 0, labels: {} });

function add(s: Sums, r: ScoreRollupRow): void {
  s.count += r.count;
  s.n += r.value_count;
  s.sum += r.value_sum;
  for (const [label, k] of Object.entries(r.labels)) s.labels[label] = (s.labels[label] ?? 0) + k;
}

const period = (s: Sums): ScorePeriod => ({ count: s.count, mean: s.n === 0 ? null : s.sum / s.n, labels: s.labels });

/**
 * @example await scoreSummary(store, { project: 'default', from: now - DAY, to: now, now })
 */
export async function scoreSummary(store: ScoreStore, req: ScoreSummaryRequest): Promise<ScoreSummaryReply> {
  const bucketMs = req.to - req.from <= MINUTE_BUCKETS_UP_TO ? MINUTE : HOUR;
  const from = Math.floor(req.from / bucketMs) * bucketMs;
  const end = Math.max(from, Math.min(req.to, req.now));
  const filter = req.agent === undefined ? {} : { agent: req.agent };
  // One read covers the range and the period of equal length before it.
  const rows = end > from ? await store.scoreRollup({ project: req.project, from: from - (end - from), to: end, bucketMs, groupBy: ['name'], filter }) : [];
  const reply: ScoreSummaryReply = { from: req.from, to: req.to, covered: null, previous_covered: null, names: [] };
  const first = rows.reduce<number | null>((m, r) => (m === null || r.bucket < m ? r.bucket : m), null);
  if (first === null) return reply;
  const start = Math.max(from, first);
  const covered = start >= end ? null : { from: start, to: end };
  const length = covered ? covered.to - covered.from : end - from;
  const previous = first >= start ? null : { from: Math.max(start - length, first), to: start };
  reply.covered = covered;
  reply.previous_covered = previous;
  const byName = new Map<string, { now: Sums; before: Sums }>();
  for (const r of rows) {
    const inNow = covered !== null && r.bucket >= covered.from && r.bucket < covered.to;
    const inBefore = previous !== null && r.bucket >= previous.from && r.bucket < previous.to;
    if (!inNow && !inBefore) continue;
    const name = r.group[0] ?? '';
    let entry = byName.get(name);
    if (entry === undefined) byName.set(name, (entry = { now: emptySums(), before: emptySums() }));
    add(inNow ? entry.now : entry.before, r);
  }
  const ranked = [...byName.entries()]
    .sort((a, b) => b[1].now.count - a[1].now.count || b[1].before.count - a[1].before.count || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_NAMES);
  reply.names = await Promise.all(
    ranked.map(async ([name, { now, before }]): Promise<ScoreNameSummary> => {
      // A name keeps one kind in practice; its newest score says which (a rollup cannot).
      const [newest] = await store.listScores({ project: req.project, name, limit: 1 });
      const current = period(now);
      const prior = before.count === 0 ? null : period(before);
      return {
        name,
        kind: newest?.kind ?? (now.n + before.n === 0 ? 'category' : 'number'),
        current,
        previous: prior,
        mean_change: current.mean === null || prior?.mean == null ? null : current.mean - prior.mean,
      };
    }),
  );
  return reply;
}
