// Conformance suite for the score slice (score-store.ts): every backend's test calls
// runScoreConformance. Replacement by id, reads by trace and session (with its traces' scores), rollups by agent, model,
// decision, name and time with counts, sums and label distributions, export paging and retention.

import { describe, expect, it } from 'vitest';
import type { Score } from '../model/score.js';
import type { ScoreCursor } from './score-store.js';
import { makeSpan } from './store-fixtures.case.js';
import type { Store } from './store.js';

const T = Date.UTC(2026, 2, 1, 10);
const MIN = 60_000;

/** A fully specified score; override what a test cares about. */
export function makeScore(over: Partial<Score> = {}): Score {
  return {
    project: 'alpha', score_id: 'sc-1', timestamp: T, target: 'trace', trace_id: 'trace-1', span_id: null, session_id: null,
    name: 'helpfulness', kind: 'number', value: 0.5, label: null, source: 'evaluator', comment: null, author: null, ingested_at: T,
    ...over,
  };
}

/** Two agents: support's traces chose "refund" on gpt-4o, billing's chose "escalate" on claude; one session. */
async function seedTraces(store: Store): Promise<void> {
  await store.append([
    makeSpan({ project: 'alpha', trace_id: 'ta', span_id: 'a1', timestamp: T - 5 * MIN, agent_id: 'support', model: 'gpt-4o', decision_made: null, session_id: 'chat-1' }),
    makeSpan({ project: 'alpha', trace_id: 'ta', span_id: 'a2', timestamp: T - 4 * MIN, agent_id: 'support', model: null, span_type: 'decision', decision_made: 'refund', session_id: 'chat-1' }),
    makeSpan({ project: 'alpha', trace_id: 'tb', span_id: 'b1', timestamp: T - 3 * MIN, agent_id: 'billing', model: 'claude-3', decision_made: 'escalate', session_id: 'chat-2' }),
    makeSpan({ project: 'alpha', trace_id: 'tc', span_id: 'c1', timestamp: T - 2 * MIN, agent_id: 'support', model: 'gpt-4o', decision_made: 'refund', session_id: 'chat-1' }),
  ]);
}

export function runScoreConformance(name: string, newStore: () => Promise<Store>): void {
  describe(`${name}: scores`, () => {
    it('stores every field, replaces a score sent again with the same id, and lists by trace and session newest first', async () => {
      const store = await newStore();
      try {
        const full = makeScore({ score_id: 'f1', target: 'span', trace_id: 'ta', span_id: 'a1', session_id: 'chat-1', kind: 'number', value: 0.25, label: 'poor',
          source: 'human', comment: 'missed the refund policy', author: 'rev@example.com', timestamp: T + 1_000 });
        await store.appendScores([
          full,
          makeScore({ score_id: 'f2', target: 'trace', trace_id: 'ta', name: 'thumbs', kind: 'boolean', value: 1, source: 'user', timestamp: T + 2_000 }),
          makeScore({ score_id: 's1', target: 'session', trace_id: null, session_id: 'chat-1', name: 'resolved', kind: 'category', value: null, label: 'yes', timestamp: T + 3_000 }),
          makeScore({ score_id: 'x1', project: 'beta', trace_id: 'ta', timestamp: T + 4_000 }),
        ]);
        // The user flips their thumbs: same id, later ingest; and the same call sends f2 twice.
        await store.appendScores([
          makeScore({ score_id: 'f2', target: 'trace', trace_id: 'ta', name: 'thumbs', kind: 'boolean', value: 1, source: 'user', timestamp: T + 2_000, ingested_at: T + 9_000 }),
          makeScore({ score_id: 'f2', target: 'trace', trace_id: 'ta', name: 'thumbs', kind: 'boolean', value: 0, source: 'user', timestamp: T + 2_000, ingested_at: T + 9_000 }),
        ]);
        const ofTrace = await store.listScores({ project: 'alpha', trace_id: 'ta', limit: 10 });
        expect(ofTrace.map((s) => [s.score_id, s.value])).toEqual([['f2', 0], ['f1', 0.25]]);
        expect(ofTrace[1]).toEqual(full);
        const ofSession = await store.listScores({ project: 'alpha', session_id: 'chat-1', limit: 10 });
        expect(ofSession.map((s) => s.score_id)).toEqual(['s1', 'f1']);
        expect(ofSession[0]).toEqual(makeScore({ score_id: 's1', target: 'session', trace_id: null, session_id: 'chat-1', name: 'resolved', kind: 'category', value: null, label: 'yes', timestamp: T + 3_000 }));
        expect((await store.listScores({ project: 'alpha', from: T + 1_500, to: T + 2_500, limit: 10 })).map((s) => s.score_id)).toEqual(['f2']);
        expect((await store.listScores({ project: 'alpha', name: 'helpfulness', limit: 10 })).map((s) => s.score_id)).toEqual(['f1']);
        expect((await store.listScores({ project: 'beta', limit: 10 })).map((s) => s.score_id)).toEqual(['x1']);
      } finally {
        await store.close();
      }
    });

    it("lists a session's scores with those of its traces and spans that do not name the session, newest first", async () => {
      const store = await newStore();
      try {
        await seedTraces(store);
        await store.appendScores([
          makeScore({ score_id: 'p1', trace_id: 'ta', value: 0.2, timestamp: T + 1_000 }),
          makeScore({ score_id: 'p2', target: 'span', trace_id: 'tc', span_id: 'c1', name: 'thumbs', kind: 'boolean', value: 1, source: 'user', timestamp: T + 2_000 }),
          makeScore({ score_id: 'p3', target: 'session', trace_id: null, session_id: 'chat-1', name: 'resolved', kind: 'category', value: null, label: 'yes', timestamp: T + 3_000 }),
          makeScore({ score_id: 'p4', trace_id: 'tb', value: 0.9, timestamp: T + 4_000 }),
          makeScore({ score_id: 'p5', trace_id: 'tz', session_id: 'chat-1', value: 0.4, timestamp: T + 5_000 }),
          makeScore({ score_id: 'p6', project: 'beta', trace_id: 'ta', timestamp: T + 6_000 }),
        ]);
        // A revised p1 (same id, later ingest) is what the session shows.
        await store.appendScores([makeScore({ score_id: 'p1', trace_id: 'ta', value: 0.7, timestamp: T + 1_000, ingested_at: T + 9_000 })]);
        const of = await store.listSessionScores({ project: 'alpha', session_id: 'chat-1', limit: 10 });
        expect(of.map((x) => [x.score_id, x.value ?? x.label])).toEqual([['p5', 0.4], ['p3', 'yes'], ['p2', 1], ['p1', 0.7]]);
        expect((await store.listSessionScores({ project: 'alpha', session_id: 'chat-1', limit: 2 })).map((x) => x.score_id)).toEqual(['p5', 'p3']);
        expect((await store.listSessionScores({ project: 'alpha', session_id: 'chat-2', limit: 10 })).map((x) => x.score_id)).toEqual(['p4']);
        expect(await store.listSessionScores({ project: 'beta', session_id: 'chat-1', limit: 10 })).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('rolls up by agent, model and decision taken from the judged trace or session, by name and by time', async () => {
      const store = await newStore();
      try {
        await seedTraces(store);
        await store.appendScores([
          makeScore({ score_id: 'h1', trace_id: 'ta', value: 0.2, timestamp: T + 1 * MIN }),
          makeScore({ score_id: 'h2', trace_id: 'tb', value: 0.9, timestamp: T + 2 * MIN }),
          makeScore({ score_id: 'h3', target: 'span', trace_id: 'tc', span_id: 'c1', value: 0.6, timestamp: T + 3 * MIN, label: 'ok' }),
          makeScore({ score_id: 'u1', trace_id: 'ta', name: 'thumbs', kind: 'boolean', value: 0, source: 'user', timestamp: T + 1 * MIN }),
          makeScore({ score_id: 'c1', target: 'session', trace_id: null, session_id: 'chat-2', name: 'resolved', kind: 'category', value: null, label: 'no', timestamp: T + 2 * MIN }),
          makeScore({ score_id: 'c2', target: 'session', trace_id: null, session_id: 'chat-1', name: 'resolved', kind: 'category', value: null, label: 'yes', timestamp: T + 61 * MIN }),
          // Its trace is unknown: no agent, model or decision.
          makeScore({ score_id: 'h4', trace_id: 'gone', value: 1, timestamp: T + 4 * MIN }),
        ]);
        const q = { project: 'alpha', from: T, to: T + 2 * 60 * MIN, bucketMs: 60 * MIN };
        expect(await store.scoreRollup({ ...q, groupBy: ['agent', 'name'], filter: {} })).toEqual([
          { bucket: T, group: ['billing', 'helpfulness'], count: 1, value_count: 1, value_sum: 0.9, value_sq_sum: 0.81, labels: {} },
          { bucket: T, group: ['billing', 'resolved'], count: 1, value_count: 0, value_sum: 0, value_sq_sum: 0, labels: { no: 1 } },
          { bucket: T, group: ['support', 'helpfulness'], count: 2, value_count: 2, value_sum: 0.8, value_sq_sum: 0.4, labels: { ok: 1 } },
          { bucket: T, group: ['support', 'thumbs'], count: 1, value_count: 1, value_sum: 0, value_sq_sum: 0, labels: {} },
          { bucket: T, group: [null, 'helpfulness'], count: 1, value_count: 1, value_sum: 1, value_sq_sum: 1, labels: {} },
          { bucket: T + 60 * MIN, group: ['support', 'resolved'], count: 1, value_count: 0, value_sum: 0, value_sq_sum: 0, labels: { yes: 1 } },
        ].map((r) => ({ ...r, value_sum: expect.closeTo(r.value_sum, 12), value_sq_sum: expect.closeTo(r.value_sq_sum, 12) })));
        const byDecision = await store.scoreRollup({ ...q, bucketMs: 2 * 60 * MIN, groupBy: ['decision', 'model'], filter: { name: 'helpfulness' } });
        expect(byDecision.map((r) => [r.group, r.count, r.value_count])).toEqual([
          [['escalate', 'claude-3'], 1, 1],
          [['refund', 'gpt-4o'], 2, 2],
          [[null, null], 1, 1],
        ]);
        // By the score's own columns only: no spans are read.
        const byName = await store.scoreRollup({ ...q, bucketMs: 2 * 60 * MIN, groupBy: ['source', 'name'], filter: {} });
        expect(byName.map((r) => [r.group, r.count, r.value_count, r.labels])).toEqual([
          [['evaluator', 'helpfulness'], 4, 4, { ok: 1 }],
          [['evaluator', 'resolved'], 2, 0, { no: 1, yes: 1 }],
          [['user', 'thumbs'], 1, 1, {}],
        ]);
        const supportUsers = await store.scoreRollup({ ...q, groupBy: [], filter: { agent: 'support', source: 'user' } });
        expect(supportUsers).toEqual([{ bucket: T, group: [], count: 1, value_count: 1, value_sum: 0, value_sq_sum: 0, labels: {} }]);
        await expect(store.scoreRollup({ ...q, bucketMs: 1_000, groupBy: [], filter: {} })).rejects.toMatchObject({ code: 'QUERY_INVALID' });
      } finally {
        await store.close();
      }
    });

    it('sums numeric scores by attribute value of the judged trace, each score once per pair, for score cohorts', async () => {
      const store = await newStore();
      try {
        // Three traces of support (two with tier gold, one spread over two spans), one of billing (gold), one trace never seen.
        await store.append([
          makeSpan({ project: 'alpha', trace_id: 'g1', span_id: 'r', timestamp: T - 5 * MIN, agent_id: 'support', attributes: { tier: 'gold', region: 'eu' } }),
          makeSpan({ project: 'alpha', trace_id: 'g1', span_id: 'c', timestamp: T - 4 * MIN, agent_id: 'support', attributes: { tier: 'gold', retries: 2, nested: { a: 1 } } }),
          makeSpan({ project: 'alpha', trace_id: 'g2', span_id: 'r', timestamp: T - 3 * MIN, agent_id: 'support', attributes: { tier: 'gold', beta: true } }),
          makeSpan({ project: 'alpha', trace_id: 'f1', span_id: 'r', timestamp: T - 2 * MIN, agent_id: 'support', attributes: { tier: 'free', region: 'us' } }),
          makeSpan({ project: 'alpha', trace_id: 'b1', span_id: 'r', timestamp: T - 2 * MIN, agent_id: 'billing', attributes: { tier: 'gold' } }),
          // Too old to lend a score its context (more than a day before the range).
          makeSpan({ project: 'alpha', trace_id: 'old', span_id: 'r', timestamp: T - 2 * 86_400_000, agent_id: 'support', attributes: { tier: 'gold' } }),
        ]);
        const sc = (id: string, trace: string, value: number | null, over: Partial<Score> = {}) => makeScore({ score_id: id, trace_id: trace, value, ...over });
        await store.appendScores([
          sc('1', 'g1', 0.2), sc('2', 'g1', 0.4), sc('3', 'g2', 0.6), sc('4', 'f1', 1), sc('5', 'b1', 0.5), sc('6', 'old', 0.9), sc('7', 'nowhere', 0.7),
          sc('8', 'g1', null, { kind: 'category', label: 'meh' }),
          sc('9', 'g1', 0.1, { name: 'thumbs' }),
          sc('10', 'g1', 0.3, { target: 'span', span_id: 'c' }),
          sc('11', null as unknown as string, 0.8, { target: 'session', trace_id: null, session_id: 'chat-1' }),
          sc('12', 'g1', 0.9, { timestamp: T + 3_600_000 }),
          sc('13', 'g1', 0.9, { project: 'beta' }),
        ]);
        const q = { project: 'alpha', from: T, to: T + 60_000, name: 'helpfulness', minCount: 1 };
        const sums = (...xs: number[]) => ({ n: xs.length, sum: expect.closeTo(xs.reduce((a, x) => a + x, 0), 9), sum_sq: expect.closeTo(xs.reduce((a, x) => a + x * x, 0), 9) });
        // Numeric trace and span scores of the name in the range: 1, 2, 3, 4, 5, 6, 7 and 10.
        const all = await store.scoreCohorts(q);
        expect(all.total).toEqual(sums(0.2, 0.4, 0.6, 1, 0.5, 0.9, 0.7, 0.3));
        expect(all.rows).toEqual([
          { key: 'beta', value: 'true', ...sums(0.6) },
          { key: 'region', value: 'eu', ...sums(0.2, 0.4, 0.3) },
          { key: 'region', value: 'us', ...sums(1) },
          { key: 'retries', value: '2', ...sums(0.2, 0.4, 0.3) },
          { key: 'tier', value: 'free', ...sums(1) },
          { key: 'tier', value: 'gold', ...sums(0.2, 0.4, 0.6, 0.5, 0.3) },
        ]);
        const support = await store.scoreCohorts({ ...q, agent: 'support', keys: ['tier'], minCount: 2 });
        expect(support).toEqual({ total: sums(0.2, 0.4, 0.6, 1, 0.3), rows: [{ key: 'tier', value: 'gold', ...sums(0.2, 0.4, 0.6, 0.3) }] });
        expect(await store.scoreCohorts({ ...q, name: 'nothing' })).toEqual({ total: { n: 0, sum: 0, sum_sq: 0 }, rows: [] });
      } finally {
        await store.close();
      }
    });

    it('exports every score once in (timestamp, score_id) order and deletes those before a cutoff', async () => {
      const store = await newStore();
      try {
        const scores = Array.from({ length: 11 }, (_, i) => makeScore({ score_id: `e${String(i).padStart(2, '0')}`, timestamp: T + Math.floor(i / 3) * 1_000 }));
        await store.appendScores([...scores, makeScore({ score_id: 'late', timestamp: T + 3_600_000 }), makeScore({ project: 'beta', score_id: 'b' })]);
        const seen: string[] = [];
        let after: ScoreCursor | null = null;
        for (;;) {
          const page = await store.exportScores({ project: 'alpha', from: T, to: T + 60_000 }, after, 4);
          seen.push(...page.map((s) => s.score_id));
          const last = page[page.length - 1];
          if (page.length < 4 || last === undefined) break;
          after = { timestamp: last.timestamp, score_id: last.score_id };
        }
        expect(seen).toEqual(scores.map((s) => s.score_id));
        expect(await store.deleteScoresBefore(T + 2_000)).toEqual({ scores: 7 });
        const left = await store.listScores({ project: 'alpha', limit: 100 });
        expect(left.map((s) => s.score_id)).toEqual(['late', 'e09', 'e10', 'e06', 'e07', 'e08']);
        expect((await store.listScores({ project: 'beta', limit: 10 })).length).toBe(0);
      } finally {
        await store.close();
      }
    });
  });
}
