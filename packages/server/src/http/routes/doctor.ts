// GET /api/doctor (read scope, the key's project): the telemetry doctor's report (query/doctor)
// for ?range= (default 24h) or ?from=&to=; ?grace= sets how long a parent may take to arrive
// (default 60s); ?limit= caps the lists (default 20).

import type { Hono } from 'hono';
import { DEFAULT_GRACE_MS, diagnose } from '../../query/doctor/report.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { BadParam, parseDuration, parseNumber, parseRange, type Query } from '../params.js';
import type { DoctorReport } from '@sightline/api';

const DAY_MS = 86_400_000;
/** The doctor reads raw spans: a month bounds one request's scan. */
const MAX_RANGE_MS = 31 * DAY_MS;

export function registerDoctorRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get('/api/doctor', requireScope(deps.auth, 'read'), async (c) => {
    const q: Query = (n) => c.req.query(n);
    const now = deps.clock();
    const { from, to } = parseRange(q, now, DAY_MS);
    if (to - from > MAX_RANGE_MS) throw new BadParam('range', 'may span at most 31 days for the doctor (it reads every span)');
    const grace = q('grace');
    const graceMs = grace === undefined ? DEFAULT_GRACE_MS : parseDuration('grace', grace);
    const limit = parseNumber(q, 'limit', 1, 200) ?? 20;
    if (!Number.isInteger(limit)) throw new BadParam('limit', `${limit} is not a whole number`);
    return c.json((await diagnose(deps.store, { project: c.get('key').project, from, to, now, graceMs, limit })) satisfies DoctorReport);
  });
}
