// Read API for dashboards and tools: overview, time series, trace search (one trace's reads are in
// trace-detail.ts). Read scope; the project always comes from the key.

import type { Hono } from 'hono';
import { overview } from '../../query/overview.js';
import { MAX_POINTS, timeseries } from '../../query/timeseries.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { BadParam, parseBool, parseDuration, parseFilter, parseGroupBy, parseMetric, parseNumber, parseRange } from '../params.js';
import type { Overview, SeriesReply, TracesReply } from '@sightline/api';
import { traceMatchParams } from './trace-detail.js';

export function registerQueryRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const read = requireScope(deps.auth, 'read');

  app.get('/api/overview', read, async (c) => {
    const q = (n: string) => c.req.query(n);
    const { from, to } = parseRange(q, deps.clock());
    return c.json((await overview(deps.store, c.get('key').project, from, to, parseFilter(q), deps.clock())) satisfies Overview);
  });

  app.get('/api/timeseries', read, async (c) => {
    const q = (n: string) => c.req.query(n);
    const { from, to } = parseRange(q, deps.clock());
    const intervalMs = parseDuration('interval', q('interval') ?? '1m');
    if (intervalMs < 60_000 || intervalMs % 60_000 !== 0) throw new BadParam('interval', 'must be a whole number of minutes (1m … 1d)');
    if (intervalMs > 86_400_000) throw new BadParam('interval', 'may be at most 1d');
    const points = Math.ceil((to - from) / intervalMs);
    if (points > MAX_POINTS) {
      throw new BadParam('interval', `gives ${points} points over this range; the limit is ${MAX_POINTS} — use a wider interval`);
    }
    const series = await timeseries(deps.store, {
      project: c.get('key').project,
      metric: parseMetric(q),
      from,
      to,
      intervalMs,
      groupBy: parseGroupBy(q),
      filter: parseFilter(q),
    });
    return c.json({ series } satisfies SeriesReply);
  });

  app.get('/api/traces', read, async (c) => {
    const q = (n: string) => c.req.query(n);
    const { from, to } = parseRange(q, deps.clock(), 86_400_000);
    const filter = parseFilter(q);
    const search = {
      project: c.get('key').project,
      from,
      to,
      limit: parseNumber(q, 'limit', 1, 1000) ?? 100,
      ...(filter.agent !== undefined && { agent: filter.agent }),
      ...(filter.decision !== undefined && { decision: filter.decision }),
      ...(parseBool(q, 'errors') && { errors_only: true }),
    };
    const minLatency = parseNumber(q, 'min_latency_ms', 0, 86_400_000);
    const minCost = parseNumber(q, 'min_cost_usd', 0, 1e9);
    const text = q('text');
    if (text !== undefined && text.length > 256) throw new BadParam('text', `is ${text.length} characters; the limit is 256`);
    const traces = await deps.store.searchTraces({
      ...search,
      ...(minLatency !== undefined && { min_latency_ms: minLatency }),
      ...(minCost !== undefined && { min_cost_usd: minCost }),
      ...(text !== undefined && text !== '' && { text }),
      ...traceMatchParams(q, new URL(c.req.url).searchParams),
    });
    return c.json({ traces } satisfies TracesReply);
  });
}
