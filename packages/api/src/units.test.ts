import { describe, expect, it } from 'vitest';
import {
  clampToMetric, formatBand, formatChange, formatClock, formatCompact, formatInterval, formatMetric, formatMetricChange, formatMs, formatPct, formatPoints, formatScoreChange, formatScoreMean, formatScoreValue, formatTokens, formatUsd,
} from './units.js';

describe('numbers with units', () => {
  it('rounds durations to what a reader needs', () => {
    expect([0.25, 3, 640, 999.6, 1_180, 12_500, 59_999, 200_000, 7_500_000].map(formatMs)).toEqual([
      '0.3 ms', '3 ms', '640 ms', '1.00 s', '1.18 s', '12.5 s', '1 min 00 s', '3 min 20 s', '2 h 05 min',
    ]);
    expect([60_000, 300_000, 3_600_000, 21_600_000, 86_400_000, 90_000].map(formatInterval)).toEqual(['1 min', '5 min', '1 h', '6 h', '1 d', '1 min 30 s']);
  });

  it('gives money whole dollars from $100, cents from 10¢ and three significant digits below', () => {
    expect([0, 0.004, 0.0165, 0.00021, 0.00123456, 0.5, 1, 12.345, 99.999, 310.4, 1234.5, -0.02].map(formatUsd)).toEqual([
      '$0', '$0.004', '$0.0165', '$0.00021', '$0.00123', '$0.50', '$1.00', '$12.35', '$100', '$310', '$1,235', '−$0.02',
    ]);
  });

  it('shows shares, changes, points and tokens', () => {
    expect([0, 0.0004, 0.005, 0.1212, 0.44, 0.9996, 1].map(formatPct)).toEqual(['0.0%', '0.04%', '0.50%', '12.1%', '44.0%', '99.9%', '100.0%']);
    expect([0.015, -0.08, 0.0996, 0.55, 1, 9, 263.9].map(formatChange)).toEqual(['+1.5%', '−8.0%', '+10%', '+55%', '+100%', '10×', '265×']);
    expect([formatPoints(0, 0.1212), formatPoints(0.2, 0.05), formatPoints(0.01, 0.01)]).toEqual(['+12 points', '−15 points', '+0.0 points']);
    expect([812, 12_345_678].map(formatTokens)).toEqual(['812 tokens', '12.3M tokens']);
    expect([0, 7, 7.25, 12.34, 812.4, 12_345, 4_500_000].map(formatCompact)).toEqual(['0', '7', '7.25', '12.3', '812', '12.3k', '4.5M']);
    expect(formatClock(Date.UTC(2026, 2, 3, 9, 14), Date.UTC(2026, 2, 3, 12))).toBe('09:14 UTC');
    expect(formatClock(Date.UTC(2026, 2, 2, 23, 50), Date.UTC(2026, 2, 3, 12))).toBe('2026-03-02 23:50 UTC');
  });

  it('puts each metric in its unit', () => {
    expect(formatMetric('latency_p95', 52_053.8015)).toBe('52.1 s');
    expect(formatMetric('latency_p95', 30_541.9526)).toBe('30.5 s');
    expect(formatMetric('error_rate', 0.1212)).toBe('12.1%');
    expect(formatMetric('error_rate', 0)).toBe('0.0%');
    expect(formatMetric('cost_per_call', 0.0123)).toBe('$0.0123');
    expect(formatMetric('tokens_per_call', 811.6)).toBe('812 tokens');
    expect(formatMetric('confidence_avg', 0.8234)).toBe('0.82');
    expect(formatMetric('count', 1200)).toBe('1,200 spans');
    expect(formatMetric('error_rate', null)).toBe('n/a');
  });

  it('keeps bands of rates inside 0–100% and of everything else at or above 0', () => {
    expect(formatBand('error_rate', -0.01, 0.01)).toBe('0.0% – 1.0%');
    expect(formatBand('error_rate', 0.9, 1.2)).toBe('90.0% – 100.0%');
    expect(formatBand('latency_p95', -120, 840)).toBe('0 ms – 840 ms');
    expect([clampToMetric('confidence_avg', 1.3), clampToMetric('cost', -1), clampToMetric('cost', 5)]).toEqual([1, 0, 5]);
  });

  it('says a change the way its metric is read', () => {
    expect(formatMetricChange('error_rate', 0.1212, 0)).toBe('+12 points');
    expect(formatMetricChange('cost_per_call', 0.0084, 0.0042)).toBe('+100%');
    expect(formatMetricChange('latency_p95', 52_053.8, 30_541.95)).toBe('+70%');
    expect(formatMetricChange('cost', 5, 0)).toBe('from 0');
  });

  it('shows scores by kind: numbers to two decimals, booleans as yes/no and a share of yes, categories by label', () => {
    expect([formatScoreValue('number', 0.8333, null), formatScoreValue('number', 4, null), formatScoreValue('number', 1250.4, null), formatScoreValue('number', 0.25, 'poor')]).toEqual(['0.83', '4', '1,250', '0.25 (poor)']);
    expect([formatScoreValue('boolean', 1, null), formatScoreValue('boolean', 0, null), formatScoreValue('category', null, 'resolved')]).toEqual(['yes', 'no', 'resolved']);
    expect([formatScoreMean('number', 0.8), formatScoreMean('boolean', 0.75), formatScoreMean('number', null), formatScoreMean('number', 312.6)]).toEqual(['0.80', '75.0% yes', 'n/a', '313']);
    expect([formatScoreChange('number', 0.125), formatScoreChange('number', -0.05), formatScoreChange('boolean', -0.125)]).toEqual(['+0.13', '−0.05', '−13 points']);
  });
});
