// Reads of the insight engine (/api/insights/...) the pages share, typed with the API contract
// (@sightline/api; how each figure is made: packages/server/src/query/insights/README.md). The
// dashboard shows these figures as the API gives them: nothing statistical is recomputed in the browser.

import type { BandStatus, DecisionReport, Point, RegressionReport, Series } from '@sightline/api';
import { qs } from '../api/client';
import type { Band, Marks } from '../components/time-chart';
import type { TimeRange } from '../state/time-range';
import { rangeParams } from '../state/time-range';
import { SLOW_REFRESH_MS } from '../state/live-ticks';
import { useApi, type Load } from '../state/use-api';

// ---- regressions -------------------------------------------------------------------------

export interface BandedSeries {
  group: string;
  series: Series[];
  band: Band;
  marks: Marks;
  outOfBand: number;
}

/** One group of a regression report as a chart: its line, the band (low/high), the out-of-band buckets. */
export function bandedSeries(report: RegressionReport, group: string): BandedSeries | null {
  const s = report.series.find((x) => x.group === group);
  if (!s) return null;
  const line: Point[] = s.points.map((p) => [p.bucket, p.value]);
  const at = (st: BandStatus): Point[] => s.points.map((p) => [p.bucket, p.status === st ? p.value : null]);
  const above = at('above');
  const below = at('below');
  return {
    group,
    series: [{ group, points: line }],
    band: { lower: s.points.map((p) => [p.bucket, p.low]), upper: s.points.map((p) => [p.bucket, p.high]) },
    marks: { above, below },
    outOfBand: s.points.filter((p) => p.status === 'above' || p.status === 'below').length,
  };
}

/** The group to show first: the worst regression's, else the group with the most spans. */
export function defaultGroup(report: RegressionReport): string | null {
  const worst = report.regressions.find((r) => r.worse) ?? report.regressions[0];
  if (worst) return worst.group;
  let best: string | null = null;
  let most = -1;
  for (const s of report.series) {
    const n = s.points.reduce((a, p) => a + p.count, 0);
    if (n > most) [best, most] = [s.group, n];
  }
  return best;
}

/**
 * Buckets of at least 5 minutes: the engine judges a bucket only from 20 spans, and 1-minute
 * buckets of one group are often thinner than that (no band at all).
 */
export function bandInterval(t: TimeRange): string {
  return t.intervalMs < 300_000 ? '5m' : t.interval;
}

export function regressionsUrl(metric: string, groupBy: string, t: TimeRange, agent: string | null): string {
  return `/api/insights/regressions${qs({ metric, group_by: groupBy, ...rangeParams(t), interval: bandInterval(t), agent, limit: 50 })}`;
}

export function useRegressions(metric: string, groupBy: string, t: TimeRange, agent: string | null, tick: number): Load<RegressionReport> {
  return useApi<RegressionReport>(regressionsUrl(metric, groupBy, t, agent), tick, { everyMs: SLOW_REFRESH_MS });
}


/** Entropy per agent over time, as chart series (buckets without decisions are gaps). */
export function entropySeries(report: DecisionReport): Series[] {
  return report.agents
    .map((a) => ({ group: a.agent, points: a.series.map((b): Point => [b.bucket, b.total > 0 ? b.entropy_bits : null]) }))
    .sort((a, b) => (a.group < b.group ? -1 : 1));
}
