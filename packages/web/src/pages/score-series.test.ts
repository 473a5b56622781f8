import { describe, expect, it } from 'vitest';
import type { Score, ScoreRollupPoint } from '@sightline/api';
import { meanSeries } from './score-series';
import { mergeScores } from './trace-scores';

const MIN = 60_000;
const row = (bucket: number, name: string, mean: number | null): ScoreRollupPoint => ({
  bucket, group: [name], count: 1, value_count: mean === null ? 0 : 1, value_sum: mean ?? 0, value_sq_sum: (mean ?? 0) ** 2, labels: {}, mean,
});

describe('score means over time', () => {
  it('puts every bucket of the range on each numeric name, null where it has no score, and leaves categories out', () => {
    const series = meanSeries({
      from: 10 * MIN + 5_000, to: 14 * MIN, bucket_ms: MIN, group_by: ['name'],
      rows: [row(10 * MIN, 'thumbs', 1), row(12 * MIN, 'helpfulness', 0.4), row(12 * MIN, 'resolved', null), row(13 * MIN, 'thumbs', 0.5)],
    });
    expect(series).toEqual([
      { group: 'helpfulness', points: [[10 * MIN, null], [11 * MIN, null], [12 * MIN, 0.4], [13 * MIN, null]] },
      { group: 'thumbs', points: [[10 * MIN, 1], [11 * MIN, null], [12 * MIN, null], [13 * MIN, 0.5]] },
    ]);
  });
});

describe("the reviewer's stored scores", () => {
  const score = (score_id: string, value: number): Score => ({
    project: 'default', score_id, timestamp: 0, target: 'trace', trace_id: 't', span_id: null, session_id: null, name: 'x', kind: 'number', value, label: null,
    source: 'human', comment: null, author: null, ingested_at: 0,
  });
  it('come first and once, whether or not the list read since has them', () => {
    expect(mergeScores([score('new', 1)], [score('new', 1), score('old', 0)]).map((s) => s.score_id)).toEqual(['new', 'old']);
    expect(mergeScores([score('new', 1)], [score('old', 0)]).map((s) => s.score_id)).toEqual(['new', 'old']);
  });
});
