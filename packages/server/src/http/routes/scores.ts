// POST /v1/scores: judgements of traces, spans and sessions (model/score.ts), decoded and answered
// like /v1/events (one object, an array or NDJSON, gzip; partial rejection by index; 2xx only once
// durable; Idempotency-Key honoured). POST /api/traces/:id/scores is a reviewer's score (annotate
// scope). GET /api/scores lists a trace's or session's scores; GET /api/traces/:id/scores and
// GET /api/sessions/:id/scores are what the trace and session pages show (a session's with its
// traces'); GET /api/scores/rollup gives counts, means and label distributions by agent, model,
// decision, name and time; GET /api/scores/summary is the quality panel (query/score-summary.ts).

import type { Context, Hono } from 'hono';
import type { ScoreCreatedReply, ScoreRollupReply, ScoresReply, ScoreSummaryReply, SessionScoresReply, TraceScoresReply } from '@sightline/api';
import { decodeEventsBody } from '../../ingest/decode-body.js';
import { validateScoreBatch } from '../../ingest/score-batch.js';
import type { Score } from '../../model/score.js';
import { SCORE_SOURCES } from '../../model/score.js';
import { scoreSummary } from '../../query/score-summary.js';
import { SCORE_DIMENSIONS, type ScoreDimension, type ScoreFilter } from '../../store/score-store.js';
import type { IdempotencyRecord } from '../../store/store.js';
import { keyAllows } from '../auth.js';
import { readBody } from '../body.js';
import type { AppDeps, AppEnv } from '../context.js';
import { requireScope } from '../guard.js';
import { EVENT_REPLIES, commitOnceWith, type ReplyRecords } from '../ingest-commit.js';
import { BadParam, parseDuration, parseEnum, parseRange, parseTime } from '../params.js';
import { CODE_FOR_STATUS, fail } from '../respond.js';

const MAX_REPORTED_PROBLEMS = 1_000;
const MAX_PROBLEM_CHARS = 512;
const clip = (text: string) => (text.length <= MAX_PROBLEM_CHARS ? text : `${text.slice(0, MAX_PROBLEM_CHARS)}… (${text.length} characters)`);

/** Replies kept as /v1/events keeps them, under keys of their own route. */
const SCORE_REPLIES: ReplyRecords = { ...EVENT_REPLIES, route: 'scores' };

const MAX_LIST = 1_000;
const MAX_TEXT = 256;

/** Stores validated scores with their idempotency record; a Response when refused, null once durable. */
async function commitScores(c: Context<AppEnv>, deps: AppDeps, scores: Score[], idempotency?: IdempotencyRecord): Promise<Response | null> {
  if (deps.draining()) return fail(c, 503, 'store_unavailable', 'server is shutting down; retry against another node', 1_000);
  const rate = deps.rateLimit?.take(c.get('key').id, scores.length, deps.clock());
  if (rate && !rate.ok) return fail(c, 429, 'overloaded', rate.message, rate.retryAfterMs);
  await deps.store.appendScores(scores, idempotency === undefined ? {} : { idempotency: [idempotency] });
  deps.metrics?.onScores(scores);
  return null;
}

function text(c: Context<AppEnv>, name: string): string | undefined {
  const v = c.req.query(name);
  if (v === undefined || v === '') return undefined;
  if (v.length > MAX_TEXT) throw new BadParam(name, `is ${v.length} characters; the limit is ${MAX_TEXT}`);
  return v;
}

function scoreFilter(c: Context<AppEnv>): ScoreFilter {
  const filter: ScoreFilter = {};
  const source = c.req.query('source');
  if (source !== undefined) filter.source = parseEnum('source', source, SCORE_SOURCES);
  for (const key of ['name', 'agent', 'model', 'decision'] as const) {
    const v = text(c, key);
    if (v !== undefined) filter[key] = v;
  }
  return filter;
}

function scoreGroupBy(raw: string | undefined): ScoreDimension[] {
  if (!raw) return [];
  const dims = raw.split(',').map((d) => parseEnum('group_by', d.trim(), SCORE_DIMENSIONS));
  if (new Set(dims).size !== dims.length) throw new BadParam('group_by', 'names a dimension twice');
  return dims;
}

export function registerScoreRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post('/v1/scores', requireScope(deps.auth, 'ingest'), async (c) => {
    const read = await readBody(c.env.incoming, deps.limits.maxBodyBytes);
    if (!read.ok) return fail(c, 413, 'payload_too_large', read.message);
    const decoded = decodeEventsBody(read.body, c.req.header('content-type'), c.req.header('content-encoding'), deps.limits);
    if (!decoded.ok) return fail(c, decoded.status, CODE_FOR_STATUS[decoded.status] ?? 'bad_request', decoded.message.replace(/\bevents\b/g, 'scores'));
    const { scores, rejected } = validateScoreBatch(decoded.events, { project: c.get('key').project, now: deps.clock(), limits: deps.limits });
    const rejectedScores = new Set(rejected.map((p) => p.index)).size;
    const body = {
      accepted: scores.length,
      rejected: rejected.slice(0, MAX_REPORTED_PROBLEMS).map((p) => ({ index: p.index, field: clip(p.field), error: clip(p.error) })),
      rejected_events: rejectedScores,
    };
    if (scores.length === 0 && rejectedScores > 0) return c.json(body, 400);
    const reply = { contentType: 'application/json', body: JSON.stringify(body) };
    return commitOnceWith(c, deps, (idempotency) => commitScores(c, deps, scores, idempotency), reply, SCORE_REPLIES, read.body);
  });

  // A reviewer's score of one trace (or one of its spans) from the dashboard: source "human", the
  // author the key's prefix unless the body names one. The annotate scope allows this and reading.
  app.post('/api/traces/:id/scores', requireScope(deps.auth, 'annotate'), async (c) => {
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      return fail(c, 400, 'bad_request', 'body must be JSON: {"name": "...", "value": number|boolean|"category", "comment"?, "span_id"?, "score_id"?}');
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(c, 400, 'bad_request', 'body must be one JSON object');
    const key = c.get('key');
    const item = { author: `key ${key.prefix}…`, ...(raw as Record<string, unknown>), trace_id: c.req.param('id'), source: 'human' };
    const { scores, rejected } = validateScoreBatch([item], { project: key.project, now: deps.clock(), limits: deps.limits });
    if (scores.length === 0) return fail(c, 400, 'bad_request', rejected.map((p) => p.error).join('; '));
    const refused = await commitScores(c, deps, scores);
    return refused ?? c.json({ score: scores[0]! } satisfies ScoreCreatedReply, 201);
  });

  const read = requireScope(deps.auth, 'read');
  app.get('/api/scores', read, async (c) => {
    const project = c.get('key').project;
    const trace = text(c, 'trace_id');
    const session = text(c, 'session_id');
    const limitRaw = c.req.query('limit');
    const limit = limitRaw === undefined ? 100 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) throw new BadParam('limit', `must be an integer from 1 to ${MAX_LIST}`);
    const from = c.req.query('from');
    const to = c.req.query('to');
    const name = text(c, 'name');
    const scores = await deps.store.listScores({
      project,
      limit,
      ...(trace === undefined ? {} : { trace_id: trace }),
      ...(session === undefined ? {} : { session_id: session }),
      ...(name === undefined ? {} : { name }),
      ...(from === undefined ? {} : { from: parseTime('from', from) }),
      ...(to === undefined ? {} : { to: parseTime('to', to) }),
    });
    return c.json({ scores } satisfies ScoresReply);
  });

  // The trace page: its scores and its spans', and whether this key may add one (the reviewer's form).
  app.get('/api/traces/:id/scores', read, async (c) => {
    const key = c.get('key');
    const scores = await deps.store.listScores({ project: key.project, trace_id: c.req.param('id'), limit: MAX_LIST });
    const canScore = keyAllows(key, 'annotate');
    return c.json({
      trace_id: c.req.param('id'),
      scores,
      can_score: canScore,
      cannot_score_reason: canScore ? null : `this API key has the ${key.scopes.join(', ')} scope; scoring a trace needs a key with the annotate scope`,
    } satisfies TraceScoresReply);
  });

  app.get('/api/sessions/:id/scores', read, async (c) => {
    const scores = await deps.store.listSessionScores({ project: c.get('key').project, session_id: c.req.param('id'), limit: MAX_LIST });
    return c.json({ session_id: c.req.param('id'), scores } satisfies SessionScoresReply);
  });

  app.get('/api/scores/summary', read, async (c) => {
    const { from, to } = parseRange((n) => c.req.query(n), deps.clock(), 86_400_000);
    const agent = text(c, 'agent');
    const reply = await scoreSummary(deps.store, { project: c.get('key').project, from, to, now: deps.clock(), ...(agent === undefined ? {} : { agent }) });
    return c.json(reply satisfies ScoreSummaryReply);
  });

  app.get('/api/scores/rollup', read, async (c) => {
    const q = (n: string) => c.req.query(n);
    const { from, to } = parseRange(q, deps.clock(), 86_400_000);
    const bucketRaw = q('bucket');
    const bucketMs = bucketRaw === undefined ? Math.max(60_000, Math.ceil((to - from) / 60 / 60_000) * 60_000) : parseDuration('bucket', bucketRaw);
    if (bucketMs % 60_000 !== 0 || bucketMs === 0) throw new BadParam('bucket', 'must be a whole number of minutes, e.g. 1m, 1h or 1d');
    if ((to - from) / bucketMs > 10_000) throw new BadParam('bucket', `gives ${Math.ceil((to - from) / bucketMs)} buckets; at most 10000`);
    const groupBy = scoreGroupBy(q('group_by'));
    const rows = await deps.store.scoreRollup({ project: c.get('key').project, from, to, bucketMs, groupBy, filter: scoreFilter(c) });
    return c.json({
      from, to, bucket_ms: bucketMs, group_by: groupBy,
      rows: rows.map((r) => ({ ...r, mean: r.value_count === 0 ? null : r.value_sum / r.value_count })),
    } satisfies ScoreRollupReply);
  });
}
