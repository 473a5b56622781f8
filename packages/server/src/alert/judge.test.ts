import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES } from './builtin-rules.js';
import { binomialTailBound } from './figures.js';
import { judge, judgeNew } from './judge.js';
import { ruleSchema } from './rule.js';

const errorRule = BUILTIN_RULES.find((r) => r.id === 'builtin.error_rate')!;
const baseline = (mean: number, unitSigma: number, samples = 1000) => ({ mean, unitSigma, samples, hours: 24 });

describe('judge', () => {
  it('error rate: breaches at 2σ above baseline only when the 10-point floor and the binomial bound agree', () => {
    const b = baseline(0.01, Math.sqrt(0.01 * 0.99));
    // 1 error in 10: above 2σ but not significant.
    expect(judge(errorRule, { value: 0.1, samples: 10, errors: 1 }, b).breach).toBe(false);
    // 5 errors in 10: far beyond.
    const v = judge(errorRule, { value: 0.5, samples: 10, errors: 5 }, b);
    expect([v.breach, v.threshold?.toFixed(3), v.exitThreshold?.toFixed(3)]).toEqual([true, '0.110', '0.085']);
  });

  it('error rate: judges from 5 samples; the tail bound, not the count, keeps noise out', () => {
    const b = baseline(0.02, Math.sqrt(0.02 * 0.98));
    const at = (errors: number) => {
      const v = judge(errorRule, { value: errors / 5, samples: 5, errors }, b);
      return [v.breach, v.reason];
    };
    expect([at(3), at(4)]).toEqual([
      [false, 'binomial tail bound 0.000222 ≥ maxPValue 0.0001'],
      [true, ''],
    ]);
  });

  it('does not judge on fewer than minSamples, and then counts as clear', () => {
    const v = judge(errorRule, { value: 1, samples: 3, errors: 3 }, baseline(0.01, 0.1));
    expect([v.breach, v.clear, v.reason]).toEqual([false, true, '3 samples < minSamples 5']);
  });

  it('hysteresis: a value between exit and entry thresholds neither breaches nor clears', () => {
    const rule = ruleSchema.parse({ id: 'x', name: 'x', metric: 'latency_p95', condition: { type: 'above', value: 1000 }, minSamples: 1, hysteresis: 0.2 });
    const at = (value: number) => {
      const v = judge(rule, { value, samples: 10, errors: 0 }, null);
      return [v.breach, v.clear];
    };
    expect([at(1001), at(900), at(799)]).toEqual([
      [true, false],
      [false, false],
      [false, true],
    ]);
  });

  it('percent_of_average below: token efficiency at half its baseline breaches; 90 % does not', () => {
    const rule = BUILTIN_RULES.find((r) => r.id === 'builtin.token_efficiency')!;
    const b = baseline(0.2, 0.1, 10_000);
    expect(judge(rule, { value: 0.1, samples: 100, errors: 0 }, b).breach).toBe(true);
    expect(judge(rule, { value: 0.18, samples: 100, errors: 0 }, b).breach).toBe(false);
  });

  it('new value: needs minSamples in the window, none in the baseline, and a parent with history', () => {
    const rule = BUILTIN_RULES.find((r) => r.id === 'builtin.new_decision')!;
    expect(judgeNew(rule, { value: 5, samples: 5, errors: 0 }, 0, 5000).breach).toBe(true);
    expect(judgeNew(rule, { value: 5, samples: 5, errors: 0 }, 2, 5000).breach).toBe(false);
    expect(judgeNew(rule, { value: 5, samples: 5, errors: 0 }, 0, 10).breach).toBe(false);
    expect(judgeNew(rule, { value: 0, samples: 0, errors: 0 }, 0, 5000).clear).toBe(true);
  });

  it('binomial tail bound: tiny for many errors at a low base rate, 1 at or below the mean', () => {
    expect(binomialTailBound(1, 100, 0.05)).toBe(1);
    expect(binomialTailBound(5, 10, 0.01)).toBeLessThan(1e-6);
  });

  it('per-user spend: breaches against the user\'s own baseline, and over the fixed ceiling with or without one', () => {
    const rule = BUILTIN_RULES.find((r) => r.id === 'builtin.user_spend')!;
    // $0.50 an hour on average (σ $0.20): $1.20 is under 300 %, $2.10 is over it and 8 σ out.
    const b = baseline(0.5, 0.2, 400);
    const at = (value: number, base: typeof b | null) => {
      const v = judge(rule, { value, samples: 40, errors: 0 }, base);
      return [v.breach, v.clear, v.threshold, v.reason];
    };
    expect(at(1.2, b)).toEqual([false, true, 1.5, 'within threshold']);
    expect(at(2.1, b)).toEqual([true, false, 1.5, '']);
    // A new user (no baseline yet): only the $25 ceiling applies; back under $18.75 it clears.
    expect(at(30, null)).toEqual([true, false, 25, '']);
    expect(at(20, null)).toEqual([false, false, 25, 'baseline has 0 samples < minBaselineSamples 50; within the ceiling 25']);
    expect(at(18, null)).toEqual([false, true, 25, 'baseline has 0 samples < minBaselineSamples 50; within the ceiling 25']);
    // A heavy user whose own baseline is $40 an hour: $30 is fine by the baseline but over the ceiling.
    expect(at(30, baseline(40, 5, 5000))[0]).toBe(true);
  });
});
