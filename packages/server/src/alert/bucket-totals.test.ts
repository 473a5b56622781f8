import { describe, expect, it } from 'vitest';
import type { RollupRow } from '../store/store.js';
import { createBucketTotals, sumGroups } from './bucket-totals.js';
import { BUILTIN_RULES } from './builtin-rules.js';
import { baselineRange } from './evaluate-rule.js';
import { totalsByGroup, type GroupTargets } from './figures.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const errorRule = BUILTIN_RULES.find((r) => r.id === 'builtin.error_rate')!;
const newDecision = BUILTIN_RULES.find((r) => r.id === 'builtin.new_decision')!;

/** A decision row in ALL_DIMENSIONS layout (agent, model, decision, span_type, provider). */
const row = (bucket: number, agent: string, decision: string, count: number, errors: number): RollupRow => ({
  bucket,
  group: [agent, null, decision, 'decision', null],
  count,
  errors,
  latency_sum: 10 * count,
  tokens_input: 0,
  tokens_output: 0,
  tokens_cache_read: 0,
  tokens_cache_write: 0,
  tokens_reasoning: 0,
  cost_usd: 0,
  confidence_sum: 0.5 * count,
  confidence_count: count,
  latency_hist: [],
});

describe('bucket totals', () => {
  it('sums a window from per-minute totals exactly as from its rows, and re-sums only a re-read minute', () => {
    const minutes = new Map<number, RollupRow[]>([
      [0, [row(0, 'a', 'refund', 3, 1), row(0, 'b', 'refund', 2, 0)]],
      [MINUTE, [row(MINUTE, 'a', 'refund', 4, 2)]],
      [2 * MINUTE, [row(2 * MINUTE, 'a', 'answer', 5, 0)]],
    ]);
    const bucketTotals = createBucketTotals();
    const window = () => sumGroups(bucketTotals('p', errorRule, minutes, 0, 3 * MINUTE).values());
    const counts = (m: ReturnType<typeof window>) => [...m.values()].map((g) => [g.key, g.totals.count, g.totals.errors]);
    expect(counts(window())).toEqual(counts(totalsByGroup(errorRule, [...minutes.values()].flat())));
    expect(counts(window())).toEqual([
      ['["a","refund"]', 7, 3],
      ['["b","refund"]', 2, 0],
      ['["a","answer"]', 5, 0],
    ]);

    const cachedFirstMinute = bucketTotals('p', errorRule, minutes, 0, 3 * MINUTE).get(0);
    minutes.set(MINUTE, [row(MINUTE, 'a', 'refund', 6, 5)]);
    const again = bucketTotals('p', errorRule, minutes, 0, 3 * MINUTE);
    expect(again.get(0)).toBe(cachedFirstMinute);
    expect(counts(sumGroups(again.values()))[0]).toEqual(['["a","refund"]', 9, 6]);
  });
});

describe('totalsByGroup with group targets', () => {
  it("resolves each shared group array to the rule's group once, with the same totals as without", () => {
    const refundA: (string | null)[] = ['a', null, 'refund', 'decision', null];
    const answerA: (string | null)[] = ['a', null, 'answer', 'decision', null];
    const llmA: (string | null)[] = ['a', 'gpt-4o', null, 'llm_call', null];
    const rows = [0, MINUTE].flatMap((b) => [
      { ...row(b, 'a', 'refund', 3, 1), group: refundA },
      { ...row(b, 'a', 'answer', 2, 0), group: answerA },
      { ...row(b, 'a', 'x', 4, 0), group: llmA },
      { ...row(b, 'a', 'refund', 1, 1), group: refundA },
    ]);
    const targets: GroupTargets = new Map();
    const counts = (m: ReturnType<typeof totalsByGroup>) => [...m.values()].map((g) => [g.key, g.labels, g.totals.count, g.totals.errors]);
    const withTargets = totalsByGroup(errorRule, rows, targets);
    expect(counts(withTargets)).toEqual([
      ['["a","refund"]', { agent: 'a', decision: 'refund' }, 8, 4],
      ['["a","answer"]', { agent: 'a', decision: 'answer' }, 4, 0],
    ]);
    expect(counts(withTargets)).toEqual(counts(totalsByGroup(errorRule, rows.map((r) => ({ ...r, group: [...r.group] })))));
    // Three arrays, each resolved once: the llm_call one to null (the rule's filter leaves it out).
    expect([...targets.entries()].map(([g, t]) => [g[2], t?.key ?? null])).toEqual([
      ['refund', '["a","refund"]'],
      ['answer', '["a","answer"]'],
      [null, null],
    ]);
  });
});

describe('baselineRange', () => {
  it('holds complete hours only: the last hour joins lateMs after it ends', () => {
    const at = (minutes: number) => baselineRange(errorRule, 10 * HOUR + minutes * MINUTE, 2 * MINUTE).to / HOUR;
    expect([at(1), at(2), at(30)]).toEqual([9, 10, 10]);
    // The new-decision rule already leaves out the last hour (its novelty window).
    expect(baselineRange(newDecision, 10 * HOUR + MINUTE, 2 * MINUTE).to / HOUR).toBe(9);
  });
});
