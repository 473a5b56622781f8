import { describe, expect, it } from 'vitest';
import { formatChange, formatInterval, formatMetric, formatMs, formatPct, formatTokens, formatUsd } from './units.js';

describe('numbers with units', () => {
  it('rounds durations to what a reader needs', () => {
    expect([0.25, 3, 640, 999.6, 1_180, 12_500, 59_999, 200_000, 7_500_000].map(formatMs)).toEqual([
      '0.3 ms', '3 ms', '640 ms', '1.00 s', '1.18 s', '12.5 s', '1 min 00 s', '3 min 20 s', '2 h 05 min',
    ]);
    expect([60_000, 300_000, 3_600_000, 21_600_000, 86_400_000, 90_000].map(formatInterval)).toEqual(['1 min', '5 min', '1 h', '6 h', '1 d', '1 min 30 s']);
  });

  it('gives money three significant digits below a dollar, cents above', () => {
    expect([0, 0.004, 0.0165, 0.00123456, 0.5, 1, 1234.5, -0.02].map(formatUsd)).toEqual(['$0', '$0.004', '$0.0165', '$0.00123', '$0.5', '$1.00', '$1,234.50', '−$0.02']);
  });

  it('shows shares, changes and tokens', () => {
    expect([0, 0.0004, 0.44, 1].map(formatPct)).toEqual(['0.0%', '0.04%', '44.0%', '100.0%']);
    expect([0.015, -0.08, 0.55, 9, 263.9].map(formatChange)).toEqual(['+1.5%', '−8.0%', '+55%', '10×', '265×']);
    expect([812, 12_345_678].map(formatTokens)).toEqual(['812 tokens', '12.3M tokens']);
  });

  it('puts each metric in its unit', () => {
    expect(formatMetric('latency_p95', 53_540)).toBe('53.5 s');
    expect(formatMetric('error_rate', 0.032)).toBe('3.2%');
    expect(formatMetric('cost_per_call', 0.0123)).toBe('$0.0123');
    expect(formatMetric('tokens_per_call', 811.6)).toBe('812 tokens');
    expect(formatMetric('confidence_avg', 0.8234)).toBe('0.82');
    expect(formatMetric('count', 1200)).toBe('1,200 spans');
    expect(formatMetric('error_rate', null)).toBe('n/a');
  });
});
