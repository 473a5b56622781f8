// The dashboard's number formatting: every figure a person reads carries its unit and a sensible
// rounding. The numbers themselves (ms, $, %) are the shared formatter's, tested in packages/api.
import { METRICS } from '@sightline/api';
import { describe, expect, it } from 'vitest';
import { fmtAgo, fmtShare, fmtValue, METRIC_UNIT } from './format';

describe('format', () => {
  it('writes shares as the server\'s doctor does: never 0% of something, never 100% of less than all', () => {
    expect([fmtShare(0, 10), fmtShare(10, 10), fmtShare(1, 2000), fmtShare(1, 30), fmtShare(1, 3), fmtShare(995, 1000), fmtShare(9999, 10_000), fmtShare(3, 0)]).toEqual([
      '0%',
      '100%',
      '0.1%',
      '3.3%',
      '33%',
      '99.5%',
      '99.9%',
      '0%',
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
    ]).toEqual(['—', '—', '—', '250 ms', '$0.02', '25.0%', '25.0%', '0.88']);
  });

  it('writes how long ago in s, min, h or d, and never a negative age', () => {
    const now = 1_700_000_000_000;
    expect([now - 5_000, now - 90_000, now - 2 * 3_600_000, now - 3 * 86_400_000, now + 10_000].map((t) => fmtAgo(t, now))).toEqual(['5s ago', '2 min ago', '2 h ago', '3 d ago', '0s ago']);
  });

  it('knows the unit of every metric the API serves, and of no other', () => {
    expect(Object.keys(METRIC_UNIT).sort()).toEqual([...METRICS].sort());
  });
});
