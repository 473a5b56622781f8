import { describe, expect, it } from 'vitest';
import { parseRule } from './rule.js';

const valid = { id: 'slow-refunds', name: 'Slow refunds', metric: 'latency_p95', filter: { decision: 'refund' }, condition: { type: 'above', value: 2000 } };

describe('parseRule', () => {
  it('fills defaults for a minimal rule', () => {
    const r = parseRule(valid);
    expect(r.ok && [r.rule.windowMs, r.rule.forEvaluations, r.rule.minSamples, r.rule.severity]).toEqual([900_000, 2, 20, 'warning']);
  });

  it('names the bad field', () => {
    const cases: [unknown, string][] = [
      [{ ...valid, metric: 'vibes' }, 'metric'],
      [{ ...valid, condition: { type: 'sigma', k: -1 } }, 'condition.k'],
      [{ ...valid, groupBy: ['agent', 'colour'] }, 'groupBy.1'],
      [{ ...valid, windowMs: 90_000 }, 'windowMs'],
      [{ ...valid, condition: { type: 'new_value' } }, 'groupBy'],
      [{ ...valid, filter: { span_type: 'thought' } }, 'filter.span_type'],
      [{ ...valid, id: 'Bad Id' }, 'id'],
    ];
    expect(cases.map(([input]) => (parseRule(input) as { field: string }).field)).toEqual(cases.map(([, f]) => f));
    const r = parseRule({ ...valid, minSamples: 0 });
    expect(r.ok ? '' : r.message).toMatch(/^minSamples: /);
  });
});
