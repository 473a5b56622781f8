// Scores for Prometheus, per project × score name × source, fed by every accepted /v1/scores and
// OTLP evaluation: how many arrived, and the sum and count of their numbers (a mean is
// sum / count in PromQL, e.g. rate(sightline_score_value_sum[1h]) / rate(sightline_score_value_count[1h])).
// Agent, model and decision are not labels: they come from the judged trace, which the store joins
// later (GET /api/scores/rollup). The agent metrics' cap (maxSeries) bounds the label sets here too.
// Counters count what was sent: a score sent again with its id (a revision) counts again.

import { Counter, Gauge, type Registry } from 'prom-client';
import type { Score } from '../../model/score.js';
import { labelText } from './agent-metrics.js';

export interface ScoreMetrics {
  record(scores: readonly Score[]): void;
}

interface Series {
  scores: { inc(v?: number): void };
  sum: { inc(v?: number): void };
  count: { inc(v?: number): void };
}

/** Dropped label sets remembered to count each once. */
const MAX_REMEMBERED_DROPS = 100_000;

export function createScoreMetrics(registry: Registry, maxSeries: number): ScoreMetrics {
  const registers = [registry];
  const labelNames = ['project', 'name', 'source'];
  const scoresTotal = new Counter({ name: 'sightline_scores_total', help: 'Scores received (numbers, booleans and categories).', labelNames, registers });
  // Not a Summary: a mean over any window is the ratio of the two increases, and they add up across
  // nodes. The sum is a gauge since a score may be negative (a counter cannot go down).
  const valueSum = new Gauge({ name: 'sightline_score_value_sum', help: 'Sum of numeric scores (booleans as 1 or 0); goes down for negative scores.', labelNames, registers });
  const valueCount = new Counter({ name: 'sightline_score_value_count', help: 'Numeric scores (booleans included): the divisor of the mean.', labelNames, registers });
  const droppedSeries = new Counter({ name: 'sightline_metrics_score_series_dropped_total', help: 'Score label sets not recorded because the cap was reached.', registers });
  const series = new Map<string, Series>();
  const dropped = new Set<string>();

  const admit = (s: Score): Series | null => {
    const key = JSON.stringify([s.project, s.name, s.source]);
    const known = series.get(key);
    if (known) return known;
    if (series.size >= maxSeries) {
      if (!dropped.has(key) && dropped.size < MAX_REMEMBERED_DROPS) {
        dropped.add(key);
        droppedSeries.inc();
      }
      return null;
    }
    const labels = { project: s.project, name: labelText(s.name), source: s.source };
    const created = { scores: scoresTotal.labels(labels), sum: valueSum.labels(labels), count: valueCount.labels(labels) };
    series.set(key, created);
    return created;
  };

  return {
    record(scores) {
      for (const s of scores) {
        const target = admit(s);
        if (target === null) continue;
        target.scores.inc();
        if (s.value !== null) {
          target.sum.inc(s.value);
          target.count.inc();
        }
      }
    },
  };
}
