import { describe, expect, it } from 'vitest';
import { conditionText } from './alert-condition';

describe('conditionText', () => {
  it('words every built-in condition, the score rule included', () => {
    expect(conditionText({ type: 'sigma', k: 2, direction: 'above', minDelta: 0, minChange: 0 })).toBe('> baseline + 2σ');
    expect(conditionText({ type: 'percent_of_average', percent: 120, direction: 'above', confirmSigma: 1 })).toBe('> 120% of baseline');
    expect(conditionText({ type: 'new_value', noveltyMs: 86_400_000 })).toBe('new value');
    expect(conditionText({ type: 'score_drop', maxPValue: 0.0001, minDropSd: 0.75 })).toBe('mean < baseline − 0.75σ (p ≤ 0.0001)');
  });
});
