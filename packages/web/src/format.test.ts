// The dashboard's number formatting: every figure a person reads carries its unit and a sensible rounding.
import { METRICS } from '@sightline/api';
import { describe, expect, it } from 'vitest';
import { fmtAgo, fmtChange, fmtMs, fmtNumber, fmtPercent, fmtShare, fmtUsd, fmtValue, METRIC_UNIT } from './format';

describe('format', () => {
  it('abbreviates large counts and groups thousands below 10k', () => {
    expect([0, 7, 3.14159, 1234, 12_345, -12_345, 2_500_000, 1.5e9].map((v) => fmtNumber(v))).toEqual(['0', '7', '3.1', '1,234', '12.3k', '-12.3k', '2.5M', '1.5B']);
  });

  it('writes durations in ms, s or min', () => {
    expect([0.4, 999, 1000, 1500, 60_000, 90_000].map(fmtMs)).toEqual(['0 ms', '999 ms', '1.00 s', '1.50 s', '1.0 min', '1.5 min']);
  });

  it('writes dollars with four decimals below a cent and none from $100', () => {
    expect([0, 0.0042, 1.5, 99.99, 1234.4].map(fmtUsd)).toEqual(['$0', '$0.0042', '$1.50', '$99.99', '$1,234']);
  });

  it('writes rates as percentages, two decimals below 1 %', () => {
    expect([0, 0.005, 0.123, 1].map(fmtPercent)).toEqual(['0.0%', '0.50%', '12.3%', '100.0%']);
  });

  it('writes shares as the server\'s doctor does: never 0 % of something, never 100 % of less than all', () => {
    expect([fmtShare(0, 10), fmtShare(10, 10), fmtShare(1, 2000), fmtShare(1, 30), fmtShare(1, 3), fmtShare(995, 1000), fmtShare(9999, 10_000), fmtShare(3, 0)]).toEqual([
      '0 %',
      '100 %',
      '0.1 %',
      '3.3 %',
      '33 %',
      '99.5 %',
      '99.9 %',
      '0 %',
    ]);
  });

  it('formats a value by its unit, with a dash for no value', () => {
    expect([
      fmtValue(null, 'ms'),
      fmtValue(undefined, 'usd'),
      fmtValue(Number.NaN, 'count'),
      fmtValue(250, 'ms'),
      fmtValue(0.02, 'usd'),
      fmtValue(0.25, 'rate'),
      fmtValue(0.25, 'percent'),
      fmtValue(0.8765, 'ratio'),
      fmtValue(42, 'per_min'),
      fmtValue(12_345, 'tokens'),
      fmtValue(12, 'count'),
    ]).toEqual(['—', '—', '—', '250 ms', '$0.02', '25.0%', '25.0%', '0.88', '42/min', '12.3k', '12']);
  });

  it('writes a relative change with its sign, and says when there is nothing to compare with', () => {
    expect([fmtChange(null), fmtChange(Number.POSITIVE_INFINITY), fmtChange(0.123), fmtChange(-0.04), fmtChange(0)]).toEqual(['no previous data', 'no previous data', '+12.3%', '−4.0%', '+0.0%']);
  });

  it('writes how long ago in s, min, h or d, and never a negative age', () => {
    const now = 1_700_000_000_000;
    expect([now - 5_000, now - 90_000, now - 2 * 3_600_000, now - 3 * 86_400_000, now + 10_000].map((t) => fmtAgo(t, now))).toEqual(['5s ago', '2 min ago', '2 h ago', '3 d ago', '0s ago']);
  });

  it('knows the unit of every metric the API serves, and of no other', () => {
    expect(Object.keys(METRIC_UNIT).sort()).toEqual([...METRICS].sort());
  });
});
