import { describe, expect, it } from 'vitest';
import { cohortSentence, liftInterval } from './cohort-lift';
import type { Cohort } from '@sightline/api';

const returns: Cohort = {
  key: 'input_category', value: 'returns', unit: 'trace', agents: ['support-1', 'support-2', 'support-3'], n: 1234, errors: 508, error_rate: 0.41167,
  error_rate_ci: [0.3844, 0.4395], rest_n: 9000, rest_error_rate: 0.081, lift: 5.0823, z: 30, p: 1e-40, q: 1e-38,
  latency_avg_ms: 900, latency_lift: 1.1, cost_per_unit: 0.01, cost_lift: 1, confidence_avg: null, rest_confidence_avg: null,
};

describe('a cohort in a sentence', () => {
  it('reads the lift with its interval', () => {
    expect(liftInterval(returns)).toEqual({ lift: 5.0823, low: 0.3844 / 0.081, high: 0.4395 / 0.081 });
    expect(cohortSentence(returns)).toBe(
      'Traces with input_category = returns failed 5.1× as often as the rest of support-1, support-2 and support-3: 41.2% of 1,234 against 8.1% (95% interval 4.7×–5.4×, q < 0.001).',
    );
  });
  it('says so when the rest had no errors, and spells q', () => {
    const alone = { ...returns, agents: ['support-1'], unit: 'span' as const, rest_error_rate: 0, lift: null, q: 0.0123 };
    expect(liftInterval(alone)).toBeNull();
    expect(cohortSentence(alone)).toBe('Spans with input_category = returns failed while no error came from the rest of support-1: 41.2% of 1,234 against 0.0% (q = 0.012).');
  });
});
