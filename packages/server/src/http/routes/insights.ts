// The insight engine over HTTP: regressions, cost by decision path, cohorts, decision
// distribution, token efficiency and correlated anomalies. Read scope; the project always comes
// from the key. POST /api/insights/materialize (admin) runs the hourly materializer now.

import type { Hono } from 'hono';
import { DIMENSIONS, type Dimension } from '../../model/span.js';
import { BAND_METRICS, type BandMetric } from '../../query/insights/bucket-scores.js';
import { analyseCohorts } from '../../query/insights/cohorts.js';
import { createAnalysisRunner } from '../../query/insights/analyses.js';
import { DEFAULT_DIMENSIONS, DEFAULT_METRICS } from '../../query/insights/correlations.js';
import { decisionDistribution } from '../../query/insights/decisions.js';
import { costByPath } from '../../query/insights/paths.js';
import { detectRegressions, type BaselineSpec } from '../../query/insights/regressions.js';
import { tokenEfficiency } from '../../query/insights/tokens.js';
import { scoreInsight } from '../../query/insights/scores.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { BadParam, parseDuration, parseEnum, parseFilter, parseNumber, parseRange, quoted, type Query } from '../params.js';
import type { CohortReport, CorrelationReport, DecisionReport, PathReport, RegressionReport, ScoreInsightReply } from '@sightline/api';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_BUCKETS = 2_000;

function parseInterval(q: Query, fallback: string, range: number): number {
  const ms = parseDuration('interval', q('interval') ?? fallback);
  if (ms < 60_000 || ms % 60_000 !== 0) throw new BadParam('interval', 'must be a whole number of minutes (1m … 1d)');
  if (ms > DAY) throw new BadParam('interval', 'may be at most 1d');
  if (range / ms > MAX_BUCKETS) throw new BadParam('interval', `gives ${Math.ceil(range / ms)} buckets over this range; the limit is ${MAX_BUCKETS}`);
  return ms;
}

function parseList<T extends string>(q: Query, name: string, allowed: readonly T[], fallback: T[]): T[] {
  const raw = q(name);
  if (raw === undefined || raw === '') return fallback;
  return raw.split(',').map((v) => parseEnum(name, v.trim(), allowed));
}

function parseKeys(q: Query): string[] | undefined {
  const raw = q('key');
  if (raw === undefined || raw === '') return undefined;
  const keys = raw.split(',').map((k) => k.trim());
  for (const k of keys) if (k.length === 0 || k.length > 64) throw new BadParam('key', `${quoted(k)}: a key must be 1..64 characters`);
  if (keys.length > 20) throw new BadParam('key', `names ${keys.length} keys; the limit is 20`);
  return keys;
}

function agentOf(q: Query): { agent?: string } {
  const agent = parseFilter(q).agent;
  return agent === undefined ? {} : { agent };
}

export function registerInsightRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const read = requireScope(deps.auth, 'read');
  const query = (c: { req: { query: (n: string) => string | undefined } }): Query => (n) => c.req.query(n);

  app.get('/api/insights/regressions', read, async (c) => {
    const q = query(c);
    const { from, to } = parseRange(q, deps.clock(), DAY);
    const intervalMs = parseInterval(q, '1h', to - from);
    const kind = parseEnum('baseline', q('baseline') ?? 'previous', ['previous', 'same_hour'] as const);
    const baseline: BaselineSpec =
      kind === 'previous'
        ? { kind, buckets: parseNumber(q, 'baseline_buckets', 3, 500) ?? 24 }
        : { kind, days: parseNumber(q, 'baseline_days', 1, 28) ?? 7 };
    if (kind === 'same_hour' && DAY % intervalMs !== 0) throw new BadParam('interval', 'must divide a day for baseline=same_hour');
    const filter = parseFilter(q);
    if (filter.errors_only) throw new BadParam('errors', 'is not available for regressions; use metric=error_rate');
    const confidence = parseNumber(q, 'confidence', 0.5, 0.999);
    const minSigma = parseNumber(q, 'min_sigma', 0, 100);
    return c.json(
      await detectRegressions(deps.store, {
        project: c.get('key').project,
        metric: parseEnum<BandMetric>('metric', q('metric') ?? 'latency_p95', BAND_METRICS),
        groupBy: parseEnum<Dimension>('group_by', q('group_by') ?? 'model', DIMENSIONS),
        from,
        to,
        intervalMs,
        baseline,
        filter,
        ...(confidence !== undefined && { confidence }),
        ...(minSigma !== undefined && { minSigma }),
        limit: parseNumber(q, 'limit', 1, 1000) ?? 50,
      }) satisfies RegressionReport,
    );
  });

  app.get('/api/insights/paths', read, async (c) => {
    const q = query(c);
    const { from, to } = parseRange(q, deps.clock(), DAY);
    return c.json(await costByPath(deps.store, { project: c.get('key').project, from, to, ...agentOf(q), limit: parseNumber(q, 'limit', 1, 1000) ?? 50, now: deps.clock() }) satisfies PathReport);
  });

  app.get('/api/insights/cohorts', read, async (c) => {
    const q = query(c);
    const { from, to } = parseRange(q, deps.clock(), DAY);
    const keys = parseKeys(q);
    const fdr = parseNumber(q, 'fdr', 0.0001, 0.5);
    const minLift = parseNumber(q, 'min_lift', 1, 100);
    const minDiff = parseNumber(q, 'min_diff', 0, 1);
    const minUnits = parseNumber(q, 'min_units', 1, 1e9);
    return c.json(
      await analyseCohorts(deps.store, {
        project: c.get('key').project,
        from,
        to,
        ...(keys !== undefined && { keys }),
        ...agentOf(q),
        ...(fdr !== undefined && { fdr }),
        ...(minLift !== undefined && { minLift }),
        ...(minDiff !== undefined && { minDiff }),
        ...(minUnits !== undefined && { minUnits }),
        limit: parseNumber(q, 'limit', 1, 1000) ?? 100,
      }) satisfies CohortReport,
    );
  });

  app.get('/api/insights/decisions', read, async (c) => {
    const q = query(c);
    const { from, to } = parseRange(q, deps.clock(), DAY);
    // About 48 points by default: whole hours for long ranges, minutes for short ones.
    const auto = to - from >= 2 * DAY ? `${Math.ceil((to - from) / 48 / HOUR)}h` : `${Math.max(1, Math.ceil((to - from) / 48 / 60_000))}m`;
    const lookback = q('lookback') === undefined ? undefined : parseDuration('lookback', q('lookback')!);
    if (lookback !== undefined && (lookback < HOUR || lookback > 90 * DAY)) throw new BadParam('lookback', 'must be within 1h..90d');
    return c.json(
      await decisionDistribution(deps.store, {
        project: c.get('key').project,
        from,
        to,
        intervalMs: parseInterval(q, auto, to - from),
        ...agentOf(q),
        ...(lookback !== undefined && { lookbackMs: lookback }),
      }) satisfies DecisionReport,
    );
  });

  app.get('/api/insights/tokens', read, async (c) => {
    const q = query(c);
    const { from, to } = parseRange(q, deps.clock(), DAY);
    const groupBy = parseEnum('group_by', q('group_by') ?? 'agent', ['agent', 'model'] as const);
    return c.json(await tokenEfficiency(deps.store, { project: c.get('key').project, from, to, groupBy }));
  });

  app.get('/api/insights/correlations', read, async (c) => {
    const q = query(c);
    const { from, to } = parseRange(q, deps.clock(), HOUR);
    const minSigma = parseNumber(q, 'min_sigma', 0, 100);
    return c.json(
      await (deps.analyses ?? createAnalysisRunner(deps.store))('correlations', {
        project: c.get('key').project,
        from,
        to,
        intervalMs: parseInterval(q, '5m', to - from),
        baselineBuckets: parseNumber(q, 'baseline_buckets', 3, 500) ?? 12,
        dimensions: parseList<Dimension>(q, 'dimensions', DIMENSIONS, DEFAULT_DIMENSIONS),
        metrics: parseList<BandMetric>(q, 'metrics', BAND_METRICS, DEFAULT_METRICS),
        ...(minSigma !== undefined && { minSigma }),
        limit: parseNumber(q, 'limit', 1, 200) ?? 20,
      }) satisfies CorrelationReport,
    );
  });

  // One score name in a window against the `baseline` before it (default 7d): drift, by decision
  // and by model with intervals and significance, and what explains a drop (query/insights/scores.ts).
  app.get('/api/insights/scores', read, async (c) => {
    const q = query(c);
    const name = q('name');
    if (name === undefined || name === '' || name.length > 256) throw new BadParam('name', 'required: the score name (at most 256 characters), e.g. name=helpfulness');
    const range = parseRange(q, deps.clock(), DAY);
    const from = Math.floor(range.from / 60_000) * 60_000;
    const to = Math.ceil(range.to / 60_000) * 60_000;
    const baselineMs = parseDuration('baseline', q('baseline') ?? '7d');
    if (baselineMs < HOUR || baselineMs > 90 * DAY) throw new BadParam('baseline', 'must be from 1h to 90d');
    const baselineTo = Math.floor(from / HOUR) * HOUR;
    const report = await scoreInsight(deps.store, {
      project: c.get('key').project, name, ...agentOf(q), from, to, baselineFrom: baselineTo - baselineMs, baselineTo,
    });
    return c.json(report satisfies ScoreInsightReply);
  });

  app.post('/api/insights/materialize', requireScope(deps.auth, 'admin'), async (c) => {
    return c.json(await deps.store.materializeInsights({ now: deps.clock() }));
  });
}
